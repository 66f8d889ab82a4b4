// Package rng derives the random streams of a run. Every draw in patrolsim
// comes from a stream named by (seed, replication, purpose): there is no
// global random state, and a stream's draws do not depend on how many draws
// any other stream made. That is what makes runs reproducible and policy
// comparisons paired (common random numbers): arrivals drawn for replication
// r are the same whatever the policy does.
package rng

import "math/rand/v2"

// Purpose names what a stream is for. Values are part of the reproducibility
// contract: never renumber them, only append.
type Purpose uint64

const (
	Arrivals Purpose = iota + 1 // incident occurrence times
	Place                       // incident atom and point
	Kind                        // incident type
	Service                     // on-scene times
	Report                      // reporting delays
	Command                     // command (dispatch) delays
	Policy                      // deployment policy choices
	Setup                       // placement of units at the start
)

// splitmix64 is Steele, Lea and Flood's finaliser (OOPSLA 2014), a bijection
// on uint64 that scatters nearby inputs.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// New returns the PCG stream for (seed, replication, purpose).
func New(seed uint64, replication int, p Purpose) *rand.Rand {
	h := splitmix64(seed)
	h = splitmix64(h ^ uint64(replication))
	h = splitmix64(h ^ uint64(p))
	return rand.New(rand.NewPCG(h, splitmix64(h^0x5851f42d4c957f2d)))
}
