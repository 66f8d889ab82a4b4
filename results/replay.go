package results

import (
	"fmt"
	"math"
	"strings"
)

// Replay describes where a run's incidents came from when they were
// replayed from a log rather than drawn: it heads the table and is the
// "incidents" block of results.json. A run of drawn incidents has none.
type Replay struct {
	// Header is the one-line description: "replayed from crime.csv (7,365
	// incidents, 2013-12-01 … 2013-12-31)", with what was left out.
	Header string
	File   string // the log, as the scenario names it
	Start  string // the run's time 0: the log's local time, "2006-01-02 15:04"
	End    string // the end of the window (Start + duration)
	// Rows of the log; Duplicates repeat an earlier row's id;
	// OutsideWindow and OutsideCity were left out; Incidents were played
	// (Rows − the three); Defaulted of them had a category mapped to no
	// type and were played as the default type.
	Rows, Duplicates, OutsideWindow, OutsideCity, Incidents, Defaulted int
	Unknown                                                            []CategoryJSON
	// Recorded compares the log's recorded response times with the
	// simulated ones; nil when the log records none.
	Recorded *RecordedResponse
}

// CategoryJSON is a category of the log and its count.
type CategoryJSON struct {
	Category string `json:"category"`
	Count    int    `json:"count"`
}

// RecordedResponse sets the response times a log records beside the
// simulated ones, over the same incidents: the replayed incidents with a
// recorded time that occur after the warm-up.
type RecordedResponse struct {
	Incidents int     // replayed incidents after the warm-up with a recorded response time
	MeanS     float64 // their recorded mean, seconds
	P90S      float64 // their recorded 90th percentile, seconds (nearest rank)
	// Simulated[v] is variant v's mean simulated response (call → first
	// unit on scene), seconds, over those of the incidents that were
	// realised and reached, with its 95% interval over replications.
	Simulated []Estimate
	// Reached[v] is the mean number of those incidents variant v realised
	// and reached in a replication (fewer than Incidents when presence
	// prevented or displaced some).
	Reached []float64
}

// RecordedNote is the caveat that goes with every recorded-versus-simulated
// comparison.
const RecordedNote = "recorded response times follow the force's own definition (often dispatch or entry → arrival, " +
	"with its own clock and rounding), simulated ones patrolsim's (call received → first unit on scene): compare with care"

// ReplayJSON is the "incidents" block of results.json for a replay.
type ReplayJSON struct {
	Source        string         `json:"source"` // "replay"
	Description   string         `json:"description"`
	File          string         `json:"file"`
	Start         string         `json:"start"`
	End           string         `json:"end"`
	Rows          int            `json:"rows"`
	Duplicates    int            `json:"duplicates"`
	OutsideWindow int            `json:"outside_window"`
	OutsideCity   int            `json:"outside_city"`
	Incidents     int            `json:"incidents"`
	Defaulted     int            `json:"defaulted"`
	Unknown       []CategoryJSON `json:"unknown_categories"`
	Recorded      *RecordedJSON  `json:"recorded_response,omitempty"`
}

// RecordedJSON is RecordedResponse in results.json; times in seconds.
type RecordedJSON struct {
	Incidents int                     `json:"incidents"`
	MeanS     *float64                `json:"recorded_mean_s"`
	P90S      *float64                `json:"recorded_p90_s"`
	Simulated map[string]EstimateJSON `json:"simulated_mean_s"`
	Reached   map[string]*float64     `json:"simulated_reached"`
	Note      string                  `json:"note"`
}

// document returns the "incidents" block, or nil for drawn incidents.
func (s *Summary) replayDocument() *ReplayJSON {
	r := s.Replay
	if r == nil {
		return nil
	}
	doc := &ReplayJSON{Source: "replay", Description: r.Header, File: r.File, Start: r.Start, End: r.End,
		Rows: r.Rows, Duplicates: r.Duplicates, OutsideWindow: r.OutsideWindow, OutsideCity: r.OutsideCity,
		Incidents: r.Incidents, Defaulted: r.Defaulted, Unknown: append([]CategoryJSON{}, r.Unknown...)}
	if rr := r.Recorded; rr != nil {
		rj := &RecordedJSON{Incidents: rr.Incidents, MeanS: num(rr.MeanS), P90S: num(rr.P90S),
			Simulated: map[string]EstimateJSON{}, Reached: map[string]*float64{}, Note: RecordedNote}
		for v := range s.Variants {
			if v < len(rr.Simulated) {
				e := rr.Simulated[v]
				rj.Simulated[s.Variants[v].Name] = EstimateJSON{num(e.Mean), num(e.Low), num(e.High)}
				rj.Reached[s.Variants[v].Name] = num(rr.Reached[v])
			}
		}
		doc.Recorded = rj
	}
	return doc
}

// writeReplay writes the recorded-versus-simulated lines of the table.
func (s *Summary) writeReplay(b *strings.Builder) {
	if s.Replay == nil || s.Replay.Recorded == nil {
		return
	}
	rr := s.Replay.Recorded
	b.WriteString("\n" + wrap(fmt.Sprintf("Recorded vs simulated response over the %d replayed incidents with a recorded time, after the warm-up "+
		"(simulated: mean ± 95%% interval over replications):", rr.Incidents), 100) + "\n")
	fmt.Fprintf(b, "  %-24s mean %s min, p90 %s min\n", "recorded (the log)", minutes(rr.MeanS), minutes(rr.P90S))
	for _, v := range s.Order() {
		if v >= len(rr.Simulated) {
			continue
		}
		e := rr.Simulated[v]
		ci := "–"
		if finite(e.Low) && finite(e.High) {
			ci = minutes((e.High - e.Low) / 2)
		}
		fmt.Fprintf(b, "  %-24s mean %s ± %s min (%.0f of them reached per replication)\n",
			clip(s.Variants[v].Name, 24), minutes(e.Mean), ci, rr.Reached[v])
	}
	b.WriteString(wrap("Note: "+RecordedNote+".", 100) + "\n")
}

func minutes(sec float64) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return "–"
	}
	return fmt.Sprintf("%.2f", sec/60)
}
