package inputs

import (
	"io/fs"
	"syscall"
)

// MapFile returns the bytes of the regular file at path as ReadFile does,
// refusing the same files with the same errors, but maps the file into
// memory (mmap(2), private and read-only: a write to the bytes faults)
// rather than reading it, and reports whether it did. The pages are the
// system's file cache, faulted in as they are first read, with no copy
// and no buffer to clear: for a file of tens of MB read whole on every
// run (a road table of the disk cache) that is most of what reading it
// costs. Use it only for a file that is replaced, never written in place,
// while the process may run: the mapping shows the file as it is, and
// reading a page lost when the file was cut short stops the process. The
// bytes stay valid until Unmap. A file on a filesystem not known to be
// local (localFS: NFS, SMB, Lustre and the like, where another machine
// may remove a file whose pages this one has yet to read again), an empty
// file, or one the system will not map, is read (ReadFile; mapped is
// false). Outside Linux every file is read.
func MapFile(path string, limit int64) (b []byte, mapped bool, err error) {
	f, err := Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	size := st.Size()
	if size > limit {
		return nil, false, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	if size > 0 && int64(int(size)) == size {
		if sc, err := f.SyscallConn(); err == nil {
			var merr error
			cerr := sc.Control(func(fd uintptr) {
				var sfs syscall.Statfs_t
				if merr = syscall.Fstatfs(int(fd), &sfs); merr == nil && !localFS(int64(sfs.Type)) {
					merr = syscall.ENOTSUP
				}
				if merr == nil {
					b, merr = syscall.Mmap(int(fd), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
				}
			})
			if cerr == nil && merr == nil {
				return b, true, nil
			}
		}
	}
	b, err = ReadAll(f, path, limit)
	return b, false, err
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
