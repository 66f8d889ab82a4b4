package geo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// sameTravel fails unless tables a and b give the same times, leg
// positions and drawn paths, bit for bit, between points drawn in the
// box around the network's nodes.
func sameTravel(t *testing.T, a, b *RoadTable) {
	t.Helper()
	lo, hi := a.Net.pos[0], a.Net.pos[0]
	for _, p := range a.Net.pos {
		lo = Point{min(lo.X, p.X), min(lo.Y, p.Y)}
		hi = Point{max(hi.X, p.X), max(hi.Y, p.Y)}
	}
	r := rand.New(rand.NewPCG(23, 5))
	pt := func() Point { return Point{lo.X + r.Float64()*(hi.X-lo.X), lo.Y + r.Float64()*(hi.Y-lo.Y)} }
	ta, tb := Travel{Roads: a}, Travel{Roads: b}
	for range 300 {
		p, q := pt(), pt()
		if x, y := a.Time(p, q), b.Time(p, q); x != y {
			t.Fatalf("time %v → %v: %v built, %v read back", p, q, x, y)
		}
		la, lb := ta.Leg(p, q, 0, a.RefKmh), tb.Leg(p, q, 0, b.RefKmh)
		for _, f := range []float64{0.1, 0.3, 0.5, 0.7, 0.9} {
			at := la.Depart + f*(la.Arrive-la.Depart)
			if x, y := la.At(at), lb.At(at); x != y {
				t.Fatalf("leg %v → %v at %.1f: %v built, %v read back", p, q, f, x, y)
			}
		}
		pa, pb := la.RoadPath(), lb.RoadPath()
		if len(pa) != len(pb) {
			t.Fatalf("leg %v → %v: paths of %d and %d points", p, q, len(pa), len(pb))
		}
		for i := range pa {
			if pa[i] != pb[i] {
				t.Fatalf("leg %v → %v: point %d differs", p, q, i)
			}
		}
	}
}

