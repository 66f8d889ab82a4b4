package results

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/patrolsim/patrolsim/sim"
)

// TestCollectorFinish: Finish lets the response times go and changes no
// value and no detail. A collector is fed 2,000 calls of every priority
// (some never answered, some before the window); every metric's value and
// the details read before Finish equal, bit for bit, those read after, and
// after Finish the collector keeps no response time.
func TestCollectorFinish(t *testing.T) {
	cfg := testConfig(t)
	m, err := sim.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	feed := func(c *Collector) {
		r := rand.New(rand.NewPCG(19, 3)) // fixed seed
		nan := math.NaN()
		for i := range 2000 {
			call := r.Float64() * cfg.Duration
			arrive := call + 60 + r.ExpFloat64()*300
			if i%97 == 0 {
				arrive = nan // never answered
			}
			typ := r.IntN(len(cfg.Incidents.Types))
			c.Incident(&sim.IncidentRecord{ID: i, Type: typ, Priority: cfg.Incidents.Types[typ].Priority, Atom: r.IntN(len(cfg.City.Atoms)),
				Needed: 1, Occur: call, Call: call, Ready: call + 30, Dispatch: call + 40, Arrive: arrive, Full: arrive, Clear: arrive + 600})
		}
		c.OnDuty(0, 0, cfg.Duration)
		c.Busy(0, 0, cfg.Duration/3)
	}
	ms := RunMetrics(cfg, []sim.Variant{{Model: m}})
	kept, finished := NewCollector(m), NewCollector(m)
	feed(kept)
	feed(finished)
	finished.Finish()
	for q := range finished.resp {
		if finished.resp[q] != nil {
			t.Errorf("after Finish: %d response times of priority %d kept, want none", len(finished.resp[q]), q)
		}
	}
	a, b := kept.ValuesFor(ms), finished.ValuesFor(ms)
	for i := range ms {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Errorf("%s: %v before Finish, %v after", ms[i].Name, a[i], b[i])
		}
	}
	if da, db := kept.Details(), finished.Details(); !reflect.DeepEqual(da.RespHist, db.RespHist) || da.Unanswered != db.Unanswered {
		t.Errorf("details differ after Finish: histograms %v, %v; unanswered %v, %v", da.RespHist, db.RespHist, da.Unanswered, db.Unanswered)
	}
}
