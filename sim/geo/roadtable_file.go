package geo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"sync/atomic"
	"unsafe"

	"github.com/paulmach/orb"
)

// RoadTableVersion is the version of the encoding of a built RoadTable
// (Encode, DecodeRoadTable). Any change to what a table holds or how it is
// built (so that a table read back would differ from one built afresh)
// must increase it: a reader refuses other versions.
const RoadTableVersion = 5

// roadTableSum is the checksum that ends every encoded table: CRC-32C
// (Castagnoli) of all bytes before it, big-endian, as hash/crc32 writes
// it. It guards against a damaged or cut file, not a forger (the key
// guards against a table of other inputs); in hardware on amd64 and arm64,
// a few percent of SHA-256's time (version 4's sum, which was a seventh of
// reading San Francisco's table).
var roadTableSum = crc32.MakeTable(crc32.Castagnoli)

// RoadTableSumSize is the size in bytes of the checksum that ends an
// encoded table.
const RoadTableSumSize = crc32.Size

// RoadTableSum returns the checksum of an encoded table's body (all of it
// but its last RoadTableSumSize bytes), as Encode writes it after the body
// (for tests that change a body and seal it again).
func RoadTableSum(body []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, crc32.Checksum(body, roadTableSum))
}

// roadTableMagic starts every encoded table.
var roadTableMagic = [8]byte{'P', 'S', 'R', 'O', 'A', 'D', 'T', 'B'}

// ErrRoadTableVersion is returned (wrapped) by DecodeRoadTable for a table
// encoded by another version.
var ErrRoadTableVersion = errors.New("road table of another version")

// Encode writes the built table (building it first if needed) and its
// network in a binary form that DecodeRoadTable reads back exactly: the magic
// "PSROADTB", RoadTableVersion, the caller's key (any bytes: what the table
// was built from, checked on reading), every array of the network and the
// table, the snap raster's cells filled when it was built (builtRaster),
// and a checksum of all that (CRC-32C: RoadTableSum). Every array's
// elements start at a multiple of 8 bytes from the start (zero bytes
// after its length pad it), so that a reader may use them where they lie. The snap index is not written
// (rebuilt on reading), nor the cells filled on use.
func (t *RoadTable) Encode(w io.Writer, key []byte) error {
	t.build()
	n := t.Net
	e := enc{w: w, h: crc32.New(roadTableSum), b: make([]byte, 0, 1<<16)}
	e.raw(roadTableMagic[:])
	e.u32(RoadTableVersion)
	e.bytes(key)
	e.points(n.pos)
	e.i32s(n.off)
	e.i32s(n.to)
	e.f64s(n.sec)
	e.bool(n.directed)
	e.bool(n.osm)
	e.i32s(n.roff)
	e.i32s(n.rto)
	e.f64s(n.rsec)
	e.u64(uint64(n.segments))
	e.u64(uint64(n.maxspeedTagged))
	e.u64(uint64(n.maxspeedIgnored))
	e.f64(n.maxSpeed)
	e.f64(n.length)
	e.u64(uint64(n.dropped))
	e.u64(uint64(len(n.classes)))
	for _, c := range n.classes {
		e.bytes([]byte(c))
	}
	e.f64s([]float64{n.city.Min[0], n.city.Min[1], n.city.Max[0], n.city.Max[1]})

	e.f64s([]float64{t.ZoneM, t.RefKmh, t.zx0, t.zy0, t.rx0, t.ry0, t.rasterM, t.refSpeed, t.topSpeed})
	e.u64(uint64(t.znx))
	e.u64(uint64(t.zny))
	e.u64(uint64(t.rnx))
	e.u64(uint64(t.rny))
	e.i32s(t.zoneOfNode)
	e.i32s(t.anchor)
	e.f32s(t.time)
	e.f32s(t.box)
	e.i32s(t.ord)
	if t.pred16 != nil {
		e.u32(16)
		e.i16s(t.pred16)
	} else {
		e.u32(32)
		e.i32s(t.pred32)
	}
	e.f32s(t.toAnchorLen)
	e.boxes(t.toAnchorBox)
	e.i32s(t.fromOff)
	e.i32s(t.fromPath)
	e.f32s(t.fromAnchorLen)
	e.boxes(t.fromAnchorBox)
	e.i32s(t.builtRaster())
	e.flush()
	if e.err != nil {
		return e.err
	}
	_, err := w.Write(e.h.Sum(nil))
	return err
}

