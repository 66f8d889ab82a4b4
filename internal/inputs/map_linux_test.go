package inputs

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMapFileMaps: on a local filesystem MapFile maps the file (its bytes
// are a mapping that munmap(2) takes back), and localFS knows the common
// local filesystems and not the network ones.
func TestMapFileMaps(t *testing.T) {
	dir := t.TempDir()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	if !localFS(int64(fs.Type)) {
		t.Skipf("the test folder is on a filesystem of type %#x, not known to be local: MapFile reads there", int64(fs.Type))
	}
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, make([]byte, 1<<16), 0o644); err != nil {
		t.Fatal(err)
	}
	b, mapped, err := MapFile(path, 1<<20)
	if err != nil || !mapped {
		t.Fatalf("mapped %v, %v", mapped, err)
	}
	if err := syscall.Munmap(b); err != nil {
		t.Errorf("the bytes are not a mapping: munmap: %v", err)
	}
	for _, nfs := range []int64{0x6969, 0xFF534D42, 0x0BD00BD0, 0x47504653, 0x65735546} { // NFS, CIFS, Lustre, GPFS, FUSE
		if localFS(nfs) {
			t.Errorf("filesystem %#x taken as local", nfs)
		}
	}
	if !localFS(0xEF53) || !localFS(0x58465342) {
		t.Error("ext4 or xfs not taken as local")
	}
}