func encoded(t *testing.T, tab *RoadTable, key string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tab.Encode(&buf, []byte(key)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoadTableEncode: a table read back from its encoding answers exactly
// as the table built (undirected TIGER and directed OSM networks), and
// carries its key.
func TestRoadTableEncode(t *testing.T) {
	_, net := synNet(t)
	tiger, err := NewRoadTable(net, 300, 30)
	if err != nil {
		t.Fatal(err)
	}
	osmNet, err := (&City{Proj: &Projection{Lon0: 7.425, Lat0: 43.733}}).Roads("square.osm", osmSquare(), nil)
	if err != nil {
		t.Fatal(err)
	}
	square, err := NewRoadTable(osmNet, 100, osmNet.RefSpeed(nil))
	if err != nil {
		t.Fatal(err)
	}
	_, baltimore := osmTable(t, osmCities[0])
	for _, k := range []struct {
		name string
		tab  *RoadTable
	}{{"TIGER lattice", tiger}, {"OSM square", square}, {"Baltimore", baltimore}} {
		t.Run(k.name, func(t *testing.T) {
			data := encoded(t, k.tab, "key "+k.name)
			back, key, err := DecodeRoadTable(data)
			if err != nil {
				t.Fatal(err)
			}
			if string(key) != "key "+k.name {
				t.Errorf("key %q, want %q", key, "key "+k.name)
			}
			if back.Zones() != k.tab.Zones() || back.Net.Nodes() != k.tab.Net.Nodes() || back.Net.Directed() != k.tab.Net.Directed() || back.Bytes() != k.tab.Bytes() {
				t.Errorf("read back: %d zones, %d nodes, directed %v, %d bytes; built: %d, %d, %v, %d",
					back.Zones(), back.Net.Nodes(), back.Net.Directed(), back.Bytes(), k.tab.Zones(), k.tab.Net.Nodes(), k.tab.Net.Directed(), k.tab.Bytes())
			}
			sameTravel(t, k.tab, back)
			// On a little-endian machine the arrays are the buffer's own
			// bytes (alias), every one of them aligned.
			if littleEndian {
				in := func(p unsafe.Pointer) bool {
					a := uintptr(unsafe.Pointer(&data[0]))
					return uintptr(p) >= a && uintptr(p) < a+uintptr(len(data))
				}
				if !in(unsafe.Pointer(&back.pred16[0])) || !in(unsafe.Pointer(&back.Net.pos[0])) || !in(unsafe.Pointer(&back.toAnchorBox[0])) || !in(unsafe.Pointer(&back.time[0])) {
					t.Error("arrays read back are copies, not the buffer's bytes")
				}
			}
			// From a buffer starting at an odd address the arrays are
			// copied: the same table.
			odd := make([]byte, len(data)+1)[1:]
			copy(odd, data)
			if copied, _, err := DecodeRoadTable(odd); err != nil {
				t.Fatal(err)
			} else {
				sameTravel(t, k.tab, copied)
			}
			// Encoding the table read back gives the same bytes.
			if again := encoded(t, back, "key "+k.name); !bytes.Equal(again, data) {
				t.Error("the table read back encodes to other bytes")
			}
		})
	}
}

// TestRoadTableDecodeRefuses: damaged, cut, foreign-version and
// inconsistent encodings are refused with an error, never a panic.
func TestRoadTableDecodeRefuses(t *testing.T) {
	osmNet, err := (&City{Proj: &Projection{Lon0: 7.425, Lat0: 43.733}}).Roads("square.osm", osmSquare(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := NewRoadTable(osmNet, 100, osmNet.RefSpeed(nil))
	if err != nil {
		t.Fatal(err)
	}
	good := encoded(t, tab, "k")
	reseal := func(body []byte) []byte { // a new checksum over a changed body
		return append(bytes.Clone(body), RoadTableSum(body)...)
	}
	body := good[:len(good)-RoadTableSumSize]
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x10
	version := bytes.Clone(body)
	binary.LittleEndian.PutUint32(version[8:], RoadTableVersion+1)
	// An entry of version 1 (tree rows of the network's node numbers; 2
	// and 3 put them in the table's order, 3 as 16-bit steps; 4 adds the
	// snap raster; 5 seals it with CRC-32C, not SHA-256) is refused, not
	// misread.
	v1 := bytes.Clone(body)
	binary.LittleEndian.PutUint32(v1[8:], 1)
	// A node order that is no permutation, checksum valid.
	twice, err := NewRoadTable(osmNet, 100, osmNet.RefSpeed(nil))
	if err != nil {
		t.Fatal(err)
	}
	twice.Build()
	twice.ord = slices.Clone(twice.ord)
	twice.ord[1] = twice.ord[0]
	var twiceBuf bytes.Buffer
	if err := twice.Encode(&twiceBuf, []byte("k")); err != nil {
		t.Fatal(err)
	}
	// A tree step from place 0 to place -1, checksum valid.
	step, err := NewRoadTable(osmNet, 100, osmNet.RefSpeed(nil))
	if err != nil {
		t.Fatal(err)
	}
	step.Build()
	step.pred16 = slices.Clone(step.pred16)
	step.pred16[0] = -1
	var stepBuf bytes.Buffer
	if err := step.Encode(&stepBuf, []byte("k")); err != nil {
		t.Fatal(err)
	}
	// An anchor index out of range, checksum valid: a table whose anchor
	// is changed, encoded.
	bad, err := NewRoadTable(osmNet, 100, osmNet.RefSpeed(nil))
	if err != nil {
		t.Fatal(err)
	}
	bad.Build()
	bad.anchor[0] = int32(osmNet.Nodes())
	var badBuf bytes.Buffer
	if err := bad.Encode(&badBuf, []byte("k")); err != nil {
		t.Fatal(err)
	}
	// A snap raster cell naming no node, checksum valid.
	cell, err := NewRoadTable(osmNet, 100, osmNet.RefSpeed(nil))
	if err != nil {
		t.Fatal(err)
	}
	cell.Build()
	for k := range cell.rnx * cell.rny {
		if cell.nearRoads(cell.cellCentre(k%cell.rnx, k/cell.rnx)) {
			cell.setRasterCell(k, int32(osmNet.Nodes()+1))
			break
		}
	}
	var cellBuf bytes.Buffer
	if err := cell.Encode(&cellBuf, []byte("k")); err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a road table"},
		{"other file", []byte(strings.Repeat("x", 100)), "not a road table"},
		{"a byte flipped", flipped, "checksum mismatch"},
		{"cut short", good[:len(good)-100], "checksum mismatch"},
		{"cut, resealed", reseal(body[:len(body)-100]), "road table: unexpected EOF"},
		{"bytes added, resealed", reseal(append(bytes.Clone(body), 1, 2, 3)), "bytes left over"},
		{"another version", reseal(version), fmt.Sprintf("another version: version %d, want %d", RoadTableVersion+1, RoadTableVersion)},
		{"version 1", reseal(v1), fmt.Sprintf("another version: version 1, want %d", RoadTableVersion)},
		{"node order not a permutation", twiceBuf.Bytes(), "node order: "},
		{"tree step out of range", stepBuf.Bytes(), "shortest-path trees: a step of -1 from place 0"},
		{"anchor out of range", badBuf.Bytes(), "anchors: 4 outside 0 … 3"},
		{"snap raster cell out of range", cellBuf.Bytes(), "snap raster: 5 outside 0 … 4"},
	} {
		_, _, err := DecodeRoadTable(k.data)
		if err == nil || !strings.Contains(err.Error(), k.want) {
			t.Errorf("%s: got %v, want an error containing %q", k.name, err, k.want)
		}
		if strings.Contains(k.name, "version") && !errors.Is(err, ErrRoadTableVersion) {
			t.Errorf("%s: %v does not wrap ErrRoadTableVersion", k.name, err)
		}
	}
}

// BenchmarkRoadTableFile measures encoding and decoding the built tables of
// central Baltimore (OSM) and San Francisco (TIGER): what the disk cache
// of road tables pays to write an entry and to read one back, against
// building (BenchmarkOSMBuild, BenchmarkRoadTableBuild). Reports the
// encoding's size in MB.
func BenchmarkRoadTableFile(b *testing.B) {
	_, balt := osmTable(b, osmCities[0])
	_, sf := sfTable(b)
	sf.Build()
	for _, k := range []struct {
		name string
		tab  *RoadTable
	}{{"Baltimore", balt}, {"SanFrancisco", sf}} {
		var buf bytes.Buffer
		if err := k.tab.Encode(&buf, []byte("k")); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(k.name+"/encode", func(b *testing.B) {
			for b.Loop() {
				if err := k.tab.Encode(io.Discard, []byte("k")); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data))/1e6, "MB")
		})
		b.Run(k.name+"/decode", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := DecodeRoadTable(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data))/1e6, "MB")
		})
	}
}

