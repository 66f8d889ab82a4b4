package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// roadCacheSize is how many road tables the process keeps: a sweep or the
// what-if page loads the same scenario again and again, and reading a road
// network and building its table costs a few tenths of a second (San
// Francisco: 0.1 s and 0.3 s) and tens of MB.
const roadCacheSize = 2

// RoadCacheEnv is the environment variable that places the on-disk cache
// of road tables: a folder, or "off" for none. Unset (or empty), the cache
// is the folder patrolsim in the user's cache folder (os.UserCacheDir:
// $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS) — except
// in test binaries, which use no disk cache unless this variable names one,
// so that tests never write outside their own folders.
const RoadCacheEnv = "PATROLSIM_CACHE"

// roadCacheFiles is how many tables the disk cache keeps; the least
// recently used beyond that are removed when a new one is written.
const roadCacheFiles = 8

// roadCacheMaps is how many disk entries a process maps (see mapped).
const roadCacheMaps = roadCacheFiles

var roadCache struct {
	sync.Mutex
	keys   [roadCacheSize][sha256.Size]byte
	tables [roadCacheSize]*geo.RoadTable
	next   int // the slot to replace next
	// mapped holds, by key, the disk entries mapped into memory
	// (inputs.MapFile) whose tables were decoded from them: the tables
	// alias their bytes, so a mapping is never unmapped, and a key read
	// from disk again reuses its mapping rather than mapping the entry
	// once more. At most roadCacheMaps keys are mapped in a process's
	// life; entries of more keys are read into memory the collector
	// frees (as they all were before), so that a long-lived process
	// (patrolsim serve) loading many road files keeps a bounded address
	// space, and the disk space of at most that many removed entries.
	mapped map[[sha256.Size]byte][]byte

	stats RoadCacheStats
}

// RoadCacheStats counts where the road tables the process asked for came
// from (for tests and benchmarks).
type RoadCacheStats struct {
	Memory, Disk, Built int // served by the process's cache, read from disk, built
	Refused             int // disk entries found but damaged, cut or stale (then rebuilt and replaced)
}

// RoadCache returns the road-table cache's counts so far.
func RoadCache() RoadCacheStats {
	roadCache.Lock()
	defer roadCache.Unlock()
	return roadCache.stats
}

// ForgetRoadTables empties the process's cache of road tables (not the
// disk's): the next load reads its table from disk or builds it, as a new
// process would.
func ForgetRoadTables() {
	roadCache.Lock()
	defer roadCache.Unlock()
	roadCache.keys = [roadCacheSize][sha256.Size]byte{}
	roadCache.tables = [roadCacheSize]*geo.RoadTable{}
	// The mappings are forgotten, not unmapped (tables made from them may
	// be in use): the next read maps its entry as a new process would.
	roadCache.mapped = nil
}

// buildStamp is the binary's module version and VCS revision (as Go
// stamps them), part of every road table's key: a table built by another
// build of patrolsim, whose reading or building may differ, is not reused
// even if geo.RoadTableVersion was not raised. Empty where Go stamps
// nothing (go test, go run): there the version number alone guards.
var buildStamp = func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	stamp := bi.Main.Version
	for _, kv := range bi.Settings {
		if kv.Key == "vcs.revision" || kv.Key == "vcs.modified" {
			stamp += " " + kv.Key + "=" + kv.Value
		}
	}
	return stamp
}()

// roadCacheDir returns the disk cache's folder, or "" for none.
func roadCacheDir() string {
	switch v := os.Getenv(RoadCacheEnv); {
	case v == "off":
		return ""
	case v != "":
		return v
	case testing.Testing():
		return ""
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "patrolsim")
}

