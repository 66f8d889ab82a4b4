package des

import (
	"math"
	"slices"
)

// queue is a monotone priority queue of events ordered by (Time, seq): a
// calendar of time buckets in front of a short sorted run, after Brown's
// calendar queue (CACM 31(10), 1988) and the ladder queue of Tang, Goh and
// Thng (ACM TOMACS 15(3), 2005), simplified.
//
//   - front[head:] holds every event in the current bucket, sorted (the
//     ladder queue's bottom);
//   - buckets cur+1 … nb-1 hold later events, unsorted, each bucket
//     covering width w seconds from base: a list (bucket[b], then link)
//     through a pool of slots, so that a push writes into a slot freed
//     moments ago rather than into the cold array of a far bucket;
//   - far holds events at or after end = base + nb*w, unsorted.
//
// Because bucket indices are a monotone function of time, every event in
// front precedes every event in a later bucket, which precedes every event
// in far. When front runs dry the next non-empty bucket is sorted into it;
// when the buckets run out, far is re-spread over a new calendar whose
// width is fitted to the density of its earliest events. Pop is O(1); push
// is O(1) amortized on well-spread event times, and an event for the
// current bucket is inserted in order, from the back (a bucket holds a few
// events). Events are never compared by anything but (Time, seq), so the
// order is exact and deterministic.
//
// A calendar fitted when events were sparse (at night, say) has buckets too
// wide for a busier time that follows, and its front grows with every event
// of a bucket. When front holds more than frontLimit events the whole queue
// is re-spread over a calendar fitted to the density of the moment (O(n)
// once per change of density); a front still large after that (events at
// one instant) raises the limit until it drains.
type queue struct {
	front   []Event
	head    int     // front[:head] have popped
	bucket  []int32 // first slot of each bucket's list, -1 if empty
	slot    []Event // the pool: bucketed events …
	link    []int32 // … each slot's next in its bucket, or in the free list
	free    int32   // first free slot, -1 if none
	far     []Event
	cur, nb int
	base, w float64
	inv     float64 // 1/w: an event's bucket is int((t − base)·inv)
	end     float64
	n       int
	sample  []float64
	limit   int // front size that makes push or fill re-spread the queue
}

// frontLimit is the size of front above which the queue is re-spread.
const frontLimit = 32

func (q *queue) init(sizeHint int) {
	q.front = make([]Event, 0, 64)
	q.far = make([]Event, 0, sizeHint)
	q.w, q.inv = 1, 1
	q.limit = frontLimit
	q.free = -1
}

func (q *queue) reset() {
	q.front, q.head = q.front[:0], 0
	q.bucket = q.bucket[:0]
	q.slot, q.link, q.free = q.slot[:0], q.link[:0], -1
	q.far = q.far[:0]
	q.cur, q.nb, q.base, q.w, q.inv, q.end, q.n = 0, 0, 0, 1, 1, 0, 0
	q.limit = frontLimit
}

// cmp orders events for slices.SortFunc.
func cmp(a, b Event) int {
	if less(&a, &b) {
		return -1
	}
	if less(&b, &a) {
		return 1
	}
	return 0
}

// waiting is the number of events in front.
func (q *queue) waiting() int { return len(q.front) - q.head }

// insert puts x into front in order, searching from the back.
func (q *queue) insert(x Event) {
	if q.head >= 64 && 2*q.head >= len(q.front) { // drop the popped events
		q.front = q.front[:copy(q.front, q.front[q.head:])]
		q.head = 0
	}
	q.front = append(q.front, x)
	i := len(q.front) - 1
	for i > q.head && less(&x, &q.front[i-1]) {
		q.front[i] = q.front[i-1]
		i--
	}
	q.front[i] = x
}

// sortFront sorts the events appended to front since it was last in order,
// from index from on.
func (q *queue) sortFront(from int) {
	if len(q.front)-from > 16 {
		slices.SortFunc(q.front[q.head:], cmp)
		return
	}
	for k := from; k < len(q.front); k++ {
		x := q.front[k]
		i := k
		for i > q.head && less(&x, &q.front[i-1]) {
			q.front[i] = q.front[i-1]
			i--
		}
		q.front[i] = x
	}
}

func less(a, b *Event) bool {
	return a.Time < b.Time || (a.Time == b.Time && a.seq < b.seq)
}

func (q *queue) push(x Event) {
	q.n++
	if x.Time >= q.end {
		q.far = append(q.far, x)
		return
	}
	idx := q.bucketOf(x.Time)
	switch {
	case idx <= q.cur:
		q.insert(x)
		if q.waiting() > q.limit {
			q.respread()
		}
	case idx >= q.nb:
		q.far = append(q.far, x)
	default:
		q.toBucket(idx, x)
	}
}

// bucketOf is the bucket of time t: int((t − base)·inv), a monotone
// function of t (a multiplication rather than a division by w: it is only
// ever compared with other buckets of the same calendar, so it needs to be
// monotone, not exact); push and rebuild both use it.
func (q *queue) bucketOf(t float64) int { return int((t - q.base) * q.inv) }

// toBucket adds x to bucket b.
func (q *queue) toBucket(b int, x Event) {
	s := q.free
	if s >= 0 {
		q.free = q.link[s]
		q.slot[s] = x
	} else {
		s = int32(len(q.slot))
		q.slot = append(q.slot, x)
		q.link = append(q.link, 0)
	}
	q.link[s] = q.bucket[b]
	q.bucket[b] = s
}

// emptyBucket appends bucket b's events to dst, frees their slots, and
// returns dst.
func (q *queue) emptyBucket(dst []Event, b int) []Event {
	s := q.bucket[b]
	for s >= 0 {
		dst = append(dst, q.slot[s])
		next := q.link[s]
		q.link[s] = q.free
		q.free = s
		s = next
	}
	q.bucket[b] = -1
	return dst
}

