package sweep

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzLoad: any sweep file is loaded or refused with an error naming it,
// never a panic; a loaded one has points, every point a valid scenario,
// and loads again the same.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(gridSweep))
	f.Add([]byte(strings.Replace(gridSweep, "design: grid", "design: latin\npoints: 3", 1) + "  dispatch.delay: {min: 10s, max: 2m}\n"))
	f.Add([]byte("version: 1\nscenario: builtin:grid\nparams:\n  units[car].count: {min: 2, max: 9, steps: 3}\n"))
	f.Add([]byte(linkedSweep))
	f.Add([]byte("version: 1\nscenario: builtin:grid\ndesign: random\npoints: 4\nparams:\n  linked:\n  - {units[car].count: [4, 8], units[car].squad: [2, 1]}\n  - {duration: {min: 3d, max: 5d}, warmup: {min: 1d, max: 2d}}\n"))
	f.Add([]byte("desing: grid\n"))
	f.Add([]byte("params: &p {a: *p}\n"))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("steps")) || bytes.Contains(data, []byte("points")) && len(data) > 200 {
			// Large designs validate every point: slow, not wrong.
			return
		}
		s, err := load("sweep.yaml", data)
		if err != nil {
			if !strings.Contains(err.Error(), "sweep.yaml") {
				t.Fatalf("the message does not name the file: %v", err)
			}
			return
		}
		if len(s.Points) == 0 || s.Items() != len(s.Points)*s.Replications || s.Replications < 1 {
			t.Fatalf("%d points × %d replications = %d items", len(s.Points), s.Replications, s.Items())
		}
		if _, err := s.Point(len(s.Points) - 1); err != nil {
			t.Fatalf("the last point of a loaded sweep: %v", err)
		}
		again, err := load("sweep.yaml", data)
		if err != nil || again.Hash != s.Hash || len(again.Points) != len(s.Points) {
			t.Fatalf("loaded twice: %v", err)
		}
	})
}

// FuzzJournal: any bytes as a journal are scanned without a panic: either
// refused with a *JournalError, or the good prefix holds a header and
// whole item lines that scan again to the same items, and a journal cut
// anywhere after the header scans as a prefix of them (a torn tail).
func FuzzJournal(f *testing.F) {
	h := header{Sweep: "sha256:ab", Items: 4, Points: 2, Replications: 2, Shards: 1, Variants: []string{"a", "b"}, Metrics: []string{"m", "n"}}
	head, _ := json.Marshal(h)
	ok := string(head) + "\n0\t1,2\t3,NaN\n3\t+Inf,0\t1e-3,2\n"
	f.Add([]byte(ok))
	f.Add([]byte(ok[:len(ok)-5]))
	f.Add([]byte(ok + "garbage\n"))
	f.Add([]byte(string(head)[:20]))
	f.Add([]byte("\x00\x00\x00"))
	f.Add([]byte(string(head) + "\n9\t1,2\t3,4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var items []int
		good, hh, err := scanJournal(bytes.NewReader(data), "j.txt", func(h header, item int, line string, end int64) error {
			if item >= 0 {
				if !strings.HasSuffix(line, "\n") || end > int64(len(data)) {
					t.Fatalf("item %d: line %q ends at %d", item, line, end)
				}
				items = append(items, item)
			}
			return nil
		})
		if err != nil {
			if _, ok := err.(*JournalError); !ok {
				t.Fatalf("not a JournalError: %v", err)
			}
			return
		}
		if good < 0 || good > int64(len(data)) || (hh == nil && (good != 0 || len(items) > 0)) {
			t.Fatalf("good %d of %d, header %v, items %v", good, len(data), hh, items)
		}
		var again []int
		good2, _, err := scanJournal(bytes.NewReader(data[:good]), "j.txt", func(h header, item int, line string, end int64) error {
			if item >= 0 {
				again = append(again, item)
			}
			return nil
		})
		if err != nil || good2 != good || len(again) != len(items) {
			t.Fatalf("the good prefix scans to %d items (%v), good %d; want %d items, good %d", len(again), err, good2, len(items), good)
		}
	})
}