// cachedRoadTable returns the road table of the road file data with the
// given speeds and zone size in a city of projection proj and box bound,
// from the process's cache, else from the disk cache, else built by build
// (and then, if it takes at most limit bytes, built now and written to the
// disk cache). A table is read-only once built, so scenarios may share it.
//
// The key is the SHA-256 of the road file's bytes, every setting the
// table depends on and the binary's build stamp; the disk entry (DIR/roads-KEY.table) holds the key, the
// table's format version (geo.RoadTableVersion) and a checksum, and one that
// is damaged, cut, of another version or of another key is never used: the
// table is built and the entry replaced. Failing to read or write the disk
// cache is not an error (the table is built, or not kept).
func cachedRoadTable(data []byte, speeds map[string]float64, zoneM float64, proj geo.Projection, bound [4]float64, limit int64, build func() (*geo.RoadTable, error)) (*geo.RoadTable, error) {
	h := sha256.New()
	h.Write(data)
	num := func(x float64) { h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x))) }
	for _, k := range sortedKeys(speeds) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		num(speeds[k])
	}
	num(zoneM)
	num(proj.Lon0)
	num(proj.Lat0)
	for _, x := range bound {
		num(x)
	}
	h.Write([]byte(buildStamp))
	var key [sha256.Size]byte
	h.Sum(key[:0])

	roadCache.Lock()
	defer roadCache.Unlock()
	for i, k := range roadCache.keys {
		if k == key && roadCache.tables[i] != nil {
			roadCache.stats.Memory++
			return roadCache.tables[i], nil
		}
	}
	dir := roadCacheDir()
	file := filepath.Join(dir, "roads-"+hex.EncodeToString(key[:])+".table")
	t := (*geo.RoadTable)(nil)
	if dir != "" {
		// The entry is mapped, not read: its pages come from the system's
		// file cache as the table is decoded and used, rather than being
		// copied into a buffer of tens of MB that must first be cleared
		// (half the processor time of a warm run of Monaco's example). An
		// entry is written whole to a new file and renamed into place
		// (saveRoadTable), never written in place, so the mapping stays
		// as checked; removing the file leaves the mapping whole.
		b, reused := roadCache.mapped[key]
		mapped := reused
		most := limit + limit/4 + 1<<20 // the table, its key and checksum, with room
		var err error
		switch {
		case reused:
		case len(roadCache.mapped) < roadCacheMaps:
			b, mapped, err = inputs.MapFile(file, most)
		default:
			b, err = inputs.ReadFile(file, most)
		}
		if err == nil {
			if tab, k, err := geo.DecodeRoadTable(b); err == nil && bytes.Equal(k, key[:]) {
				t = tab
				roadCache.stats.Disk++
				now := time.Now()
				os.Chtimes(file, now, now) // recently used
				if mapped && !reused {
					if roadCache.mapped == nil {
						roadCache.mapped = make(map[[sha256.Size]byte][]byte)
					}
					roadCache.mapped[key] = b
				}
			} else {
				roadCache.stats.Refused++
				switch {
				case reused:
					// (Changed in place since it was checked: tables made
					// from it may be in use.)
					delete(roadCache.mapped, key)
				case mapped:
					inputs.Unmap(b) // (no table was made from it)
				}
			}
		}
	}
	if t == nil {
		var err error
		if t, err = build(); err != nil {
			return nil, err
		}
		roadCache.stats.Built++
		if dir != "" && t.Bytes() <= limit {
			saveRoadTable(dir, file, t, key[:])
		}
	}
	i := roadCache.next
	roadCache.keys[i], roadCache.tables[i] = key, t
	roadCache.next = (i + 1) % roadCacheSize
	return t, nil
}

// saveRoadTable builds t and writes it to file atomically (a crash leaves
// no entry or a whole one), then removes the least recently used entries
// beyond roadCacheFiles. Errors are ignored: the cache is a cache.
func saveRoadTable(dir, file string, t *geo.RoadTable, key []byte) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	if err := outputs.WriteFile(file, func(w io.Writer) error { return t.Encode(w, key) }); err != nil {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type entry struct {
		name string
		mod  time.Time
	}
	var es []entry
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "roads-") || !strings.HasSuffix(e.Name(), ".table") {
			continue
		}
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			es = append(es, entry{e.Name(), info.ModTime()})
		}
	}
	if len(es) <= roadCacheFiles {
		return
	}
	slices.SortFunc(es, func(a, b entry) int { return b.mod.Compare(a.mod) }) // newest first
	for _, e := range es[roadCacheFiles:] {
		if e.name != filepath.Base(file) {
			os.Remove(filepath.Join(dir, e.name))
		}
	}
}
