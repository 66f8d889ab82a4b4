package des

import (
	"fmt"
	"math"
)

// Event is one pending occurrence. Kind, A and B are free for the handler:
// typically Kind says what happens, A names the object and B carries a
// generation number used to ignore cancelled events.
type Event struct {
	Time float64 // simulated time in seconds
	seq  uint64
	Kind int32
	A    int32
	B    int64
}

// Handler receives events in time order. It may schedule further events on
// the engine it is given; it must be deterministic.
type Handler interface {
	Handle(e *Engine, ev Event)
}

// HandlerFunc adapts a function to the Handler interface.
type HandlerFunc func(e *Engine, ev Event)

// Handle calls f(e, ev).
func (f HandlerFunc) Handle(e *Engine, ev Event) { f(e, ev) }

// Engine is a single-threaded event scheduler. The zero value is not usable;
// create one with New.
type Engine struct {
	now     float64
	seq     uint64
	q       queue
	handler Handler
	steps   uint64
}

// New returns an engine at time 0 that delivers events to h. sizeHint is the
// expected number of pending events (0 is fine).
func New(h Handler, sizeHint int) *Engine {
	e := &Engine{handler: h}
	e.q.init(sizeHint)
	return e
}

// Now returns the current simulated time in seconds.
func (e *Engine) Now() float64 { return e.now }

// Len returns the number of pending events.
func (e *Engine) Len() int { return e.q.n }

// Steps returns the number of events delivered so far.
func (e *Engine) Steps() uint64 { return e.steps }

// Reset empties the queue and sets the clock to 0, keeping the storage.
func (e *Engine) Reset() {
	e.now, e.seq, e.steps = 0, 0, 0
	e.q.reset()
}

// Schedule adds an event at absolute time t (seconds). It panics if t is
// before Now, NaN or infinite: that is a programmer error in the model.
func (e *Engine) Schedule(t float64, kind int32, a int32, b int64) {
	e.seq++
	e.q.push(Event{Time: t, seq: e.seq, Kind: kind, A: a, B: b}, e.now)
}

// badTime panics for an event at time t scheduled at now (push).
func badTime(t, now float64) {
	panic(fmt.Sprintf("des: event at %v scheduled before now %v or at infinity", t, now))
}

// After schedules an event delay seconds from now (delay >= 0).
func (e *Engine) After(delay float64, kind int32, a int32, b int64) {
	e.Schedule(e.now+delay, kind, a, b)
}

var inf = math.Inf(1)

// Peek returns the time of the next event, or +Inf if none is pending.
func (e *Engine) Peek() float64 {
	q := &e.q
	if q.head == len(q.front) { // (min, by hand)
		if q.n == 0 {
			return inf
		}
		q.fill()
	}
	return q.front[q.head].Time
}

// Step delivers the next event and reports whether there was one.
func (e *Engine) Step() bool {
	q := &e.q
	if q.n == 0 {
		return false
	}
	if q.head == len(q.front) { // (pop, by hand)
		q.fill()
	}
	q.n--
	ev := q.front[q.head]
	q.head++
	e.now = ev.Time
	e.steps++
	e.handler.Handle(e, ev)
	return true
}

// Run delivers events until none is pending or the next one is after until
// (seconds); the clock then stands at until (or at the last event if the
// queue emptied earlier and until is +Inf).
func (e *Engine) Run(until float64) {
	for e.q.n > 0 && e.q.min().Time <= until {
		e.Step()
	}
	if !math.IsInf(until, 1) && until > e.now {
		e.now = until
	}
}
