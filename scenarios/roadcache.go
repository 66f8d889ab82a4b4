package scenarios

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"sync"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// roadCacheSize is how many road tables the process keeps: a sweep or the
// what-if page loads the same scenario again and again, and reading a road
// network and building its table costs a few tenths of a second (San
// Francisco: 0.1 s and 0.3 s) and tens of MB.
const roadCacheSize = 2

var roadCache struct {
	sync.Mutex
	keys   [roadCacheSize][sha256.Size]byte
	tables [roadCacheSize]*geo.RoadTable
	next   int // the slot to replace next
}

// cachedRoadTable returns the road table of the road file data with the
// given speeds and zone size in a city of projection proj, built by build
// unless an equal one was built before. A table is read-only once built, so
// scenarios may share it.
func cachedRoadTable(data []byte, speeds map[string]float64, zoneM float64, proj geo.Projection, build func() (*geo.RoadTable, error)) (*geo.RoadTable, error) {
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
	var key [sha256.Size]byte
	h.Sum(key[:0])

	roadCache.Lock()
	defer roadCache.Unlock()
	for i, k := range roadCache.keys {
		if k == key && roadCache.tables[i] != nil {
			return roadCache.tables[i], nil
		}
	}
	t, err := build()
	if err != nil {
		return nil, err
	}
	i := roadCache.next
	roadCache.keys[i], roadCache.tables[i] = key, t
	roadCache.next = (i + 1) % roadCacheSize
	return t, nil
}
