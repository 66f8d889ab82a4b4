// Package outputs writes what a command produces so that a crash at any
// moment (kill -9, a power cut, a full disk) leaves either the previous
// complete set of files or the new complete set, never a mixture, and no
// temporary file that outlives the next write.
//
// A Folder is a set of files that belong together (a run's results.json,
// details.json, replications.csv, trace.csv and scenario.yaml; a sweep's
// rows, points and sweep.json). Write stages the new set in a hidden
// sibling folder (.NAME.tmp-PID-RANDOM), syncs every file and the folder,
// and swaps it with the old folder in one step: renameat2(RENAME_EXCHANGE)
// on Linux, a plain rename when there is no old folder. The old set then
// sits in the staging name and is removed. Files of the old folder that
// are not part of a set (a sweep's journals, a user's notes) are carried
// over by hard link before the swap; files made from the old set (a report)
// go with it.
//
// Where the exchange is not available (other systems, file systems without
// it) the swap is two renames, old folder aside and new folder in; a crash
// between them leaves no folder under the name for a moment, and the next
// Write (or Clean) of that folder puts the complete new set in place. That
// is the one window in which a reader finds nothing; it never finds a
// mixture.
//
// WriteFile does the same for a single file: a hidden temporary beside it,
// synced, renamed over it, the folder synced.
//
// Temporaries carry the writing process's id, so a later write removes
// those of processes that no longer run (Clean) and leaves those of a
// process still writing.
//
// Cost: the new set is written once, then every file is opened once more
// to be synced; the swap is one system call; removing the old set is one
// unlink a file.
package outputs

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ManifestFile lists, in every folder Write makes, the files of its set:
// the next Write of the folder takes exactly those out with the old set.
const ManifestFile = ".patrolsim-set.json"

// Manifest is the content of ManifestFile.
type Manifest struct {
	Set   string   `json:"set"`   // what wrote it: "patrolsim run", …
	Files []string `json:"files"` // top-level names, a folder's with a trailing /
}

// Folder is a folder that holds one set of files at a time.
type Folder struct {
	// Dir is the folder (made if missing, with its parents).
	Dir string
	// Set names the set in the manifest and in messages: "patrolsim run".
	Set string
	// Known are the names a set of this kind had before manifests (earlier
	// versions): a folder without a manifest loses them with its old set.
	Known []string
	// Derived are names made from a set (report.html, charts): they go
	// with the old set, they would describe other files than the new ones.
	Derived []string
}

// Error is the refusal of an output folder that cannot be replaced as a
// whole; it is the user's choice of folder, not a failure of the write.
type Error struct {
	Dir string
	Msg string
}

func (e *Error) Error() string { return "output folder " + e.Dir + ": " + e.Msg }

