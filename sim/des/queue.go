package des

import (
	"math"
	"math/bits"
	"slices"
)

// queue is a monotone priority queue of events ordered by (Time, seq): a
// calendar of time buckets in front of a short sorted run, after Brown's
// calendar queue (CACM 31(10), 1988) and the ladder queue of Tang, Goh and
// Thng (ACM TOMACS 15(3), 2005), simplified.
//
// Time is cut into buckets of width w seconds from base: the bucket of
// time t is int((t − base)/w), its absolute index, a monotone function of
// t. cur is the absolute index of the current bucket.
//
//   - front[head:] holds every event of bucket cur or earlier, sorted (the
//     ladder queue's bottom);
//   - the calendar holds the events of buckets cur+1 … stop−1: nb
//     buckets (a power of two) used as a ring, absolute bucket a in ring
//     bucket a mod nb, each a list (bucket[a mod nb], then link) through
//     a pool of slots, so that a push writes into a slot freed moments ago
//     rather than into a cold array; a list is kept in order, latest
//     first, which costs a push one comparison of times when the new
//     event is the latest of its bucket (usually: it is the latest of any
//     pending at its time); a bitmap marks the non-empty buckets, so that
//     the next one is found a word of 64 at a time;
//   - far holds the later events (bucket stop or after), unsorted.
//
// Because bucket indices are a monotone function of time, every event in
// front precedes every event in a later bucket, which precedes every event
// in far. When front runs dry the next non-empty bucket becomes the
// current one, its list copied into front backwards. stop is cur+nb as of the last
// sweep of far, and stays there until cur reaches sweepAt, halfway: then
// far is swept again, its events of buckets before the new stop moving to
// the calendar. An event is thus handled O(1) times for every nb/2 buckets
// it waits: the calendar, of at least 4 buckets a pending event, spans
// several mean holds, and far keeps only the events much later than most
// (shift ends, say), swept a few times each.
//
// A calendar is fitted when the calendar runs empty (everything in far) or
// its density is off: at a sweep, when the buckets just passed held more
// than 4 events each or fewer than one in 16 (or the queue outgrew the
// calendar), every pending event is re-spread over a calendar whose width
// is fitted to the density of the earliest events. Pop is O(1); push is
// O(1) amortized on well-spread event times, and an event for the current
// bucket is inserted in order, from the back (a bucket holds a few
// events). Events are never compared by anything but (Time, seq), so the
// order is exact and deterministic.
//
// When front holds more than frontLimit events (a calendar fitted when
// events were sparse, at night, say, and a busy time follows) the whole
// queue is re-spread at once, unless they are a burst at one instant
// (which no calendar separates: see overflow); a front still large after
// that raises the limit until it drains.
type queue struct {
	front   []Event
	head    int      // front[:head] have popped
	bucket  []int32  // first slot of each ring bucket's list, -1 if empty
	bits    []uint64 // bit i set iff ring bucket i is non-empty
	slot    []Event  // the pool: the calendar's events …
	link    []int32  // … each slot's next in its bucket, or in the free list
	free    int32    // first free slot, -1 if none
	far     []Event
	nb      int // buckets in the ring, a power of two; 0: no calendar
	mask    int // nb − 1
	cur     int // absolute index of the current bucket
	stop    int // first absolute bucket kept in far
	sweepAt int // far is swept before cur passes this bucket
	swept   int // cur at the last sweep
	taken   int // events taken from the calendar since the last sweep
	base, w float64
	inv     float64 // 1/w: an event's bucket is int((t − base)·inv)
	end     float64 // events at or after end go to far unlooked at (their bucket is ≥ stop)
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
	q.bucket, q.bits = q.bucket[:0], q.bits[:0]
	q.slot, q.link, q.free = q.slot[:0], q.link[:0], -1
	q.far = q.far[:0]
	q.nb, q.mask, q.cur, q.stop, q.sweepAt, q.swept, q.taken = 0, 0, 0, 0, 0, 0, 0
	q.base, q.w, q.inv, q.end, q.n = 0, 1, 1, 0, 0
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

// push adds x, scheduled at time now; it panics (badTime) if x is before
// now or at +Inf or NaN, and normalises a time of −0 to 0.
func (q *queue) push(x Event, now float64) {
	if !(x.Time >= now) || x.Time > math.MaxFloat64 {
		badTime(x.Time, now)
	}
	x.Time += 0 // (t + 0 is t, but +0 for −0)
	q.n++
	if x.Time < q.end {
		a := q.bucketOf(x.Time)
		if a > q.cur && a < q.stop { // the calendar (toBucket, inlined)
			s := q.free
			if s < 0 {
				s = q.grow()
			}
			q.free = q.link[s]
			q.slot[s] = x
			b := a & q.mask
			// x comes after every pending event of its time (a later
			// sequence number): it heads the list, latest first, unless
			// the head is later.
			if h := q.bucket[b]; h < 0 || x.Time >= q.slot[h].Time {
				q.link[s] = h
				q.bucket[b] = s
				q.bits[b>>6] |= 1 << (b & 63)
				return
			}
			q.insertAfter(q.bucket[b], s)
			return
		}
		if a <= q.cur {
			q.insert(x)
			if q.waiting() > q.limit {
				q.overflow()
			}
			return
		}
	}
	q.far = append(q.far, x)
}

// bucketOf is the absolute bucket of time t: int((t − base)·inv), a
// monotone function of t (a multiplication rather than a division by w: it
// is only ever compared with other buckets of the same calendar, so it
// needs to be monotone, not exact); push, sweep and rebuild all use it.
// t must be below end (no overflow).
func (q *queue) bucketOf(t float64) int { return int((t - q.base) * q.inv) }

// toBucket adds x to the calendar's bucket a (cur < a < stop).
func (q *queue) toBucket(a int, x Event) {
	s := q.free
	if s < 0 {
		s = q.grow()
	}
	q.free = q.link[s]
	q.slot[s] = x
	b := a & q.mask
	if h := q.bucket[b]; h < 0 || !less(&x, &q.slot[h]) {
		q.link[s] = h
		q.bucket[b] = s
		q.bits[b>>6] |= 1 << (b & 63)
		return
	}
	q.insertAfter(q.bucket[b], s)
}

// insertAfter puts slot s into the list that follows slot p, in order,
// latest first: after p and every event later than s's.
func (q *queue) insertAfter(p, s int32) {
	x := &q.slot[s]
	for {
		next := q.link[p]
		if next < 0 || !less(x, &q.slot[next]) {
			q.link[s] = next
			q.link[p] = s
			return
		}
		p = next
	}
}

// grow adds a slot to the pool and returns it, the free list's only one.
func (q *queue) grow() int32 {
	q.slot = append(q.slot, Event{})
	q.link = append(q.link, -1)
	q.free = int32(len(q.slot) - 1)
	return q.free
}

// emptyBucket appends ring bucket b's events to dst, earliest first, frees
// their slots, and returns dst.
func (q *queue) emptyBucket(dst []Event, b int) []Event {
	k := 0
	for s := q.bucket[b]; s >= 0; s = q.link[s] {
		k++
	}
	n := len(dst)
	dst = slices.Grow(dst, k)[:n+k]
	i := n + k
	s := q.bucket[b]
	for s >= 0 {
		i--
		dst[i] = q.slot[s]
		next := q.link[s]
		q.link[s] = q.free
		q.free = s
		s = next
	}
	q.bucket[b] = -1
	q.bits[b>>6] &^= 1 << (b & 63)
	return dst
}

// nextFull returns the absolute index of the calendar's first non-empty
// bucket (after cur) and true, or false if the calendar is empty.
func (q *queue) nextFull() (int, bool) {
	first := q.cur + 1
	i := first & q.mask
	w := i >> 6
	if word := q.bits[w] >> (i & 63); word != 0 {
		return first + bits.TrailingZeros64(word), true
	}
	last := len(q.bits) - 1 // a power of two less one
	for k := 1; k <= len(q.bits); k++ {
		j := (w + k) & last
		if word := q.bits[j]; word != 0 {
			return first + (j<<6+bits.TrailingZeros64(word)-i)&q.mask, true
		}
	}
	return 0, false
}

// fill makes front non-empty; front must be empty and q.n > 0.
func (q *queue) fill() {
	if q.limit > frontLimit { // front, above frontLimit, has drained
		q.limit = frontLimit
	}
	for q.head == len(q.front) {
		q.front, q.head = q.front[:0], 0
		if q.nb == 0 {
			q.rebuild()
			continue
		}
		// The next non-empty bucket: in the current word of the bitmap
		// (most often), or nextFull's search.
		first := q.cur + 1
		i := first & q.mask
		a := first
		if word := q.bits[i>>6] >> (i & 63); word != 0 {
			a += bits.TrailingZeros64(word)
		} else {
			var ok bool
			if a, ok = q.nextFull(); !ok {
				q.rebuild()
				continue
			}
		}
		if a >= q.sweepAt {
			q.sweep(a - 1)
			continue
		}
		q.cur = a
		b := a & q.mask
		s := q.bucket[b]
		if q.link[s] < 0 { // one event: nothing to sort
			q.front = q.front[:1] // (its capacity is at least 64: init)
			q.front[0] = q.slot[s]
			q.link[s], q.free, q.bucket[b] = q.free, s, -1
			q.bits[b>>6] &^= 1 << (b & 63)
			q.taken++
			continue
		}
		q.front = q.emptyBucket(q.front, b)
		q.taken += len(q.front)
		if q.waiting() > q.limit {
			q.overflow()
		}
	}
}

// sweep makes c (≥ cur, with no event in buckets cur+1 … c) the current
// bucket and moves far's events of buckets before c+nb to the calendar;
// or, if the calendar's density is off, re-spreads the queue.
func (q *queue) sweep(c int) {
	if d := c - q.swept; q.taken > 4*d || 16*q.taken < d || q.n > q.nb {
		q.respread()
		return
	}
	q.cur, q.swept, q.taken = c, c, 0
	q.stop, q.sweepAt = c+q.nb, c+q.nb/2
	q.end = q.base + float64(c+2*q.nb)*q.w
	if !(q.bucketOf(q.end) >= q.stop) {
		// Rounded so that an event after end could be in a bucket
		// before stop (push sends it to far unlooked at): times too
		// large for this width.
		q.respread()
		return
	}
	keep := q.far[:0]
	for _, x := range q.far {
		if x.Time < q.end {
			if a := q.bucketOf(x.Time); a < q.stop {
				if a > q.cur {
					q.toBucket(a, x)
				} else { // (never: far's buckets are past the old stop)
					q.insert(x)
				}
				continue
			}
		}
		keep = append(keep, x)
	}
	q.far = keep
}

// overflow handles a front above the limit: it re-spreads the queue,
// unless more than frontLimit of front's events are at its first or its
// last instant (a burst, which no calendar separates), and then raises the
// limit to twice front's size (it falls back once front has drained:
// fill).
func (q *queue) overflow() {
	f := q.front[q.head:]
	if f[frontLimit].Time == f[0].Time || f[len(f)-1-frontLimit].Time == f[len(f)-1].Time {
		q.limit = 2 * len(f)
		return
	}
	q.respread()
}

// respread moves every pending event to far and spreads them over a new
// calendar. If front is still above the limit (events at one instant,
// which no calendar separates), the limit rises to twice its size, and
// falls back once front has drained (fill).
func (q *queue) respread() {
	q.far = append(q.far, q.front[q.head:]...)
	q.front, q.head = q.front[:0], 0
	for j, word := range q.bits {
		for word != 0 {
			q.far = q.emptyBucket(q.far, j<<6+bits.TrailingZeros64(word))
			word &= word - 1
		}
	}
	q.rebuild()
	if q.waiting() > frontLimit {
		q.limit = 2 * q.waiting()
	}
}

// min returns the earliest event; q.n must be > 0.
func (q *queue) min() *Event {
	if q.head == len(q.front) {
		q.fill()
	}
	return &q.front[q.head]
}

// rebuild spreads far over a new calendar starting at its earliest event;
// front and the calendar must be empty.
func (q *queue) rebuild() {
	far := q.far
	n := len(far)
	lo, hi := far[0].Time, far[0].Time
	for i := range far {
		lo = min(lo, far[i].Time)
		hi = max(hi, far[i].Time)
	}
	// Width: about perBucket events per bucket at the density of the
	// earliest events (the next nearDensity of them, or more past a burst
	// at one instant: those the calendar serves first, and a better guide
	// than the earliest quarter, which is mostly events hours away when
	// few are near). Failing that (all at one instant), the density of the
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
				w = perBucket * (t - lo) / float64(m)
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
		w = perBucket * (q.sample[k/4] - lo) / (0.25 * float64(n))
	}
	if !(w > 0) {
		w = perBucket * (hi - lo) / float64(n)
	}
	if !(w > 0) || w != w || !(1/w < math.MaxFloat64) {
		w = 1 // (a width so small that 1/w overflows: events nanoseconds apart near 0)
	}
	nb := 64
	for nb < bucketsPerEvent*n {
		nb *= 2
	}
	if end := lo + float64(2*nb)*w; !(int((end-lo)*(1/w)) >= nb) {
		// At times this large the calendar cannot be spread (lo + 2nb·w
		// rounds to within nb buckets of lo, see sweep): move the earliest
		// time to front and leave the rest in far. Later pushes at lo go
		// to far with larger sequence numbers, so the order stays exact.
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
	if cap(q.bits) < nb/64 {
		q.bits = make([]uint64, nb/64)
	}
	q.bits = q.bits[:nb/64]
	clear(q.bits)
	q.nb, q.mask, q.w, q.inv, q.base = nb, nb-1, w, 1/w, lo
	q.cur, q.swept, q.taken, q.stop, q.sweepAt = 0, 0, 0, nb, nb/2
	q.end = lo + float64(2*nb)*w
	keep := far[:0]
	for _, x := range far {
		a := nb
		if x.Time < q.end {
			a = q.bucketOf(x.Time)
		}
		switch {
		case a >= nb:
			keep = append(keep, x)
		case a <= 0:
			q.front = append(q.front, x)
		default:
			q.toBucket(a, x)
		}
	}
	q.far = keep
	q.sortFront(0)
}

// perBucket is how many events a calendar's bucket is fitted to hold, at
// the density of the earliest events; bucketsPerEvent is how many buckets
// it has for every pending event (at least). In a replay of the default
// scenario's queue (376 events pending on average) 2 or 4 events a bucket
// took 1–3% more instructions; 8 buckets an event 1% fewer, for twice the
// memory (16 KiB of list heads).
const (
	perBucket       = 1
	bucketsPerEvent = 4
)

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
