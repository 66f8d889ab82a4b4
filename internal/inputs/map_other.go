//go:build !linux

package inputs

// MapFile reads the regular file at path (ReadFile): outside Linux it maps
// nothing.
func MapFile(path string, limit int64) (b []byte, mapped bool, err error) {
	b, err = ReadFile(path, limit)
	return b, false, err
}

// Unmap does nothing: MapFile maps nothing here.
func Unmap([]byte) {}