// TestRoadTableRasterBuilt: a table of a raster of at most
// fullRasterCells cells is built with every cell near roads filled (in 16
// bits: Baltimore has fewer than 65,535 nodes), each with the node Snap
// finds for its centre (as Locate would fill it on use), and is read back
// so; the other cells are filled on use.
func TestRoadTableRasterBuilt(t *testing.T) {
	_, tab := osmTable(t, osmCities[0])
	cells := tab.rnx * tab.rny
	if cells > fullRasterCells || tab.raster16 == nil || tab.raster != nil {
		t.Fatalf("raster of %d cells: in 16 bits %v", cells, tab.raster16 != nil)
	}
	near := 0
	for k := 0; k < cells; k += 7 {
		c := tab.cellCentre(k%tab.rnx, k/tab.rnx)
		want, _ := tab.Net.Snap(c)
		got := tab.rasterCell(k)
		if tab.nearRoads(c) {
			near++
		} else if got == 0 {
			continue // not filled: filled on use
		}
		if int(got)-1 != want {
			t.Fatalf("cell %d: node %d, want %d", k, got-1, want)
		}
	}
	if near < cells/7/2 {
		t.Errorf("%d of %d cells sampled near roads", near, cells/7)
	}
	back, _, err := DecodeRoadTable(encoded(t, tab, "k"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.builtRaster(), back.builtRaster()) {
		t.Fatal("raster read back differs")
	}
	// Cells filled on use: the same node in either.
	for k := 0; k < cells; k += 5 {
		p := tab.cellCentre(k%tab.rnx, k/tab.rnx)
		if a, b := tab.Locate(p), back.Locate(p); a != b {
			t.Fatalf("cell %d: %+v built, %+v read back", k, a, b)
		}
	}
}
