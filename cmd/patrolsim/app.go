package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/internal/suggest"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1 // the run failed
	exitUsage       = 2 // bad flags, arguments or input files
	exitInterrupted = 130
)

// usageError marks errors that are the user's input: exit status 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// Main is the patrolsim command line; main only builds one and runs it.
type Main struct {
	stdout, stderr io.Writer
}

// NewMain returns a Main writing to the given streams.
func NewMain(stdout, stderr io.Writer) *Main { return &Main{stdout: stdout, stderr: stderr} }

// Run executes the command line args and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	root := m.root()
	root.SetArgs(args)
	root.SetOut(m.stdout)
	root.SetErr(m.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(m.stderr, "patrolsim:", interruptedMessage(err))
		return exitInterrupted
	}
	fmt.Fprintln(m.stderr, "patrolsim:", indentError(err))
	var ue usageError
	var se *scenarios.Error
	switch {
	case errors.As(err, &ue), errors.As(err, &se):
		return exitUsage
	case isCobraUsage(err):
		return exitUsage
	}
	return exitFailure
}

// interruptedMessage says that the command was interrupted (Ctrl-C,
// SIGTERM) and what became of its outputs, without Go's "context
// canceled".
func interruptedMessage(err error) string {
	msg := strings.TrimSpace(err.Error())
	for _, suffix := range []string{context.Canceled.Error(), ":"} {
		msg = strings.TrimSpace(strings.TrimSuffix(msg, suffix))
	}
	switch {
	case msg == "":
		return "interrupted"
	case strings.HasPrefix(msg, "interrupted"):
		return msg
	}
	return "interrupted: " + msg
}

func indentError(err error) string {
	var se *scenarios.Error
	if errors.As(err, &se) {
		s := fmt.Sprintf("%d problem(s) in the scenario:", len(se.Problems))
		// What the error says around the scenario's problems (the sweep
		// file whose base scenario they are).
		if outer, ok := strings.CutSuffix(err.Error(), se.Error()); ok && strings.TrimSpace(outer) != "" {
			s = strings.TrimRight(outer, "\n: ") + ": " + s
		}
		for _, p := range se.Problems {
			s += "\n  " + p.String()
		}
		return s
	}
	return err.Error()
}

// isCobraUsage recognises cobra's own flag and argument errors.
func isCobraUsage(err error) bool {
	var fe interface{ Flag() string }
	if errors.As(err, &fe) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires ", "invalid argument", "flag needs"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func (m *Main) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "patrolsim",
		Short: "Simulate police patrol deployment and rank policies by response time",
		Long: "patrolsim plays out months of incidents, calls, dispatches and patrols in a city\n" +
			"under several deployment policies and ranks them by response time, with\n" +
			"confidence intervals over replications on common random numbers.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(m.runCmd(), m.validateCmd(), m.templateCmd(), m.policiesCmd(), m.versionCmd(), m.baselineCmd(), m.checkCmd(), m.sweepCmd(), m.mergeCmd(), m.hypercubeCmd(), m.reportCmd(), m.calibrateCmd(), m.serveCmd(), m.optimizeCmd())
	addCompletions(root)
	return root
}

func (m *Main) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of patrolsim",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(m.stdout, "patrolsim %s (%s, %s/%s)\n", run.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

func (m *Main) policiesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "policies [NAME...]",
		Short: "List the deployment policies (or those named) and their parameters",
		RunE: func(cmd *cobra.Command, args []string) error {
			names := policy.Names()
			for _, a := range args {
				if !slices.Contains(names, a) {
					hint := ""
					if c := suggest.Closest(a, names); c != "" {
						hint = "; did you mean " + c + "?"
					}
					return usageError{fmt.Errorf("no policy %q (policies: %s)%s", a, strings.Join(names, ", "), hint)}
				}
			}
			if len(args) > 0 {
				names = args
			}
			for _, name := range names {
				spec, _ := policy.Lookup(name)
				fmt.Fprintf(m.stdout, "%s\n  %s\n", name, spec.Doc)
				for _, p := range spec.Params {
					fmt.Fprintf(m.stdout, "  - %s (default %s; %s): %s\n", p.Name, scenarios.FormatParam(p, p.Default), scenarios.ParamRange(p), p.Doc)
				}
			}
			return nil
		},
	}
}

func (m *Main) templateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "template",
		Short: "Print a scenario file with every key, its default and a comment",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := io.WriteString(m.stdout, scenarios.Template)
			return err
		},
	}
}

func (m *Main) validateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate SCENARIO.yaml...",
		Short: "Check scenario files and report every problem",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var first error
			for _, path := range args {
				s, err := loadScenario(path)
				if err != nil {
					fmt.Fprintln(m.stderr, indentError(err))
					if first == nil {
						first = err
					}
					continue
				}
				units := 0
				for _, u := range s.Config.Units {
					units += u.Count
				}
				fmt.Fprintf(m.stdout, "%s: ok (%d areas in %d districts, %d units, %d variants)\n",
					path, len(s.Config.City.Atoms), len(s.Config.City.Districts), units, len(s.Variants))
			}
			if first != nil {
				return usageError{errors.New("validation failed")}
			}
			return nil
		},
	}
}

// unknownBuiltin is the error for builtin:NAME naming no built-in
// scenario, with the nearest name.
func unknownBuiltin(name string) error {
	hint := ""
	if c := suggest.Closest(name, scenarios.Builtins()); c != "" {
		hint = fmt.Sprintf("; did you mean builtin:%s?", c)
	}
	return fmt.Errorf("no built-in scenario %q (built in: %s)%s", name, strings.Join(scenarios.Builtins(), ", "), hint)
}

// loadScenario loads a file, or a built-in scenario when path is empty or
// names one ("jinzhou", "builtin:jinzhou").
func loadScenario(path string) (*scenarios.Scenario, error) {
	if path == "" {
		return scenarios.LoadBuiltin(scenarios.DefaultName)
	}
	if name, ok := strings.CutPrefix(path, "builtin:"); ok {
		if !slices.Contains(scenarios.Builtins(), name) {
			return nil, usageError{unknownBuiltin(name)}
		}
		return scenarios.LoadBuiltin(name)
	}
	// Refused at once if it is not a regular file: the loader would wait
	// for a FIFO's writer, or read a device to its limit.
	if f, err := inputs.Open(path); err == nil {
		f.Close()
	} else if nr := (*inputs.NotRegularError)(nil); errors.As(err, &nr) {
		return nil, usageError{fmt.Errorf("cannot read scenario %s: %w", path, nr)}
	}
	s, err := scenarios.LoadFile(path)
	if err != nil {
		var se *scenarios.Error
		if !errors.As(err, &se) {
			return nil, usageError{err}
		}
	}
	return s, err
}