// DecodeRoadTable reads a table written by Encode and returns it, built and
// ready, with the key it was written with. It refuses, with an error and
// never a panic, data that is cut short, fails its checksum, is of another
// version (an error wrapping ErrRoadTableVersion) or whose arrays do not
// fit together (an index out of range, a length that does not match).
// The table may keep data's bytes as its arrays (alias): data must not be
// changed afterwards.
func DecodeRoadTable(data []byte) (t *RoadTable, key []byte, err error) {
	if len(data) < len(roadTableMagic)+4+RoadTableSumSize || !bytes.Equal(data[:len(roadTableMagic)], roadTableMagic[:]) {
		return nil, nil, errors.New("not a road table")
	}
	body, sum := data[:len(data)-RoadTableSumSize], data[len(data)-RoadTableSumSize:]
	if got := RoadTableSum(body); !bytes.Equal(got, sum) {
		return nil, nil, errors.New("road table: checksum mismatch (a damaged or cut file)")
	}
	d := dec{b: body[len(roadTableMagic):], off: len(roadTableMagic)}
	if v := d.u32(); v != RoadTableVersion {
		return nil, nil, fmt.Errorf("%w: version %d, want %d", ErrRoadTableVersion, v, RoadTableVersion)
	}
	key = d.bytes()
	net := &RoadNet{}
	net.pos = d.points()
	net.off = d.i32s()
	net.to = d.i32s()
	net.sec = d.f64s()
	net.directed = d.bool()
	net.osm = d.bool()
	net.roff = d.i32s()
	net.rto = d.i32s()
	net.rsec = d.f64s()
	net.segments = int(d.u64())
	net.maxspeedTagged = int(d.u64())
	net.maxspeedIgnored = int(d.u64())
	net.maxSpeed = d.f64()
	net.length = d.f64()
	net.dropped = int(d.u64())
	nc := d.u64()
	for i := uint64(0); i < nc && d.err == nil; i++ {
		net.classes = append(net.classes, string(d.bytes()))
	}
	if cb := d.f64s(); len(cb) == 4 {
		net.city = orb.Bound{Min: orb.Point{cb[0], cb[1]}, Max: orb.Point{cb[2], cb[3]}}
	} else if d.err == nil {
		d.err = errors.New("city bound")
	}
	t = &RoadTable{Net: net}
	var fs []float64
	if fs = d.f64s(); len(fs) != 9 && d.err == nil {
		d.err = errors.New("table parameters")
	}
	znx, zny, rnx, rny := d.u64(), d.u64(), d.u64(), d.u64()
	t.zoneOfNode = d.i32s()
	t.anchor = d.i32s()
	t.time = d.f32s()
	t.box = d.f32s()
	ord := d.i32s()
	switch w := d.u32(); {
	case d.err != nil:
	case w == 16:
		t.pred16 = d.i16s()
	case w == 32:
		t.pred32 = d.i32s()
	default:
		d.err = fmt.Errorf("shortest-path trees of %d-bit entries", w)
	}
	t.toAnchorLen = d.f32s()
	t.toAnchorBox = d.boxes()
	t.fromOff = d.i32s()
	t.fromPath = d.i32s()
	t.fromAnchorLen = d.f32s()
	t.fromAnchorBox = d.boxes()
	raster := d.i32s()
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	if d.err != nil {
		return nil, nil, fmt.Errorf("road table: %w", d.err)
	}
	t.ZoneM, t.RefKmh, t.zx0, t.zy0, t.rx0, t.ry0, t.rasterM, t.refSpeed, t.topSpeed = fs[0], fs[1], fs[2], fs[3], fs[4], fs[5], fs[6], fs[7], fs[8]
	if err := t.check(znx, zny, rnx, rny, ord, raster); err != nil {
		return nil, nil, fmt.Errorf("road table: %w", err)
	}
	t.setOrder(ord)
	t.znx, t.zny, t.rnx, t.rny = int(znx), int(zny), int(rnx), int(rny)
	net.buildIndex()
	t.fillRasterFrom(raster)
	t.setAnchorPos()
	net.pool.New = func() any { return net.NewSearch() }
	t.once.Do(func() {}) // built: never build again
	return t, key, nil
}

