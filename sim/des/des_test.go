package des

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestOrderTimeThenSequence(t *testing.T) {
	var got []int32
	e := New(HandlerFunc(func(e *Engine, ev Event) { got = append(got, ev.A) }), 0)
	e.Schedule(5, 0, 1, 0)
	e.Schedule(1, 0, 2, 0)
	e.Schedule(5, 0, 3, 0)
	e.Schedule(1, 0, 4, 0)
	e.Schedule(0, 0, 5, 0)
	e.Run(math.Inf(1))
	want := []int32{5, 2, 4, 1, 3}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestRandomAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	last := -1.0
	var lastSeq int64 = -1
	count := 0
	e := New(HandlerFunc(func(e *Engine, ev Event) {
		if ev.Time < last || (ev.Time == last && ev.B < lastSeq) {
			t.Fatalf("out of order: %v after (%v,%v)", ev, last, lastSeq)
		}
		last, lastSeq = ev.Time, ev.B
		count++
		if count < 5000 {
			// Schedule at coarse times so that ties are common.
			// Mostly near events, some far ones, so that the calendar is
			// rebuilt many times.
			d := float64(r.IntN(3))
			if count%97 == 0 {
				d = 1e6 * r.Float64()
			}
			e.Schedule(e.Now()+d, 0, 0, int64(count+100000))
		}
	}), 0)
	for i := range 1000 {
		e.Schedule(float64(r.IntN(50)), 0, 0, int64(i))
	}
	e.Run(math.Inf(1))
	if e.Len() != 0 {
		t.Fatalf("pending %d, want 0", e.Len())
	}
	if count != 1000+4999 {
		t.Fatalf("delivered %d, want %d", count, 1000+4999)
	}
}

func TestRunUntil(t *testing.T) {
	n := 0
	e := New(HandlerFunc(func(e *Engine, ev Event) { n++ }), 0)
	e.Schedule(1, 0, 0, 0)
	e.Schedule(2, 0, 0, 0)
	e.Schedule(3, 0, 0, 0)
	e.Run(2)
	if n != 2 || e.Now() != 2 || e.Len() != 1 {
		t.Fatalf("n=%d now=%v len=%d, want 2, 2, 1", n, e.Now(), e.Len())
	}
	if e.Peek() != 3 {
		t.Fatalf("peek %v, want 3", e.Peek())
	}
}

func TestScheduleInPastPanics(t *testing.T) {
	e := New(HandlerFunc(func(e *Engine, ev Event) {}), 0)
	e.Schedule(2, 0, 0, 0)
	e.Step()
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for an event in the past")
		}
	}()
	e.Schedule(1, 0, 0, 0)
}

type hold struct{ r *rand.Rand }

func (h *hold) Handle(e *Engine, ev Event) { e.After(h.r.ExpFloat64(), 0, ev.A, 0) }

// BenchmarkEngine is the classic hold model: a fixed population of 10,000
// pending events; each delivered event schedules one more after an
// exponential delay with mean 1.
func BenchmarkEngine(b *testing.B) {
	h := &hold{r: rand.New(rand.NewPCG(1, 1))}
	e := New(h, 10001)
	for i := range 10000 {
		e.Schedule(h.r.ExpFloat64(), 0, int32(i), 0)
	}
	// Warm the queue into its steady state.
	for range 100000 {
		e.Step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		e.Step()
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// TestHugeTimes: events so late that a calendar cannot be spread over them
// (t + buckets·width rounds to t) still pop, in (time, sequence) order.
func TestHugeTimes(t *testing.T) {
	var got []int32
	e := New(HandlerFunc(func(e *Engine, ev Event) {
		got = append(got, ev.A)
		if ev.A == 2 {
			e.Schedule(e.Now(), 0, 9, 0) // at the same huge time: after 3
		}
	}), 0)
	e.Schedule(1e18, 0, 2, 0)
	e.Schedule(5, 0, 1, 0)
	e.Schedule(1e18, 0, 3, 0)
	e.Schedule(math.Nextafter(1e18, math.Inf(1)), 0, 4, 0)
	e.Run(math.Inf(1))
	want := []int32{1, 2, 3, 9, 4}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestScheduleAtInfinityPanics(t *testing.T) {
	e := New(HandlerFunc(func(e *Engine, ev Event) {}), 0)
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for an event at +Inf")
		}
	}()
	e.Schedule(math.Inf(1), 0, 0, 0)
}
