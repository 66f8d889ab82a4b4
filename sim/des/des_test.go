package des

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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

// shifts is a patrol-like load: units each schedule their next stop after
// 10 to 20 minutes, and half of them (the night teams) go off duty at
// 06:00 and all come back at 18:00 at the same instant, so the density of
// events doubles and halves twice a day and comes in bursts.
type shifts struct {
	r     *rand.Rand
	units int
}

const (
	evStop int32 = iota
	evOn
)

func (s *shifts) Handle(e *Engine, ev Event) {
	s.handle(e, ev, func(at float64, kind int32) { e.Schedule(at, kind, ev.A, 0) })
}

func (s *shifts) handle(e *Engine, ev Event, schedule func(at float64, kind int32)) {
	now := e.Now()
	if ev.Kind == evOn {
		schedule(now, evStop)
		return
	}
	day := math.Mod(now, 86400)
	if int(ev.A) < s.units/2 && day >= 6*3600 && day < 18*3600 {
		schedule(now-day+18*3600, evOn) // off until 18:00
		return
	}
	schedule(now+600+600*s.r.Float64(), evStop)
}

// TestShiftsOrder runs the shifts load, whose density changes twice a day
// and whose bursts at one instant re-spread the calendar, and checks that
// events pop in (time, scheduling order).
func TestShiftsOrder(t *testing.T) {
	h := &shifts{r: rand.New(rand.NewPCG(3, 4)), units: 400}
	var count int64 // events scheduled so far: B of each event
	lastT, lastB := -1.0, int64(-1)
	var e *Engine
	e = New(HandlerFunc(func(_ *Engine, ev Event) {
		if ev.Time < lastT || (ev.Time == lastT && ev.B < lastB) {
			t.Fatalf("event (%v, %d) after (%v, %d)", ev.Time, ev.B, lastT, lastB)
		}
		lastT, lastB = ev.Time, ev.B
		h.handle(e, ev, func(at float64, kind int32) {
			count++
			e.Schedule(at, kind, ev.A, count)
		})
	}), 0)
	for i := range h.units {
		count++
		e.Schedule(h.r.Float64()*600, evStop, int32(i), count)
	}
	e.Run(5 * 86400)
	if e.Steps() < 100000 {
		t.Fatalf("%d events in 5 days, want over 100,000", e.Steps())
	}
}

// BenchmarkEngineShifts runs the shifts load with 200 and 3200 units.
func BenchmarkEngineShifts(b *testing.B) {
	for _, units := range []int{200, 3200} {
		b.Run(fmt.Sprintf("units=%d", units), func(b *testing.B) {
			h := &shifts{r: rand.New(rand.NewPCG(1, 1)), units: units}
			e := New(h, units)
			for i := range units {
				e.Schedule(h.r.Float64()*600, evStop, int32(i), 0)
			}
			for range 20 * units {
				e.Step()
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				e.Step()
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
		})
	}
}

// TestNthSmallest checks the selection against sorting, on arrays with and
// without repeated values.
func TestNthSmallest(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 2000 {
		n := 1 + r.IntN(60)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(r.IntN(1 + trial%20))
			if trial%3 == 0 {
				xs[i] = r.Float64()
			}
		}
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		k := r.IntN(n)
		if got := nthSmallest(slices.Clone(xs), k); got != sorted[k] {
			t.Fatalf("nthSmallest(%v, %d) = %v, want %v", xs, k, got, sorted[k])
		}
	}
}

// TestTinyTimes: events a few denormals apart near 0, where a calendar's
// width would be so small that its inverse overflows, still pop in (time,
// sequence) order.
func TestTinyTimes(t *testing.T) {
	var got []float64
	e := New(HandlerFunc(func(e *Engine, ev Event) { got = append(got, ev.Time) }), 0)
	for i := 59; i >= 0; i-- {
		e.Schedule(float64(i%21)*5e-324, 0, 0, 0)
	}
	e.Run(math.Inf(1))
	if len(got) != 60 || !slices.IsSorted(got) {
		t.Fatalf("got %v, want 60 times in order", got)
	}
}