// fillRasterFrom makes the snap raster of a table read back, with the
// cells written (raster: 1 + a node, 0 for a cell not filled; nil for
// none).
func (t *RoadTable) fillRasterFrom(raster []int32) {
	cells := t.rnx * t.rny
	if len(t.Net.pos) < math.MaxUint16 {
		t.raster16 = make([]atomic.Uint32, (cells+1)/2)
		for k := 0; k < len(raster); k += 2 {
			w := uint32(raster[k])
			if k+1 < len(raster) {
				w |= uint32(raster[k+1]) << 16
			}
			t.raster16[k>>1].Store(w)
		}
		return
	}
	t.raster = make([]atomic.Int32, cells)
	for k, v := range raster {
		t.raster[k].Store(v)
	}
}

// check verifies that a table read back fits together, so that no query
// can index out of range.
func (t *RoadTable) check(znx, zny, rnx, rny uint64, ord, raster []int32) error {
	net := t.Net
	n, z := len(net.pos), len(t.anchor)
	inRange := func(what string, xs []int32, lo, hi int) error {
		for _, x := range xs {
			if int(x) < lo || int(x) >= hi {
				return fmt.Errorf("%s: %d outside %d … %d", what, x, lo, hi-1)
			}
		}
		return nil
	}
	csrOK := func(what string, off, to []int32, sec []float64) error {
		if len(off) != n+1 || off[0] != 0 || int(off[n]) != len(to) || len(sec) != len(to) {
			return fmt.Errorf("%s: lengths do not fit", what)
		}
		for i := range n {
			if off[i+1] < off[i] {
				return fmt.Errorf("%s: offsets not increasing", what)
			}
		}
		return inRange(what, to, 0, n)
	}
	switch {
	case n == 0 || z == 0:
		return errors.New("empty")
	case znx == 0 || zny == 0 || znx*zny > 1<<32 || rnx == 0 || rny == 0 || rnx*rny > maxRasterCells:
		return errors.New("grid sizes out of range")
	case len(t.zoneOfNode) != n || len(t.time) != z*z || len(t.box) != 5*z*z || len(t.pred16)+len(t.pred32) != z*n || (t.pred16 != nil) == (t.pred32 != nil) ||
		len(t.toAnchorLen) != n || len(t.toAnchorBox) != n:
		return errors.New("lengths do not fit")
	case !(t.refSpeed > 0) || !(t.topSpeed > 0) || !(t.rasterM > 0) || !(t.ZoneM > 0):
		return errors.New("speeds or sizes not positive")
	}
	if err := csrOK("edges", net.off, net.to, net.sec); err != nil {
		return err
	}
	if net.directed {
		if err := csrOK("reverse edges", net.roff, net.rto, net.rsec); err != nil {
			return err
		}
		if len(t.fromOff) != n+1 || t.fromOff[0] != 0 || int(t.fromOff[n]) != len(t.fromPath) || len(t.fromAnchorLen) != n || len(t.fromAnchorBox) != n {
			return errors.New("ways from the anchors: lengths do not fit")
		}
		for i := range n {
			if t.fromOff[i+1] <= t.fromOff[i] {
				return errors.New("ways from the anchors: offsets not increasing")
			}
		}
		if err := inRange("ways from the anchors", t.fromPath, 0, n); err != nil {
			return err
		}
	}
	if len(ord) != n {
		return errors.New("node order: length does not fit")
	}
	seen := make([]bool, n)
	for _, v := range ord {
		if v < 0 || int(v) >= n || seen[v] {
			return fmt.Errorf("node order: %d outside 0 … %d or twice", v, n-1)
		}
		seen[v] = true
	}
	if err := inRange("zones of nodes", t.zoneOfNode, 0, z); err != nil {
		return err
	}
	if err := inRange("anchors", t.anchor, 0, n); err != nil {
		return err
	}
	if raster != nil {
		if uint64(len(raster)) != rnx*rny {
			return errors.New("snap raster: length does not fit")
		}
		if err := inRange("snap raster", raster, 0, n+1); err != nil {
			return err
		}
	}
	if t.pred16 != nil {
		return stepsInRange(t.pred16, n)
	}
	return stepsInRange(t.pred32, n)
}

