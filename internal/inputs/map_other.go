//go:build !linux

package inputs

// MapFile reads the regular file at path (ReadFile): outside Linux it maps
// nothing.
func MapFile(path string, limit int64) ([]byte, error) { return ReadFile(path, limit) }

// Unmap does nothing: MapFile maps nothing here.
func Unmap([]byte) {}