// nextBucket returns the first event of the list of bucket cur+1 and
// true, or false if that bucket is empty or beyond the calendar.
func (q *queue) nextBucket() (Event, bool) {
	if c := q.cur + 1; c < q.nb {
		if s := q.bucket[c]; s >= 0 {
			return q.slot[s], true
		}
	}
	return Event{}, false
}

// fill makes front non-empty; q.n must be > 0.
func (q *queue) fill() {
	for q.head == len(q.front) {
		q.front, q.head = q.front[:0], 0
		q.cur++
		if q.cur >= q.nb {
			q.rebuild()
			continue
		}
		s := q.bucket[q.cur]
		switch {
		case s < 0: // an empty bucket
			continue
		case q.link[s] < 0: // one event: nothing to sort
			q.front = append(q.front, q.slot[s])
			q.link[s], q.free, q.bucket[q.cur] = q.free, s, -1
			continue
		}
		q.front = q.emptyBucket(q.front, q.cur)
		q.sortFront(0)
		if q.waiting() > q.limit {
			q.respread()
		}
	}
}

// respread moves every pending event to far and spreads them over a new
// calendar. If front is still above the limit (events at one instant,
// which no calendar separates), the limit rises to twice its size, and
// falls back once front has drained (pop).
func (q *queue) respread() {
	q.far = append(q.far, q.front[q.head:]...)
	q.front, q.head = q.front[:0], 0
	for i := q.cur + 1; i < q.nb; i++ {
		q.far = q.emptyBucket(q.far, i)
	}
	q.rebuild()
	if q.waiting() > frontLimit {
		q.limit = 2 * q.waiting()
	}
}

// min returns the earliest event; q.n must be > 0.
func (q *queue) min() *Event {
	q.fill()
	return &q.front[q.head]
}

// pop removes and returns the earliest event; q.n must be > 0.
func (q *queue) pop() Event {
	q.fill()
	q.n--
	if q.limit > frontLimit && q.waiting() <= frontLimit/2 {
		q.limit = frontLimit
	}
	x := q.front[q.head]
	q.head++
	return x
}

// rebuild spreads far over a new calendar starting at its earliest event;
// front must be empty.
func (q *queue) rebuild() {
	far := q.far
	n := len(far)
	lo, hi := far[0].Time, far[0].Time
	for i := range far {
		lo = min(lo, far[i].Time)
		hi = max(hi, far[i].Time)
	}
	// Width: about two events per bucket at the density of the earliest
	// events (the next nearDensity of them, or more past a burst at one
	// instant: those the calendar serves first, and a better guide than
	// the earliest quarter, which is mostly events hours away when few
	// are near). Failing that (all at one instant), the density of the
	// earliest quarter, estimated from an evenly spaced sample
	// (deterministic).
	w := 0.0
	if n > 1 {
		q.sample = q.sample[:0]
		for i := range far {
			q.sample = append(q.sample, far[i].Time)
		}
		// Past a burst at lo (which no width separates), doubling m.
		for m := min(n-1, nearDensity); ; m = min(n-1, 2*m) {
			if t := nthSmallest(q.sample, m); t > lo || m == n-1 {
				w = 2 * (t - lo) / float64(m)
				break
			}
		}
	}
	if k := min(n, 64); !(w > 0) && k >= 4 {
		q.sample = q.sample[:0]
		for i := range k {
			q.sample = append(q.sample, far[i*n/k].Time)
		}
		slices.Sort(q.sample)
		w = 2 * (q.sample[k/4] - lo) / (0.25 * float64(n))
	}
	if !(w > 0) {
		w = 2 * (hi - lo) / float64(n)
	}
	if !(w > 0) || w != w || !(1/w < math.MaxFloat64) {
		w = 1 // (a width so small that 1/w overflows: events nanoseconds apart near 0)
	}
	nb := max(16, 2*n)
	if !(lo+float64(nb)*w > lo) {
		// At times this large the calendar cannot be spread (lo + nb·w
		// rounds to lo): move the earliest time to front and leave the
		// rest in far. Later pushes at lo go to far with larger sequence
		// numbers, so the order stays exact.
		q.nb, q.cur, q.base, q.end = 0, 0, lo, lo
		keep := far[:0]
		for _, x := range far {
			if x.Time == lo {
				q.front = append(q.front, x)
			} else {
				keep = append(keep, x)
			}
		}
		q.far = keep
		q.sortFront(0)
		return
	}
	q.bucket = resize(q.bucket, nb)
	q.nb, q.w, q.inv, q.base, q.cur = nb, w, 1/w, lo, 0
	q.end = lo + float64(nb)*w
	keep := far[:0]
	for _, x := range far {
		idx := nb
		if x.Time < q.end {
			idx = q.bucketOf(x.Time)
		}
		switch {
		case idx >= nb:
			keep = append(keep, x)
		case idx == 0:
			q.front = append(q.front, x)
		default:
			q.toBucket(idx, x)
		}
	}
	q.far = keep
	q.sortFront(0)
}

// resize returns s with length n, every element -1 (no slot).
func resize(s []int32, n int) []int32 {
	if cap(s) < n {
		s = make([]int32, n)
	}
	s = s[:n]
	for i := range s {
		s[i] = -1
	}
	return s
}

// nearDensity is how many of the earliest events set a new calendar's
// width.
const nearDensity = 32

// nthSmallest returns the k-th smallest of xs (0-based), reordering xs:
// Hoare's selection with a median-of-three pivot, O(len(xs)) expected.
func nthSmallest(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