// stepsInRange checks that every step of the tree rows (of n places each)
// lands on a place.
func stepsInRange[T predStep](rows []T, n int) error {
	for k := 0; k < len(rows); k += n {
		for i, s := range rows[k : k+n] {
			if j := i + int(s); j < 0 || j >= n {
				return fmt.Errorf("shortest-path trees: a step of %d from place %d, outside 0 … %d", s, i, n-1)
			}
		}
	}
	return nil
}

// enc writes little-endian values to w through a buffer, hashing what it
// writes with h; every slice is preceded by its length (and an array's
// length by zero bytes up to a multiple of 8 bytes from the start: array).
// The first write error sticks in err.
type enc struct {
	w   io.Writer
	h   hash.Hash
	b   []byte
	n   int // bytes flushed
	err error
}

// flush writes and hashes the buffer.
func (e *enc) flush() {
	if e.err == nil {
		e.h.Write(e.b)
		_, e.err = e.w.Write(e.b)
	}
	e.n += len(e.b)
	e.b = e.b[:0]
}

// array writes the length k of an array, then zero bytes up to a multiple
// of 8 bytes from the start, where its elements begin.
func (e *enc) array(k int) {
	e.u64(uint64(k))
	for (e.n+len(e.b))%8 != 0 {
		e.room(1)
		e.b = append(e.b, 0)
	}
}

// room flushes the buffer if it cannot take k more bytes.
func (e *enc) room(k int) {
	if len(e.b)+k > cap(e.b) {
		e.flush()
	}
}

