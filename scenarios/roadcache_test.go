package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// roadsDoc is the small TIGER city of TestRoadTravel with zones of zoneM.
func roadsDoc(zoneM string) []byte {
	return []byte(doc("city: {areas: city/areas.geojson}", "travel: {model: road, roads: city/roads.geojson, speeds: {S1200: 60}, zone_m: "+zoneM+"}"))
}

// TestRoadCacheOnDisk: with PATROLSIM_CACHE set to a folder, the first
// load builds the road table and writes it there, a load by a fresh
// process (the process's cache forgotten) reads it back, with travel
// times bit for bit the built table's; an entry damaged, of another
// version or of another key is refused and replaced by a table built
// afresh; PATROLSIM_CACHE=off writes nothing.
func TestRoadCacheOnDisk(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(RoadCacheEnv, dir)
	load := func(zoneM string) *Scenario {
		t.Helper()
		ForgetRoadTables()
		s, err := Load("roads.yaml", roadsDoc(zoneM), os.DirFS("testdata"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	entries := func() []string {
		t.Helper()
		m, err := filepath.Glob(filepath.Join(dir, "roads-*.table"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// step loads and checks where the table came from.
	step := func(name, zoneM string, want RoadCacheStats) *Scenario {
		t.Helper()
		before := RoadCache()
		s := load(zoneM)
		got := RoadCache().since(before)
		if got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
		return s
	}
	built := step("first load", "200", RoadCacheStats{Built: 1})
	files := entries()
	if len(files) != 1 {
		t.Fatalf("entries %v, want one", files)
	}
	entry := files[0]
	read := step("fresh process", "200", RoadCacheStats{Disk: 1})
	a, b := built.Config.Travel.Roads, read.Config.Travel.Roads
	if a == b {
		t.Fatal("the same table: not read from disk")
	}
	for i := range built.Config.City.Atoms {
		for j := range built.Config.City.Atoms {
			p, q := built.Config.City.Atoms[i].Centroid, built.Config.City.Atoms[j].Centroid
			if x, y := a.Time(p, q), b.Time(p, q); x != y {
				t.Errorf("areas %d → %d: %v s built, %v s read from disk", i, j, x, y)
			}
		}
	}
	good, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	reseal := func(body []byte) []byte {
		return append(bytes.Clone(body), geo.RoadTableSum(body)...)
	}
	body := good[:len(good)-geo.RoadTableSumSize]
	flipped := bytes.Clone(good)
	flipped[len(flipped)/3] ^= 1
	stale := bytes.Clone(body)
	binary.LittleEndian.PutUint32(stale[8:], geo.RoadTableVersion+1) // after the 8-byte magic
	// Another scenario's entry (zones of 300 m) under this one's name.
	step("zones of 300 m", "300", RoadCacheStats{Built: 1})
	var other []byte
	for _, f := range entries() {
		if f != entry {
			if other, err = os.ReadFile(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	if other == nil {
		t.Fatal("no entry for zones of 300 m")
	}
	for _, k := range []struct {
		name string
		data []byte
	}{
		{"a byte flipped", flipped},
		{"cut short", good[:len(good)/2]},
		{"another version", reseal(stale)},
		{"another key", other},
		{"empty", nil},
	} {
		if err := os.WriteFile(entry, k.data, 0o644); err != nil {
			t.Fatal(err)
		}
		step(k.name, "200", RoadCacheStats{Built: 1, Refused: 1})
		// The entry is replaced by a good one.
		after, err := os.ReadFile(entry)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(after, good) {
			t.Errorf("%s: the entry was not replaced by the table built", k.name)
		}
	}

	t.Setenv(RoadCacheEnv, "off")
	n := len(entries())
	step("cache off", "250", RoadCacheStats{Built: 1})
	if len(entries()) != n {
		t.Error("PATROLSIM_CACHE=off wrote an entry")
	}
}

// TestRoadCacheMapped: a table read from the disk cache (mapped where
// inputs.MapFile maps: TestMapFileMaps) stays whole when its entry is
// removed; a later read of the same key, its table gone from the
// process's cache, decodes the same bytes again, with the same travel
// times, even after the file is gone; a process that forgot its tables (a
// new one) builds the table again. Entries of more than roadCacheMaps keys
// are read, not mapped.
func TestRoadCacheMapped(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(RoadCacheEnv, dir)
	load := func(name, zoneM string, want RoadCacheStats) *Scenario {
		t.Helper()
		before := RoadCache()
		s, err := Load("roads.yaml", roadsDoc(zoneM), os.DirFS("testdata"))
		if err != nil {
			t.Fatal(err)
		}
		got := RoadCache().since(before)
		if got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
		return s
	}
	same := func(name string, a, b *Scenario) {
		t.Helper()
		for i := range a.Config.City.Atoms {
			for j := range a.Config.City.Atoms {
				p, q := a.Config.City.Atoms[i].Centroid, a.Config.City.Atoms[j].Centroid
				if x, y := a.Config.Travel.Roads.Time(p, q), b.Config.Travel.Roads.Time(p, q); x != y {
					t.Fatalf("%s: areas %d → %d: %v s built, %v s", name, i, j, x, y)
				}
			}
		}
	}
	ForgetRoadTables()
	built := load("first load", "200", RoadCacheStats{Built: 1})
	ForgetRoadTables()
	read := load("fresh process", "200", RoadCacheStats{Disk: 1})
	files, err := filepath.Glob(filepath.Join(dir, "roads-*.table"))
	if err != nil || len(files) != 1 {
		t.Fatalf("entries %v (%v), want one", files, err)
	}
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}
	same("read, then its entry removed", built, read)
	// Two other tables push it out of the process's cache (roadCacheSize).
	load("zones of 300 m", "300", RoadCacheStats{Built: 1})
	load("zones of 250 m", "250", RoadCacheStats{Built: 1})
	again := load("read again, its entry removed", "200", RoadCacheStats{Disk: 1})
	if again.Config.Travel.Roads == read.Config.Travel.Roads {
		t.Fatal("the same table: not decoded again")
	}
	same("decoded again from the mapping", built, again)
	ForgetRoadTables()
	load("new process, entry removed", "200", RoadCacheStats{Built: 1})

	// More keys than roadCacheMaps, each read back from disk once its
	// table has left the process's cache (emptied here, its mappings
	// kept): the first roadCacheMaps are mapped, the rest read.
	ForgetRoadTables()
	for k := range roadCacheMaps + 2 {
		z := strconv.Itoa(400 + 10*k)
		load("zones of "+z+" m", z, RoadCacheStats{Built: 1})
		roadCache.Lock()
		roadCache.keys = [roadCacheSize][sha256.Size]byte{}
		roadCache.tables = [roadCacheSize]*geo.RoadTable{}
		roadCache.Unlock()
		load("zones of "+z+" m, again", z, RoadCacheStats{Disk: 1})
	}
	roadCache.Lock()
	n := len(roadCache.mapped)
	roadCache.Unlock()
	if n > roadCacheMaps {
		t.Errorf("%d entries mapped, want at most %d", n, roadCacheMaps)
	}
}

// since returns the counts of s less those of before: where the loads in
// between found their tables.
func (s RoadCacheStats) since(before RoadCacheStats) RoadCacheStats {
	return RoadCacheStats{Memory: s.Memory - before.Memory, Disk: s.Disk - before.Disk, Built: s.Built - before.Built, Refused: s.Refused - before.Refused}
}
