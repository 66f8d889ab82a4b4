package sim

// incStore holds a run's candidates and their incidents by id, in pages of
// pageSize consecutive ids. A page is made when its first id is stored and
// given back (to be reused by a later page) once every id in it has been
// stored and finished (done): suppressed, cleared, or lost. So a run holds
// the pages of the incidents in flight, not every incident of the run: its
// memory is bounded by what is open (and the ids that share a page with
// it), whatever the run's length.
//
// Ids are not stored in order: Generate's candidates take 0 … nBase−1 as
// they occur, those a run adds (displaced, near-repeat) nBase, nBase+1, …
// as they are made. Cost: O(1) a lookup (a shift and two indexings),
// O(pageSize) to make a page, amortised O(1) an id.
type incStore struct {
	pages []*incPage // by page number; nil before it is made and after it is given back
	spare []*incPage // pages given back, for reuse
	live  int        // pages held
	peak  int        // most pages held at once
}

const (
	pageBits = 9
	pageSize = 1 << pageBits
)

type incPage struct {
	cands  [pageSize]Candidate
	inc    [pageSize]incidentRun
	stored int // ids of the page stored so far
	done   int // of those, finished
}

// reset empties s for a new run, keeping its pages as spares.
func (s *incStore) reset() {
	for p, pg := range s.pages {
		if pg != nil {
			s.spare = append(s.spare, pg)
			s.pages[p] = nil
		}
	}
	s.pages = s.pages[:0]
	s.live, s.peak = 0, 0
}

// put stores candidate c as id i, with a zero incident.
func (s *incStore) put(i int, c Candidate) {
	p := i >> pageBits
	for len(s.pages) <= p {
		s.pages = append(s.pages, nil)
	}
	pg := s.pages[p]
	if pg == nil {
		if n := len(s.spare); n > 0 {
			pg, s.spare = s.spare[n-1], s.spare[:n-1]
		} else {
			pg = new(incPage)
		}
		// Every slot zero (a reused page holds a former run's), so that
		// each sees the ids not stored yet as empty.
		clear(pg.cands[:])
		for k := range pg.inc {
			resetIncident(&pg.inc[k])
		}
		pg.stored, pg.done = 0, 0
		s.pages[p] = pg
		s.live++
		s.peak = max(s.peak, s.live)
	}
	k := i & (pageSize - 1)
	pg.cands[k] = c
	pg.stored++
}

// cand returns candidate i, which must be stored and not finished.
func (s *incStore) cand(i int) *Candidate { return &s.pages[i>>pageBits].cands[i&(pageSize-1)] }

// inc returns incident i, which must be stored and not finished.
func (s *incStore) inc(i int) *incidentRun { return &s.pages[i>>pageBits].inc[i&(pageSize-1)] }

// incIf returns incident i, or nil if its page has been given back (a
// stale event of a finished incident).
func (s *incStore) incIf(i int) *incidentRun {
	if p := i >> pageBits; p < len(s.pages) && s.pages[p] != nil {
		return &s.pages[p].inc[i&(pageSize-1)]
	}
	return nil
}

// done records that incident i is finished: nothing reads it again but a
// stale event (incIf). Its page is given back when all of its ids are.
func (s *incStore) done(i int) {
	p := i >> pageBits
	pg := s.pages[p]
	pg.done++
	if pg.done == pageSize {
		s.pages[p] = nil
		s.spare = append(s.spare, pg)
		s.live--
	}
}

// each calls f for every incident whose page is held, by id (those not
// stored yet are zero).
func (s *incStore) each(f func(i int, ir *incidentRun)) {
	for p, pg := range s.pages {
		if pg == nil {
			continue
		}
		for k := range pageSize {
			f(p<<pageBits+k, &pg.inc[k])
		}
	}
}