func (e *enc) raw(x []byte) { e.room(len(x)); e.b = append(e.b, x...) }
func (e *enc) u32(x uint32) { e.room(4); e.b = binary.LittleEndian.AppendUint32(e.b, x) }
func (e *enc) u64(x uint64) { e.room(8); e.b = binary.LittleEndian.AppendUint64(e.b, x) }
func (e *enc) f64(x float64) {
	e.u64(math.Float64bits(x))
}
func (e *enc) bool(x bool) {
	e.room(1)
	if x {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *enc) bytes(x []byte) { e.u64(uint64(len(x))); e.raw(x) }
func (e *enc) i32s(xs []int32) {
	e.array(len(xs))
	for _, x := range xs {
		e.u32(uint32(x))
	}
}
func (e *enc) i16s(xs []int16) {
	e.array(len(xs))
	for _, x := range xs {
		e.room(2)
		e.b = binary.LittleEndian.AppendUint16(e.b, uint16(x))
	}
}
func (e *enc) f32s(xs []float32) {
	e.array(len(xs))
	for _, x := range xs {
		e.u32(math.Float32bits(x))
	}
}
func (e *enc) f64s(xs []float64) {
	e.array(len(xs))
	for _, x := range xs {
		e.f64(x)
	}
}
func (e *enc) points(ps []Point) {
	e.array(len(ps))
	for _, p := range ps {
		e.f64(p.X)
		e.f64(p.Y)
	}
}
func (e *enc) boxes(bs []box4) {
	e.array(len(bs))
	for _, b := range bs {
		for _, x := range b {
			e.u32(math.Float32bits(x))
		}
	}
}

// dec reads what enc wrote; the first problem sticks in err (and every
// later read returns zero values).
type dec struct {
	b   []byte
	off int // bytes read from the start of the encoding
	err error
}

func (d *dec) take(k uint64) []byte {
	if d.err != nil {
		return nil
	}
	if k > uint64(len(d.b)) {
		d.err = io.ErrUnexpectedEOF
		return nil
	}
	out := d.b[:k]
	d.b = d.b[k:]
	d.off += int(k)
	return out
}

// array reads an array's length (of elements of size bytes, refusing one
// longer than what is left) and the padding after it (enc.array), and
// returns the bytes of its elements.
func (d *dec) array(size uint64) ([]byte, int) {
	k := d.u64()
	d.take(uint64(-d.off & 7))
	if d.err == nil && k > uint64(len(d.b))/size {
		d.err = io.ErrUnexpectedEOF
		return nil, 0
	}
	b := d.take(size * k)
	if b == nil || k == 0 {
		return nil, 0
	}
	return b, int(k)
}

// littleEndian is whether the machine stores numbers as the encoding does.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// alias returns the k elements encoded in b as a slice of T over b's own
// bytes, without copying them, if the machine is little-endian and b
// starts where a T may (a buffer read whole from a file starts on a page
// or at least 8 bytes, and every array 8 bytes from the start: enc.array);
// else nil, and the caller copies. A table read from the disk cache so
// keeps the buffer it was read into as its arrays: reading San Francisco's
// 38 MB no longer allocates, clears and fills as much again. The arrays
// hold no pointers, and a table is read-only once built.
func alias[T int16 | int32 | float32 | float64 | Point | box4](b []byte, k int) []T {
	var z T
	if !littleEndian || uintptr(unsafe.Pointer(&b[0]))%unsafe.Alignof(z) != 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), k)
}
func (d *dec) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}
func (d *dec) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}
func (d *dec) f64() float64 { return math.Float64frombits(d.u64()) }
func (d *dec) bool() bool   { b := d.take(1); return b != nil && b[0] == 1 }

// count reads a slice length of elements of size bytes, refusing one
// longer than what is left.
func (d *dec) count(size uint64) int {
	k := d.u64()
	if d.err == nil && k > uint64(len(d.b))/size {
		d.err = io.ErrUnexpectedEOF
		return 0
	}
	return int(k)
}
func (d *dec) bytes() []byte {
	k := d.count(1)
	return bytes.Clone(d.take(uint64(k)))
}
func (d *dec) i32s() []int32 {
	b, k := d.array(4)
	if b == nil {
		return nil
	}
	if out := alias[int32](b, k); out != nil {
		return out
	}
	out := make([]int32, k)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}
func (d *dec) i16s() []int16 {
	b, k := d.array(2)
	if b == nil {
		return nil
	}
	if out := alias[int16](b, k); out != nil {
		return out
	}
	out := make([]int16, k)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return out
}
func (d *dec) f32s() []float32 {
	b, k := d.array(4)
	if b == nil {
		return nil
	}
	if out := alias[float32](b, k); out != nil {
		return out
	}
	out := make([]float32, k)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}
func (d *dec) f64s() []float64 {
	b, k := d.array(8)
	if b == nil {
		return nil
	}
	if out := alias[float64](b, k); out != nil {
		return out
	}
	out := make([]float64, k)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}
func (d *dec) points() []Point {
	b, k := d.array(16)
	if b == nil {
		return nil
	}
	if out := alias[Point](b, k); out != nil {
		return out
	}
	out := make([]Point, k)
	for i := range out {
		out[i] = Point{math.Float64frombits(binary.LittleEndian.Uint64(b[16*i:])), math.Float64frombits(binary.LittleEndian.Uint64(b[16*i+8:]))}
	}
	return out
}
func (d *dec) boxes() []box4 {
	b, k := d.array(16)
	if b == nil {
		return nil
	}
	if out := alias[box4](b, k); out != nil {
		return out
	}
	out := make([]box4, k)
	for i := range out {
		for j := range 4 {
			out[i][j] = math.Float32frombits(binary.LittleEndian.Uint32(b[16*i+4*j:]))
		}
	}
	return out
}
