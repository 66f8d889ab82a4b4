package sweep

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMessagesNameNoGoType: no message of a broken sweep file shows a Go
// type or package name (sweep.File, int, uint64).
func TestMessagesNameNoGoType(t *testing.T) {
	for _, body := range []string{
		gridSweep + "desing: grid\n",
		strings.Replace(gridSweep, "replications: 3", "replications: [3]", 1),
		strings.Replace(gridSweep, "replications: 3", "replications: 3.5", 1),
		"- a list\n",
		"scenario: {a: 1}\n",
	} {
		_, err := Load(writeSweep(t, body))
		if err == nil {
			t.Fatalf("%q loaded", body)
		}
		for _, goWord := range []string{"sweep.File", "type ", "!!", "unmarshal", "int", "uint64"} {
			if strings.Contains(err.Error(), goWord) {
				t.Errorf("%q: message %q shows %q", body, err, goWord)
			}
		}
	}
}

// TestTornJournal: a journal cut short by a crash — in its header or in a
// line, or with a garbled last line — is recovered, and the results are
// those of an uninterrupted run; a garbled line before others is refused
// with the file and line.
func TestTornJournal(t *testing.T) {
	path := writeSweep(t, gridSweep)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	whole := filepath.Join(t.TempDir(), "whole")
	if err := s.Run(ctx, Options{Out: whole, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	want := files(t, whole)
	j, _ := os.ReadFile(filepath.Join(whole, JournalName(0, 1)))
	lines := strings.SplitAfter(string(j), "\n")
	cases := []struct {
		name, journal string
		done          int
	}{
		{"empty", "", 0},
		{"header cut short", lines[0][:len(lines[0])/2], 0},
		{"header of NUL bytes", strings.Repeat("\x00", 300), 0},
		{"header garbled, nothing after", "{\"sweep\":\x00\x00}\n", 0},
		{"item cut short", strings.Join(lines[:4], "") + lines[4][:7], 3},
		{"item garbled at the end", strings.Join(lines[:4], "") + "3\t1,2\n", 3},
		{"NUL bytes after items", strings.Join(lines[:4], "") + "\x00\x00\x00\x00", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			os.WriteFile(filepath.Join(out, JournalName(0, 1)), []byte(tc.journal), 0o644)
			done := -1
			err := s.Run(ctx, Options{Out: out, Workers: 2, Progress: func(d, total int) {
				if done < 0 {
					done = d
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			if done != tc.done {
				t.Errorf("resumed with %d items done, want %d", done, tc.done)
			}
			sameFiles(t, want, files(t, out), tc.name)
			// Run again: nothing to do, the same files.
			if err := s.Run(ctx, Options{Out: out, Workers: 2}); err != nil {
				t.Fatal(err)
			}
			sameFiles(t, want, files(t, out), tc.name+", run again")
		})
	}
	// A garbled line with items after it is not a crash's: refused.
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, JournalName(0, 1)), []byte(strings.Join(lines[:3], "")+"x\ty\n"+strings.Join(lines[3:], "")), 0o644)
	err = s.Run(ctx, Options{Out: out, Workers: 1})
	var je *JournalError
	if !errors.As(err, &je) || je.Line != 4 || !strings.Contains(err.Error(), "journal.txt:4: corrupt journal line") {
		t.Fatalf("got %v, want journal.txt:4 refused", err)
	}
	// So is a file that is no journal at all, and a line without end
	// (past a limit lowered for the test: MaxJournalLine is 256 MiB).
	defer func(l int) { journalLineLimit = l }(journalLineLimit)
	journalLineLimit = 1 << 20
	for _, garbage := range []string{"PK\x03\x04 zip bytes\nmore\n", strings.Repeat("x", journalLineLimit+10)} {
		out := t.TempDir()
		os.WriteFile(filepath.Join(out, JournalName(0, 1)), []byte(garbage), 0o644)
		err := s.Run(ctx, Options{Out: out, Workers: 1})
		if !errors.As(err, &je) || !strings.Contains(err.Error(), "journal.txt:1: ") {
			t.Fatalf("garbage: got %v", err)
		}
	}
}

// TestJournalAppendOnly: a resumed sweep only appends: the journal of the
// interrupted run is a prefix of the finished one.
func TestJournalAppendOnly(t *testing.T) {
	s, err := Load(writeSweep(t, gridSweep))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	s.Run(ctx, Options{Out: out, Workers: 1, Progress: func(d, total int) {
		if n++; n == 5 {
			cancel()
		}
	}})
	before, _ := os.ReadFile(filepath.Join(out, JournalName(0, 1)))
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(out, JournalName(0, 1)))
	if len(before) == 0 || !strings.HasPrefix(string(after), string(before)) {
		t.Fatalf("the journal was rewritten, not appended to:\nbefore %q\nafter  %q", before, after)
	}
}

// TestSecondSweepRefused: while a sweep holds a folder's journal, a second
// sweep into that folder is refused with a message naming the holder's
// process, from another process and from this one; merge refuses to read
// it too. When the holder ends, the folder is free.
func TestSecondSweepRefused(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("journals are not locked on this system")
	}
	path := writeSweep(t, gridSweep)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	// The holder: this test binary in TestHoldJournal, in another process.
	exe, _ := os.Executable()
	holder := exec.Command(exe, "-test.run=^TestHoldJournal$")
	holder.Env = append(os.Environ(), "SWEEP_HOLD_JOURNAL="+filepath.Join(out, JournalName(0, 1)), "SWEEP_HOLD_FILE="+path)
	stdin, _ := holder.StdinPipe()
	stdout, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "holding") {
		t.Fatalf("holder: %q, %v", line, err)
	}
	start := time.Now()
	err = s.Run(context.Background(), Options{Out: out, Workers: 1})
	var be *BusyError
	if !errors.As(err, &be) || be.PID != holder.Process.Pid {
		t.Fatalf("got %v, want the journal refused as held by process %d", err, holder.Process.Pid)
	}
	if want := fmt.Sprintf("another sweep (process %d) is writing this journal", holder.Process.Pid); !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused after %v", d)
	}
	if err := Finalize(context.Background(), out, s, []string{filepath.Join(out, JournalName(0, 1))}); !errors.As(err, &be) {
		t.Errorf("merge of a journal being written: %v", err)
	}
	stdin.Close()
	holder.Wait()
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2}); err != nil {
		t.Fatalf("after the holder ended: %v", err)
	}
	// In one process: a second Run while the first holds the journal.
	out2 := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		once := false
		errc <- s.Run(ctx, Options{Out: out2, Workers: 1, Progress: func(d, total int) {
			if !once {
				once = true
				close(started)
				<-ctx.Done()
			}
		}})
	}()
	<-started
	err = s.Run(context.Background(), Options{Out: out2, Workers: 1})
	cancel()
	<-errc
	if !errors.As(err, &be) {
		t.Fatalf("second Run in this process: %v", err)
	}
}

