package policy

import (
	"math/rand/v2"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// Fleet-aware policies. A Policy is asked about one idle unit at a time; a
// Commander also sees the whole force (Fleet) and may relocate the free
// units it governs (Move). It still never touches the event queue: it
// returns orders, and the engine turns each into a leg and its events, at
// once and in the order given. Its reviews come at the instants the engine
// chooses from Review, so a run stays reproducible.

// Status is a unit's state as a Fleet shows it.
type Status uint8

const (
	OffDuty Status = iota // not on shift
	Free                  // on duty and not assigned to a call: patrolling, at a post, or relocating
	Busy                  // sent to a call, or on scene
)

// Fleet is what a fleet-aware policy may see of the force, at the instant
// of the call it is passed to or made in (Commander.Command, Policy.Next):
// the engine answers from the run's state at that instant. Static facts (a
// unit's type, squad, home, district) are in World.Units. Units are indices
// into World.Units, and every method panics for another index.
type Fleet interface {
	// Status is unit u's state now.
	Status(u int) Status
	// Pos is unit u's true position now, what GPS shows: on its leg,
	// computed when asked.
	Pos(u int) geo.Point
	// Heading is where unit u's current leg ends: the stop it is going
	// to or standing at (its position once the leg has ended).
	Heading(u int) geo.Point
	// Able reports whether unit u may take priority-p incidents (p = 1,
	// 2, 3).
	Able(u, p int) bool
	// Reach is how long, in seconds, unit u would take to reach to from
	// from if sent there on a call: its type's turnout plus travel at its
	// response speed (Travel).
	Reach(u int, from, to geo.Point) float64
	// Target is the scenario's response-time target for priority p, in
	// seconds (0: none).
	Target(p int) float64
}

// Move is a relocation order: send free unit Unit as Order says (travel
// to Order.To at the unit's patrol speed, stay Order.Dwell seconds, or
// until dispatched when Dwell is +Inf, then ask Next again).
type Move struct {
	Unit int
	Order
}

// Review says when the engine calls Command: at every instant at which a
// unit is dispatched, clears a call, or goes on or off duty (OnChange;
// once per instant, after the events of that instant scheduled so far), and
// every Every seconds from the start of the run (0: never).
type Review struct {
	OnChange bool
	Every    float64 // seconds, >= 0
}

// Commander is implemented by fleet-aware policies. The engine calls
// Attach once, before any other call of the run, with the run's fleet
// (valid for the whole run, read at the instant of each call); then
// Command at the instants Review gives. Command returns relocation
// orders for free units the policy governs (an order for another unit is
// an error that stops the run); the engine starts each at once, in order,
// replacing the unit's current order. Command must be deterministic given
// r and what it has seen, and must not iterate over maps in a way that
// affects its orders. An error from Attach stops the run.
type Commander interface {
	Policy
	Attach(f Fleet) (Review, error)
	Command(now float64, r *rand.Rand) []Move
}
