package des_test

import (
	"fmt"
	"math"

	"github.com/patrolsim/patrolsim/sim/des"
)

// A handler that prints each event and, for kind 0, schedules a follow-up.
func Example() {
	e := des.New(des.HandlerFunc(func(e *des.Engine, ev des.Event) {
		fmt.Printf("t=%g kind=%d a=%d\n", e.Now(), ev.Kind, ev.A)
		if ev.Kind == 0 {
			e.After(1.5, 1, ev.A, 0)
		}
	}), 0)
	e.Schedule(2, 0, 1, 0)
	e.Schedule(1, 0, 2, 0)
	e.Schedule(2, 0, 3, 0) // same time as a=1: delivered after it
	e.Run(math.Inf(1))
	// Output:
	// t=1 kind=0 a=2
	// t=2 kind=0 a=1
	// t=2 kind=0 a=3
	// t=2.5 kind=1 a=2
	// t=3.5 kind=1 a=1
	// t=3.5 kind=1 a=3
}
