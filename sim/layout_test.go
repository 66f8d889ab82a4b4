package sim

import (
	"testing"
	"unsafe"
)

// TestUnitRunSize keeps a unit's record at four whole cache lines (see
// unitRun's padding): a field added or removed should change the padding.
func TestUnitRunSize(t *testing.T) {
	if got := unsafe.Sizeof(unitRun{}); got != 256 {
		t.Errorf("unitRun: %d bytes, want 256 (adjust its padding)", got)
	}
}

// TestBoxItemLine keeps an item of the spatial index at one whole cache
// line, and its array at a line's boundary (Go's size classes above 64
// bytes that a multiple of 64 rounds up to are multiples of 64), for
// forces of every size, so that Set's common path reads one line.
func TestBoxItemLine(t *testing.T) {
	if got := unsafe.Sizeof(boxItem{}); got != 64 {
		t.Errorf("boxItem: %d bytes, want 64", got)
	}
	for _, n := range []int{1, 2, 3, 5, 7, 9, 13, 40, 100, 153, 300, 1000, 2448, 5000} {
		ix := newBoxIndex(n, 0, 0, 1000, 1000, 10)
		if a := uintptr(unsafe.Pointer(&ix.item[0])); a%64 != 0 {
			t.Errorf("%d items: the array at %#x, not a multiple of 64", n, a)
		}
	}
}
