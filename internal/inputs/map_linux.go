package inputs

import (
	"io/fs"
	"syscall"
)

// MapFile returns the bytes of the regular file at path as ReadFile does,
// refusing the same files with the same errors, but maps the file into
// memory (mmap(2), private: a write changes the process's copy, never the
// file) rather than reading it. The pages are the system's file cache,
// faulted in as they are first read, with no copy and no buffer to clear:
// for a file of tens of MB read whole on every run (a road table of the
// disk cache) that is most of what reading it costs. Use it only for a
// file that is replaced, never written in place, while the process may
// run: the mapping shows the file as it is, and a file cut short under it
// makes reading the lost pages fail. The bytes stay valid until Unmap. A
// file on a filesystem not known to be local (localFS: NFS, SMB, Lustre
// and the like, where another machine may remove a file whose pages this
// one has yet to read again), an empty file, or one the system will not
// map, is read (ReadFile). Outside Linux every file is read.
func MapFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	if size == 0 || int64(int(size)) != size {
		return ReadAll(f, path, limit)
	}
	sc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var b []byte
	var merr error
	if err := sc.Control(func(fd uintptr) {
		var fs syscall.Statfs_t
		if merr = syscall.Fstatfs(int(fd), &fs); merr == nil && !localFS(int64(fs.Type)) {
			merr = syscall.ENOTSUP
		}
		if merr == nil {
			b, merr = syscall.Mmap(int(fd), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
		}
	}); err != nil || merr != nil {
		return ReadAll(f, path, limit)
	}
	return b, nil
}

// localFS reports whether a filesystem of type t (statfs(2)'s f_type) is
// one whose files only this machine changes: a mapped file there stays
// whole once removed (the mapping holds it). The magic numbers are
// linux/magic.h's.
func localFS(t int64) bool {
	switch uint32(t) {
	case 0xEF53, // ext2, ext3, ext4
		0x58465342, // xfs
		0x9123683E, // btrfs
		0x01021994, // tmpfs
		0x858458F6, // ramfs
		0x794C7630, // overlayfs (containers)
		0xF2F52010, // f2fs
		0x2FC12FC1, // zfs
		0xCA451A4E: // bcachefs
		return true
	}
	return false
}

// Unmap releases the bytes of a MapFile that mapped them; bytes it read,
// or any other slice, are left alone. Nothing may use b, or a slice of
// it, afterwards.
func Unmap(b []byte) {
	syscall.Munmap(b) // (EINVAL for a slice syscall.Mmap did not return)
}