// model is a workload like the patrol model's default scenario (about 376
// pending events; see BenchmarkEngineModel): units whose patrol stops
// follow each other after 2 to 130 minutes, all units' shift ends at 06:00
// and 18:00 (a burst at one instant), incidents arriving every minute on
// average, each calling, arriving and clearing in turn, and a sample every
// 10 minutes.
type model struct {
	r     *rand.Rand
	units int
	check func(ev Event) // if set, sees every event
}

const (
	mPatrol int32 = iota
	mShift
	mOccur
	mCall
	mArrive
	mClear
	mSample
)

func (m *model) Handle(e *Engine, ev Event) {
	if m.check != nil {
		m.check(ev)
	}
	now := e.Now()
	switch ev.Kind {
	case mPatrol: // log-uniform over 2 min … 130 min
		e.After(120*math.Exp(m.r.Float64()*math.Log(65)), mPatrol, ev.A, 0)
	case mShift:
		e.Schedule(now+12*3600, mShift, ev.A, 0)
	case mOccur:
		e.After(m.r.ExpFloat64()*60, mOccur, 0, 0)
		e.After(10+90*m.r.Float64(), mCall, 0, 0)
	case mCall:
		e.After(100+900*m.r.Float64(), mArrive, 0, 0)
	case mArrive:
		e.After(1000+4000*m.r.Float64(), mClear, 0, 0)
	case mSample:
		e.Schedule(now+600, mSample, 0, 0)
	}
}

func newModel(seed uint64, units int) (*model, *Engine) {
	m := &model{r: rand.New(rand.NewPCG(seed, 7)), units: units}
	e := New(m, 4*units)
	for u := range units {
		e.Schedule(3600*m.r.Float64(), mPatrol, int32(u), 0)
		e.Schedule(6*3600, mShift, int32(u), 0)
	}
	e.Schedule(0, mOccur, 0, 0)
	e.Schedule(0, mSample, 0, 0)
	return m, e
}

// TestModelOrder runs the model workload for 3 days and checks that events
// pop in (time, scheduling order): B is unused by the model, so the check
// uses the engine's own sequence numbers.
func TestModelOrder(t *testing.T) {
	m, e := newModel(1, 150)
	var last Event
	m.check = func(ev Event) {
		if less(&ev, &last) {
			t.Fatalf("event (%v, %d) after (%v, %d)", ev.Time, ev.seq, last.Time, last.seq)
		}
		last = ev
	}
	e.Run(3 * 86400)
	if e.Steps() < 35000 {
		t.Fatalf("%d events in 3 days, want over 35,000", e.Steps())
	}
}

// BenchmarkEngineModel runs the model workload with 150 units (about 370
// pending events, like the default scenario's 376 on average) from its
// steady state: the queue's cost on the model's workload, where
// BenchmarkEngine (10,000 pending, exponential holds) is the textbook one.
func BenchmarkEngineModel(b *testing.B) {
	_, e := newModel(1, 150)
	e.Run(86400)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		e.Step()
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}

