package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/hypercube"
	"github.com/patrolsim/patrolsim/sim/analytic"
)

type hypercubeFlags struct {
	json, exact, approx, loss, compare bool
	replications, workers              int
}

// hypercubeCmd is `patrolsim hypercube`: Larson's hypercube queueing model
// of a scenario, and with --compare the simulator under the same
// assumptions.
func (m *Main) hypercubeCmd() *cobra.Command {
	var f hypercubeFlags
	cmd := &cobra.Command{
		Use:   "hypercube [SCENARIO.yaml]",
		Short: "Larson's hypercube queueing model of a scenario: workloads, P(all busy), travel",
		Long: "Hypercube solves Larson's hypercube queueing model (Larson 1974; Larson & Odoni,\n" +
			"Urban Operations Research, 1981, ch. 5) for the units of the scenario's first\n" +
			"variant, every unit at its home, and prints each unit's workload, the probability\n" +
			"that all units are busy, the cross-district share and the mean travel time.\n" +
			"Assumptions: every unit is on duty round the clock and may take every call (one\n" +
			"unit a call); calls arrive at each area's mean rate over the week (near-repeat\n" +
			"offspring included at their long-run rate); the service time is exponential with\n" +
			"the mean on-scene time (by type share) plus the mean travel time; each area's\n" +
			"dispatch preference is by mean travel time from the units' homes to points of the\n" +
			"area, turnout included.\n" +
			"The exact solution (2^N states) is the default up to 15 units, the approximation\n" +
			"(Larson 1975) above. --compare also runs the simulator under these assumptions.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			if f.exact && f.approx {
				return usageError{errors.New("--exact and --approx exclude each other")}
			}
			if f.workers < 1 {
				return usageError{fmt.Errorf("--workers must be >= 1 (got %d)", f.workers)}
			}
			if f.replications < 0 || f.replications > scenarios.MaxReplications {
				return usageError{fmt.Errorf("--replications must be between 1 and %d (got %d)", scenarios.MaxReplications, f.replications)}
			}
			s, err := loadScenario(path)
			if err != nil {
				return err
			}
			if f.replications > 0 {
				s.File.Replications = f.replications
			}
			return m.hypercube(cmd.Context(), s, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print a JSON document instead of the table")
	fl.BoolVar(&f.exact, "exact", false, "solve the 2^N balance equations (default up to 15 units)")
	fl.BoolVar(&f.approx, "approx", false, "use Larson's approximation (default above 15 units)")
	fl.BoolVar(&f.loss, "loss", false, "zero line capacity: a call that finds every unit busy is lost")
	fl.BoolVar(&f.compare, "compare", false, "also simulate under the hypercube's assumptions and compare")
	fl.IntVar(&f.replications, "replications", 0, "replications for --compare (default: the scenario's)")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "replications run in parallel for --compare")
	return cmd
}

func (m *Main) hypercube(ctx context.Context, s *scenarios.Scenario, f hypercubeFlags) error {
	hm, err := hypercube.New(s, f.loss)
	if err != nil {
		return usageError{err}
	}
	exact := hm.Cube.Units <= hypercube.DefaultExactUnits
	if f.exact {
		if hm.Cube.Units > analytic.MaxExactUnits {
			return usageError{fmt.Errorf("--exact: %d units, at most %d for the exact solution (use --approx)", hm.Cube.Units, analytic.MaxExactUnits)}
		}
		exact = true
	}
	if f.approx {
		exact = false
	}
	res, err := hm.Solve(exact)
	if err != nil {
		return usageError{err}
	}
	var simRes *hypercube.Simulated
	if f.compare {
		simRes, err = hm.Simulate(ctx, s.File.Seed, s.File.Replications, f.workers)
		if err != nil {
			return err
		}
	}
	if f.json {
		return hypercube.WriteJSON(m.stdout, hm, res, simRes, s.File.Seed)
	}
	return hypercube.WriteTable(m.stdout, hm, res, simRes, s.File.Seed)
}
