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