// Check refuses, before any work is done, a folder Write could not replace:
// a path that is a file, the current folder or one that holds it (a swap
// would move the ground from under the process), and a folder holding
// folders or special files that are not of a set of this kind (they cannot
// be carried over atomically, and are not patrolsim's to drop).
func (f Folder) Check() error {
	dir, err := resolve(f.Dir)
	if err != nil {
		return err
	}
	st, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return &Error{f.Dir, "exists and is not a folder; choose a folder for the results (it is made if missing)"}
	}
	if wd, err := os.Getwd(); err == nil {
		if real, err := filepath.EvalSymlinks(wd); err == nil {
			wd = real
		}
		if wd == dir || strings.HasPrefix(wd, dir+string(filepath.Separator)) {
			return &Error{f.Dir, "is the current folder or holds it; patrolsim replaces its output folder as a whole, so give it one of its own (e.g. -o out)"}
		}
	}
	dropped, err := f.oldSet(dir)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var foreign []string
	for _, e := range entries {
		if dropped[e.Name()] || isTemp(e.Name()) || e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0 {
			continue
		}
		foreign = append(foreign, e.Name())
	}
	if len(foreign) > 0 {
		more := ""
		if len(foreign) > 3 {
			more = fmt.Sprintf(" and %d more", len(foreign)-3)
		}
		return &Error{f.Dir, fmt.Sprintf("holds %s%s, which %s not of a %s; patrolsim replaces its output folder as a whole and carries over only plain files, so give it a folder of its own",
			strings.Join(foreign[:min(3, len(foreign))], ", "), more, plural(len(foreign), "is", "are"), f.Set)}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Dropped returns the paths of the existing folder's files that a Write of
// a set named names would remove or replace: the old set (its manifest's
// files, else Known), Derived and names. A caller checks that none of them
// is one of its inputs.
func (f Folder) Dropped(names []string) ([]string, error) {
	dir, err := resolve(f.Dir)
	if err != nil {
		return nil, err
	}
	old, err := f.oldSet(dir)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		old[n] = true
	}
	var out []string
	for n := range old {
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}

// oldSet returns the names the folder's old set and what was made from it
// occupy: its manifest's files (or Known, without one), Derived and the
// manifest itself.
func (f Folder) oldSet(dir string) (map[string]bool, error) {
	out := map[string]bool{ManifestFile: true}
	for _, n := range f.Derived {
		out[n] = true
	}
	m, err := ReadManifest(dir)
	switch {
	case err == nil:
		for _, n := range m.Files {
			out[strings.TrimSuffix(n, "/")] = true
		}
	case errors.Is(err, fs.ErrNotExist):
		for _, n := range f.Known {
			out[n] = true
		}
	default:
		return nil, err
	}
	return out, nil
}

// ReadManifest reads the manifest of a folder Write made.
func ReadManifest(dir string) (*Manifest, error) {
	f, err := os.Open(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestFile), err)
	}
	for _, n := range m.Files {
		if n == "" || strings.ContainsAny(strings.TrimSuffix(n, "/"), `/\`) || n == "." || n == ".." {
			return nil, fmt.Errorf("%s: %q is not a file name", filepath.Join(dir, ManifestFile), n)
		}
	}
	return &m, nil
}

// resolve makes dir absolute and, when it is a symbolic link, the folder it
// points to: the set replaces that folder, the link stays.
func resolve(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	return abs, nil
}

// Write makes the folder hold the set fill writes and nothing else of the
// old set: fill gets an empty staging folder and writes the set's files
// into it, as it likes (they are synced afterwards). Then the manifest is
// written, the old folder's other plain files are linked in, everything is
// synced and the staging folder is swapped with the old one (see the
// package doc). When fill fails or ctx is done before the swap, the old
// folder is left as it was and the staging folder removed; the error is
// fill's or ctx's. Check's refusals are returned before fill runs.
func (f Folder) Write(ctx context.Context, fill func(stage string) error) (err error) {
	dir, err := resolve(f.Dir)
	if err != nil {
		return err
	}
	parent, base := filepath.Split(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	if err := Clean(dir); err != nil {
		return err
	}
	if err := f.Check(); err != nil {
		return err
	}
	mode := fs.FileMode(0o755)
	oldSt, statErr := os.Stat(dir)
	exists := statErr == nil
	if exists {
		mode = oldSt.Mode().Perm()
	}
	tag := newTag()
	stage := filepath.Join(parent, "."+base+".tmp-"+tag)
	if err := os.Mkdir(stage, 0o700); err != nil {
		return fmt.Errorf("cannot stage the results beside %s (patrolsim writes them in a sibling folder and swaps it in): %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()
	if err := fill(stage); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(stage)
	if err != nil {
		return err
	}
	m := Manifest{Set: f.Set, Files: []string{}}
	written := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		written[name] = true
		if e.IsDir() {
			name += "/"
		}
		m.Files = append(m.Files, name)
	}
	if err := writeJSON(filepath.Join(stage, ManifestFile), m); err != nil {
		return err
	}
	// The new set's files are synced before the old folder's files are
	// linked in: those are their writers' to sync (a journal is, at every
	// append), and opening one here would release a POSIX record lock this
	// process holds on it (a sweep's on its journal).
	if err := syncTree(stage); err != nil {
		return err
	}
	if exists {
		if err := f.carryOver(dir, stage, written); err != nil {
			return err
		}
		if err := syncDir(stage); err != nil {
			return err
		}
	}
	if err := os.Chmod(stage, mode); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := swap(stage, dir, parent, base, tag, exists); err != nil {
		return err
	}
	return syncDir(parent)
}

// carryOver links into stage the old folder's plain files that are neither
// of its old set, made from it, replaced by the new set nor temporaries.
// Where the file system has no hard links a file is copied (opening it,
// which releases a POSIX record lock this process holds on it).
func (f Folder) carryOver(dir, stage string, written map[string]bool) error {
	dropped, err := f.oldSet(dir)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if dropped[name] || written[name] || isTemp(name) {
			continue
		}
		src, dst := filepath.Join(dir, name), filepath.Join(stage, name)
		switch {
		case e.Type().IsRegular():
			if err := os.Link(src, dst); err != nil {
				if err := copyFile(src, dst); err != nil {
					return fmt.Errorf("carrying %s over into the new folder: %w", src, err)
				}
			}
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil {
				return err
			}
		default:
			return &Error{f.Dir, fmt.Sprintf("holds %s, which is not of a %s (it appeared during the write)", name, f.Set)}
		}
	}
	return nil
}

// swap puts stage in place of dir: an exchange where the system has one,
// else two renames; then the old set, now at stage (or aside), is removed.
func swap(stage, dir, parent, base, tag string, exists bool) error {
	if !exists {
		if err := os.Rename(stage, dir); err == nil {
			return nil
		} else if _, serr := os.Stat(dir); serr != nil {
			return err
		}
		// Made meanwhile by another process: swap with it.
	}
	if err := exchange(stage, dir); err == nil {
		// The staging name now holds the old set.
		if err := syncDir(parent); err != nil {
			return err
		}
		return os.RemoveAll(stage)
	}
	aside := filepath.Join(parent, "."+base+".old-"+tag)
	if err := os.Rename(dir, aside); err != nil {
		return err
	}
	if err := os.Rename(stage, dir); err != nil {
		os.Rename(aside, dir)
		return err
	}
	if err := syncDir(parent); err != nil {
		return err
	}
	return os.RemoveAll(aside)
}

// Clean removes what writes of dir by processes that no longer run left
// beside it (staging folders, old sets set aside), and, when such a
// process stopped between the two renames of a swap without exchange,
// first puts its complete new set in place. It is called by Write; a
// command that resumes work in dir calls it too.
func Clean(dir string) error {
	dir, err := resolve(dir)
	if err != nil {
		return err
	}
	parent, base := filepath.Split(dir)
	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, statErr := os.Lstat(dir)
	missing := errors.Is(statErr, fs.ErrNotExist)
	var stale []string
	for _, e := range entries {
		kind, tag, ok := parseTemp(e.Name(), base)
		if !ok || !staleTag(tag) {
			continue
		}
		if kind == "old" && missing {
			// A swap without exchange stopped between its renames: the
			// staging folder of the same tag is complete, else the old
			// set goes back.
			stage := filepath.Join(parent, "."+base+".tmp-"+tag)
			if _, err := os.Stat(stage); err == nil {
				if err := os.Rename(stage, dir); err != nil {
					return err
				}
				stale = append(stale, e.Name())
			} else if err := os.Rename(filepath.Join(parent, e.Name()), dir); err != nil {
				return err
			}
			missing = false
			continue
		}
		stale = append(stale, e.Name())
	}
	for _, name := range stale {
		if err := os.RemoveAll(filepath.Join(parent, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Spool makes a scratch folder beside dir, .BASE.spool-PID-RANDOM, for
// what a command writes to disk before its set is staged (a run's trace
// rows, written as incidents complete): on the same file system as the
// set, never part of it. remove deletes it; after a crash, the next Write
// or Clean of dir removes it once its process no longer runs.
func Spool(dir string) (path string, remove func(), err error) {
	dir, err = resolve(dir)
	if err != nil {
		return "", nil, err
	}
	parent, base := filepath.Split(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", nil, err
	}
	if err := Clean(dir); err != nil {
		return "", nil, err
	}
	path = filepath.Join(parent, "."+base+".spool-"+newTag())
	if err := os.Mkdir(path, 0o700); err != nil {
		return "", nil, fmt.Errorf("cannot make a scratch folder beside %s: %w", dir, err)
	}
	return path, func() { os.RemoveAll(path) }, nil
}

// WriteFile writes one file atomically: fn writes into a temporary beside
// path, which is synced and renamed over path, and the folder synced. A
// crash leaves the old file or the new one; temporaries of path left by
// processes that no longer run are removed first.
func WriteFile(path string, fn func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := cleanFile(dir, base); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+base+".tmp-"+newTag())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = fn(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// cleanFile removes the temporaries of dir/base that processes no longer
// running left, and those of results.WriteFileAtomic (.NAME.tmp-DIGITS),
// which carry no process id.
func cleanFile(dir, base string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		name := e.Name()
		kind, tag, ok := parseTemp(name, base)
		legacy := !ok && strings.HasPrefix(name, "."+base+".tmp-") && allDigits(strings.TrimPrefix(name, "."+base+".tmp-"))
		if (ok && kind == "tmp" && staleTag(tag)) || legacy {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// isTemp reports whether a name inside a folder is a temporary of an
// atomic file write (.NAME.tmp-…): never part of a set, never carried over.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// newTag returns PID-RANDOM for a temporary's name.
func newTag() string {
	b := make([]byte, 4)
	rand.Read(b)
	return strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
}

// parseTemp splits .BASE.KIND-PID-RANDOM (KIND tmp, old or spool).
func parseTemp(name, base string) (kind, tag string, ok bool) {
	for _, k := range []string{"tmp", "old", "spool"} {
		rest, found := strings.CutPrefix(name, "."+base+"."+k+"-")
		if !found {
			continue
		}
		pid, rnd, found := strings.Cut(rest, "-")
		if !found || !allDigits(pid) || len(rnd) != 8 || !isHex(rnd) {
			return "", "", false
		}
		return k, rest, true
	}
	return "", "", false
}

// staleTag reports whether the process of a tag no longer runs. The
// current process's own tags are never stale here: a write in progress
// in it removes its own.
func staleTag(tag string) bool {
	pidStr, _, _ := strings.Cut(tag, "-")
	pid, err := strconv.Atoi(pidStr)
	if err != nil || pid <= 0 {
		return true
	}
	if pid == os.Getpid() {
		return false
	}
	return !alive(pid)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncTree syncs every file and folder under root, root last.
func syncTree(root string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, path)
		case d.Type().IsRegular():
			return syncFile(path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range slices.Backward(dirs) {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteNew writes a new file at path with fn, buffered, failing if it
// exists: for the files fill writes into a staging folder (Folder.Write
// syncs them before the swap).
func WriteNew(path string, fn func(w io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := fn(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