// TestHoldJournal is the holder of TestSecondSweepRefused: it opens and
// locks a journal as a sweep does, says so and holds it until its input
// closes.
func TestHoldJournal(t *testing.T) {
	jpath := os.Getenv("SWEEP_HOLD_JOURNAL")
	if jpath == "" {
		t.Skip("the holder process of TestSecondSweepRefused")
	}
	s, err := Load(os.Getenv("SWEEP_HOLD_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	j, _, err := openJournal(jpath, s.header(Options{Shards: 1}), false)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	fmt.Println("holding")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// TestJournalMixedRuns: a journal holding an item twice with different
// values (lines of two runs) is refused when a run opens it, naming the
// journal and the item; the same line twice is harmless.
func TestJournalMixedRuns(t *testing.T) {
	s, err := Load(writeSweep(t, gridSweep))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := s.Run(context.Background(), Options{Out: out, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	jpath := filepath.Join(out, JournalName(0, 1))
	data, err := os.ReadFile(jpath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	// lines[1] is item 0, lines[2] item 1 (one worker: in order).
	again := string(data) + lines[1]
	if err := os.WriteFile(jpath, []byte(again), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), Options{Out: out, Workers: 1}); err != nil {
		t.Fatalf("the same line twice: %v", err)
	}
	mixed := string(data) + "0" + strings.TrimPrefix(lines[2], "1")
	if err := os.WriteFile(jpath, []byte(mixed), 0o644); err != nil {
		t.Fatal(err)
	}
	err = s.Run(context.Background(), Options{Out: out, Workers: 1})
	var je *JournalError
	if !errors.As(err, &je) || !strings.Contains(err.Error(), jpath+": item 0 is recorded twice with different values") {
		t.Fatalf("got %v, want a *JournalError naming %s and item 0", err, jpath)
	}
}

// TestLiveItemsFail: when a final file fails (or the run does), a reader
// waiting for an item that will not come returns the error rather than
// wait for ever, every later read returns it, and no item's line is kept
// in memory any more (TestLiveItemsFail guards the memory a failed writer
// would otherwise pin: every later line).
func TestLiveItemsFail(t *testing.T) {
	l := newLiveItems(3, nil, nil)
	l.add([]placed{{item: 0, off: 0, length: 4, line: "abc\n"}})
	if got, err := l.line(0); got != "abc\n" || err != nil {
		t.Fatalf("item 0: %q, %v", got, err)
	}
	waited := make(chan error, 1)
	go func() {
		_, err := l.line(2)
		waited <- err
	}()
	boom := errors.New("disk full")
	l.fail(boom)
	if err := <-waited; err != boom {
		t.Errorf("waiting reader: %v, want %v", err, boom)
	}
	l.add([]placed{{item: 1, off: 4, length: 4, line: "def\n"}})
	l.fail(errors.New("later"))
	if _, err := l.line(1); err != boom {
		t.Errorf("read after the failure: %v, want the first error %v", err, boom)
	}
	for i, p := range l.at {
		if p.line != "" {
			t.Errorf("item %d: line %q kept after the failure", i, p.line)
		}
	}
}