// TestPhases drives the engine through phases that exercise every path of
// the queue: dense and sparse stretches (re-spreads for density), events
// hours ahead (far, swept in halfway through each calendar), empty
// stretches (the calendar runs dry), bursts at one instant (front above
// its limit), coarse times (ties), zeros, and events at huge times; and
// checks that events pop in (time, scheduling order) and that none is
// lost.
func TestPhases(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var last Event
	delivered, scheduled := 0, 0
	phase := 0
	var e *Engine
	schedule := func(at float64) {
		scheduled++
		e.Schedule(at, 0, int32(phase), 0)
	}
	e = New(HandlerFunc(func(_ *Engine, ev Event) {
		if less(&ev, &last) {
			t.Fatalf("phase %d: event (%v, %d) after (%v, %d)", phase, ev.Time, ev.seq, last.Time, last.seq)
		}
		last = ev
		delivered++
		phase = delivered / 4000 % 8
		if delivered > 100000 {
			return
		}
		now := e.Now()
		k := 1 // events to schedule: about one for one, around 300 pending
		if n := e.Len(); n < 250 {
			k = 2
		} else if n > 350 {
			k = r.IntN(2)
		}
		for range k {
			switch phase {
			case 0: // dense: within a second
				schedule(now + r.Float64())
			case 1: // sparse: hours apart, some much later
				d := 3600 * r.ExpFloat64()
				if r.IntN(10) == 0 {
					d *= 100
				}
				schedule(now + d)
			case 2: // bursts at one instant
				if r.IntN(50) == 0 {
					for range 100 + r.IntN(200) {
						schedule(now)
					}
				}
				schedule(now + 60*r.Float64())
			case 3: // ties: whole seconds
				schedule(now + float64(r.IntN(5)))
			case 4: // a quiet stretch: few events, far apart
				if e.Len() < 5 {
					schedule(now + 1e6*r.Float64())
				}
			case 5: // a mix of minutes and hours (the model's)
				if r.IntN(20) == 0 {
					schedule(now + 43200)
				} else {
					schedule(now + 120*math.Exp(r.Float64()*4))
				}
			case 6: // huge times now and then (delivered at the end)
				if r.IntN(500) == 0 {
					schedule(now + 1e18 + float64(r.IntN(3))*1e3)
				}
				schedule(now + r.ExpFloat64())
			case 7: // the same instant as now
				schedule(now)
				if r.IntN(2) == 0 {
					schedule(now + 1e-9)
				}
			}
		}
	}), 0)
	for range 300 {
		scheduled++
		e.Schedule(r.Float64(), 0, 0, 0)
	}
	e.Schedule(0, 0, 0, 0)
	e.Schedule(math.Copysign(0, -1), 0, 0, 0) // -0 is 0
	scheduled += 2
	e.Run(math.Inf(1))
	if delivered != scheduled || e.Len() != 0 {
		t.Fatalf("delivered %d of %d, %d pending", delivered, scheduled, e.Len())
	}
}

// TestCoarseTimes: at magnitudes where a time's last bit is worth from a
// millisecond to tens of seconds, events scheduled fractions of a second to
// hours apart (many rounding to the same time) still pop in (time,
// sequence) order, whatever width the calendar is fitted to.
func TestCoarseTimes(t *testing.T) {
	for _, start := range []float64{1e12, 1e14, 1e15, 3e15, 1e16, 1e17, 1e19, 1e21, 1e300, 0x1p63 - 0x1p20, 0x1p70 - 0x1p30} {
		r := rand.New(rand.NewPCG(uint64(start), 11))
		var last Event
		count := 0
		var e *Engine
		e = New(HandlerFunc(func(_ *Engine, ev Event) {
			if less(&ev, &last) {
				t.Fatalf("start %g: event (%v, %d) after (%v, %d)", start, ev.Time, ev.seq, last.Time, last.seq)
			}
			last = ev
			count++
			if count < 20000 {
				d := math.Exp(r.Float64()*20 - 8) // 0.3 ms … 3 h
				e.Schedule(e.Now()+d, 0, 0, 0)
				if r.IntN(3) == 0 {
					e.Schedule(e.Now()+d*r.Float64(), 0, 0, 0)
				}
			}
		}), 0)
		for range 300 {
			e.Schedule(start+1000*r.Float64(), 0, 0, 0)
		}
		e.Run(math.Inf(1))
		if e.Len() != 0 || count < 20000 {
			t.Fatalf("start %g: delivered %d, %d pending", start, count, e.Len())
		}
	}
}
