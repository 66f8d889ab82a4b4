package des

import "slices"

// queue is a monotone priority queue of events ordered by (Time, seq): a
// calendar of time buckets in front of a small binary heap, after Brown's
// calendar queue (CACM 31(10), 1988) and the ladder queue of Tang, Goh and
// Thng (ACM TOMACS 15(3), 2005), simplified.
//
//   - heap holds every event in the current bucket, as a binary heap;
//   - buckets[cur+1 .. nb-1] hold later events, unsorted, each bucket
//     covering width w seconds from base;
//   - far holds events at or after end = base + nb*w, unsorted.
//
// Because bucket indices are a monotone function of time, every event in the
// heap precedes every event in a later bucket, which precedes every event in
// far. When the heap runs dry the next non-empty bucket is heapified; when the
// buckets run out, far is re-spread over a new calendar whose width is fitted
// to the density of its earliest quarter. Push and pop are O(1) amortized on
// well-spread event times; the worst case (all events in one bucket) is the
// binary heap's O(log n). Events are never compared by anything but
// (Time, seq), so the order is exact and deterministic.
type queue struct {
	heap    []Event
	buckets [][]Event
	far     []Event
	cur, nb int
	base, w float64
	end     float64
	n       int
	sample  []float64
}

func (q *queue) init(sizeHint int) {
	q.heap = make([]Event, 0, 64)
	q.far = make([]Event, 0, sizeHint)
	q.w = 1
}

func (q *queue) reset() {
	q.heap = q.heap[:0]
	for i := range q.buckets {
		q.buckets[i] = q.buckets[i][:0]
	}
	q.far = q.far[:0]
	q.cur, q.nb, q.base, q.w, q.end, q.n = 0, 0, 0, 1, 0, 0
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
	idx := int((x.Time - q.base) / q.w)
	switch {
	case idx <= q.cur:
		q.heapPush(x)
	case idx >= q.nb:
		q.far = append(q.far, x)
	default:
		q.buckets[idx] = append(q.buckets[idx], x)
	}
}

// fill makes the heap non-empty; q.n must be > 0.
func (q *queue) fill() {
	for len(q.heap) == 0 {
		q.cur++
		if q.cur >= q.nb {
			q.rebuild()
			continue
		}
		b := q.buckets[q.cur]
		for _, x := range b {
			q.heapPush(x)
		}
		q.buckets[q.cur] = b[:0]
	}
}

// min returns the earliest event; q.n must be > 0.
func (q *queue) min() *Event {
	q.fill()
	return &q.heap[0]
}

// pop removes and returns the earliest event; q.n must be > 0.
func (q *queue) pop() Event {
	q.fill()
	q.n--
	return q.heapPop()
}

// rebuild spreads far over a new calendar starting at its earliest event.
func (q *queue) rebuild() {
	far := q.far
	n := len(far)
	lo, hi := far[0].Time, far[0].Time
	for i := range far {
		lo = min(lo, far[i].Time)
		hi = max(hi, far[i].Time)
	}
	// Width: about two events per bucket at the density of the earliest
	// quarter, estimated from an evenly spaced sample (deterministic).
	k := min(n, 64)
	q.sample = q.sample[:0]
	for i := range k {
		q.sample = append(q.sample, far[i*n/k].Time)
	}
	slices.Sort(q.sample)
	w := 0.0
	if k >= 4 {
		w = 2 * (q.sample[k/4] - lo) / (0.25 * float64(n))
	}
	if !(w > 0) {
		w = 2 * (hi - lo) / float64(n)
	}
	if !(w > 0) || w != w {
		w = 1
	}
	nb := max(16, n/2)
	if !(lo+float64(nb)*w > lo) {
		// At times this large the calendar cannot be spread (lo + nb·w
		// rounds to lo): move the earliest time to the heap and leave the
		// rest in far. Later pushes at lo go to far with larger sequence
		// numbers, so the order stays exact.
		q.nb, q.cur, q.base, q.end = 0, 0, lo, lo
		keep := far[:0]
		for _, x := range far {
			if x.Time == lo {
				q.heapPush(x)
			} else {
				keep = append(keep, x)
			}
		}
		q.far = keep
		return
	}
	if cap(q.buckets) < nb {
		q.buckets = append(q.buckets[:cap(q.buckets)], make([][]Event, nb-cap(q.buckets))...)
	}
	q.buckets = q.buckets[:nb]
	q.nb, q.w, q.base, q.cur = nb, w, lo, 0
	q.end = lo + float64(nb)*w
	keep := far[:0]
	for _, x := range far {
		idx := nb
		if x.Time < q.end {
			idx = int((x.Time - lo) / w)
		}
		switch {
		case idx >= nb:
			keep = append(keep, x)
		case idx == 0:
			q.heapPush(x)
		default:
			q.buckets[idx] = append(q.buckets[idx], x)
		}
	}
	q.far = keep
}

func (q *queue) heapPush(x Event) {
	q.heap = append(q.heap, x)
	h := q.heap
	j := len(h) - 1
	for j > 0 {
		i := (j - 1) / 2
		if !less(&x, &h[i]) {
			break
		}
		h[j] = h[i]
		j = i
	}
	h[j] = x
}

func (q *queue) heapPop() Event {
	h := q.heap
	top := h[0]
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	q.heap = h
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && less(&h[r], &h[l]) {
			j = r
		}
		if !less(&h[j], &x) {
			break
		}
		h[i] = h[j]
		i = j
	}
	if n > 0 {
		h[i] = x
	}
	return top
}
