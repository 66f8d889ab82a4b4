package optimize

// Slices of the selection's replications on several machines (Slurm job
// arrays, Kubernetes indexed jobs), as sweeps have.

import (
	"context"
	"path/filepath"
	"time"

	"github.com/patrolsim/patrolsim/scenarios/run"
	"github.com/patrolsim/patrolsim/scenarios/sweep"
)

// Slice is what RunSlice did.
type Slice struct {
	Journal      string  // the slice's journal
	Replications int     // of the slice: its share of 0 … select.max − 1
	Resumed      int     // of them already in the journal
	Seconds      float64 // wall clock (printed, never written)
}

// RunSlice runs the screen, then slice shard of shards of the selection's
// replication budget — replications r < select.max with r mod shards =
// shard, every candidate each — into the slice's journal in dir
// (sweep.JournalName: journal-I-of-N.txt), resuming it. It decides
// nothing: a run without a slice (Run with Options.Journal in dir) then
// reads every slice's journal and decides, simulating only what they
// lack. The sequential procedure stops when it can, so the budget's
// replications past that point are spent for nothing: a sharded
// optimisation buys wall clock with processor time.
func (pr *Problem) RunSlice(ctx context.Context, opts Options, dir string, shard, shards int, progress func(done, total int)) (*Slice, error) {
	t0 := time.Now()
	screen := pr.Screen
	if pr.byCost() {
		screen = pr.screenTotals
	}
	sc, err := screen()
	if err != nil {
		return nil, err
	}
	s, err := pr.candidates(sc.Kept, opts.seed)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, sweep.JournalName(shard, shards))
	j, err := pr.newJournal(path, s, sc.Kept, opts.Restart, true)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	most := pr.Spec.Select.Max
	if most == 0 {
		most = run.DefaultMaxReplications
	}
	var reps []int
	for r := shard; r < most; r += shards {
		reps = append(reps, r)
	}
	out := &Slice{Journal: path, Replications: len(reps), Resumed: j.Resumed()}
	if err := run.Fill(ctx, s, run.Options{Workers: opts.Workers, Store: j}, reps, progress); err != nil {
		return nil, err
	}
	out.Seconds = time.Since(t0).Seconds()
	return out, nil
}
