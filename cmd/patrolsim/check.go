package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// regressionError is a check that found a metric worse, or with --strict
// inconclusive: exit status 1.
type regressionError struct {
	worse        int
	inconclusive int // counted only with --strict
	baseline     string
}

func (e regressionError) Error() string {
	if e.inconclusive > 0 {
		return fmt.Sprintf("%d metric(s) worse and %d inconclusive (--strict) against the baseline %s", e.worse, e.inconclusive, e.baseline)
	}
	return fmt.Sprintf("%d metric(s) worse than the baseline %s", e.worse, e.baseline)
}

type baselineFlags struct {
	out          string
	seed         uint64
	replications int
	workers      int
	quiet        bool
}

func (m *Main) baselineCmd() *cobra.Command {
	var f baselineFlags
	cmd := &cobra.Command{
		Use:   "baseline SCENARIO.yaml",
		Short: "Run a scenario and store every metric of every replication for patrolsim check",
		Long: "Baseline runs the scenario (a file, or builtin:NAME) and writes a baseline file:\n" +
			"per variant, every metric's value in every replication, with the seed, the number\n" +
			"of replications, a hash of the scenario and its data files and patrolsim's\n" +
			"version. patrolsim check compares later runs with it. The file is written\n" +
			"atomically; the same scenario, seed and binary give the same bytes.\n" +
			"Without -o it is NAME.baseline.json in the current folder, NAME the scenario's name.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if err := applyRunFlags(s, f.seed, cmd.Flags().Changed("seed"), f.replications, f.workers); err != nil {
				return err
			}
			out := f.out
			if out == "" {
				if err := plainName(s.File.Name); err != nil {
					return usageError{fmt.Errorf("the scenario's name %q cannot name the baseline file: %v; give the file with -o", s.File.Name, err)}
				}
				out = s.File.Name + ".baseline.json"
			}
			if err := checkOutputFile(out, "baseline"); err != nil {
				return err
			}
			b, _, err := makeBaseline(cmd, s, f.workers)
			if err != nil {
				return err
			}
			if err := writeBaseline(cmd.Context(), out, s, b); err != nil {
				return err
			}
			if !f.quiet {
				fmt.Fprintf(m.stdout, "wrote %s: %d variant(s) × %d metrics × %d replications, seed %d, scenario %s\n",
					out, len(b.Variants), len(b.Metrics), b.Replications, b.Seed, b.ScenarioHash)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "baseline file to write (default: NAME.baseline.json, NAME the scenario's name)")
	fl.Uint64Var(&f.seed, "seed", 0, "master random seed (default: the scenario's)")
	fl.IntVar(&f.replications, "replications", 0, "replications per variant (default: the scenario's)")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "replications run in parallel; results are identical for any number")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

type checkFlags struct {
	baseline     string
	config       string
	level        float64
	seed         uint64
	replications int
	workers      int
	update       bool
	strict       bool
	all          bool
	json         bool
	junit        string
}

func (m *Main) checkCmd() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check SCENARIO.yaml --baseline FILE",
		Short: "Re-run a scenario and report every metric that got worse than in a baseline",
		Long: "Check re-runs the scenario with the baseline's seed and replications and compares\n" +
			"every metric of every variant with the baseline: identical (bit for bit), same,\n" +
			"better or worse (changed, for metrics without a better direction), or inconclusive.\n" +
			"A metric is better or worse only when the difference is significant (Welch t test,\n" +
			"Holm over all the check's tests, at --level) and beyond its tolerance; the same\n" +
			"only when two one-sided tests show it within its tolerance; else inconclusive, with\n" +
			"the smallest change the check could have detected. Exit status 0 when nothing got\n" +
			"worse (inconclusive too, unless --strict), 1 when something did, 2 for bad input.\n" +
			"See docs/ci.md.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.check(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.baseline, "baseline", "", "baseline file made by patrolsim baseline (required)")
	fl.StringVar(&f.config, "config", "", "check file: level, metrics and tolerances (docs/ci.md)")
	fl.Float64Var(&f.level, "level", 0, "family-wise level of the tests, in (0, 0.5] (default: the check file's, else 0.05)")
	fl.Uint64Var(&f.seed, "seed", 0, "master random seed (default: the baseline's)")
	fl.IntVar(&f.replications, "replications", 0, "replications per variant (default: the baseline's)")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "replications run in parallel; results are identical for any number")
	fl.BoolVar(&f.update, "update", false, "rewrite the baseline with this run (exit status 0 unless the run fails)")
	fl.BoolVar(&f.strict, "strict", false, "exit status 1 also when a metric is inconclusive (neither shown the same nor significantly worse)")
	fl.BoolVar(&f.all, "all", false, "list identical metrics too")
	fl.BoolVar(&f.json, "json", false, "print the check document (JSON) instead of the table")
	fl.StringVar(&f.junit, "junit", "", "also write the report as JUnit XML to this file")
	return cmd
}

func (m *Main) check(cmd *cobra.Command, scenarioPath string, f checkFlags) error {
	if f.baseline == "" {
		return usageError{errors.New("check needs --baseline FILE (make one with patrolsim baseline SCENARIO.yaml -o FILE)")}
	}
	s, err := loadScenario(scenarioPath)
	if err != nil {
		return err
	}
	base, err := readBaseline(f.baseline, f.update)
	if err != nil {
		return err
	}
	cfg := &results.CheckConfig{}
	if c := s.CheckConfig(); c != nil && f.config == "" {
		cfg = c // the scenario's check: block
	}
	if f.junit != "" {
		if err := checkOutputFile(f.junit, "--junit"); err != nil {
			return err
		}
	}
	if f.config != "" {
		data, err := inputs.ReadFile(f.config, scenarios.MaxFileBytes)
		if err != nil {
			return usageError{fmt.Errorf("cannot read check file %s: %w", f.config, inputs.Reason(err))}
		}
		if cfg, err = results.ParseCheckConfig(f.config, data); err != nil {
			return usageError{err}
		}
	}
	if cmd.Flags().Changed("level") {
		if !(f.level > 0 && f.level <= 0.5) {
			return usageError{fmt.Errorf("--level must be in (0, 0.5] (got %g)", f.level)}
		}
		cfg.Level = f.level
	}
	seed, seedSet := f.seed, cmd.Flags().Changed("seed")
	reps := f.replications
	if base != nil {
		if !seedSet {
			seed, seedSet = base.Seed, true
		}
		if reps == 0 {
			reps = base.Replications
		}
	}
	if err := applyRunFlags(s, seed, seedSet, reps, f.workers); err != nil {
		return err
	}
	now, summary, err := makeBaseline(cmd, s, f.workers)
	if err != nil {
		return err
	}
	if base == nil { // --update of a baseline that does not exist yet
		if err := writeBaseline(cmd.Context(), f.baseline, s, now); err != nil {
			return err
		}
		fmt.Fprintf(m.stderr, "patrolsim: no baseline %s yet: wrote it\n", f.baseline)
		return nil
	}

	report := results.Compare(base, now, summary.Metrics, cfg)
	report.BaselineFile = f.baseline
	report.Strict = f.strict
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		// Workflow commands are read from both streams; keep stdout a
		// single JSON document with --json.
		w := m.stdout
		if f.json {
			w = m.stderr
		}
		file := ""
		if !s.IsBuiltin() {
			file = s.Path
		}
		if err := report.WriteAnnotations(w, file); err != nil {
			return err
		}
	}
	if f.json {
		err = report.WriteJSON(m.stdout)
	} else {
		err = report.WriteTable(m.stdout, f.all)
	}
	if err != nil {
		return err
	}
	if f.junit != "" {
		if err := os.MkdirAll(filepath.Dir(f.junit), 0o755); err != nil {
			return err
		}
		if err := outputs.WriteFile(f.junit, report.WriteJUnit); err != nil {
			return err
		}
	}
	if f.update {
		if err := writeBaseline(cmd.Context(), f.baseline, s, now); err != nil {
			return err
		}
		fmt.Fprintf(m.stderr, "patrolsim: baseline %s rewritten with this run\n", f.baseline)
		return nil
	}
	if report.Failed() {
		e := regressionError{worse: report.Count(results.VerdictWorse), baseline: f.baseline}
		if f.strict {
			e.inconclusive = report.Count(results.VerdictInconclusive)
		}
		return e
	}
	return nil
}

// applyRunFlags sets the seed and replications a run uses, as run does.
func applyRunFlags(s *scenarios.Scenario, seed uint64, seedSet bool, reps, workers int) error {
	if seedSet {
		s.File.Seed = seed
	}
	if reps != 0 {
		if reps < 1 || reps > scenarios.MaxReplications {
			return usageError{fmt.Errorf("--replications must be between 1 and %d (got %d)", scenarios.MaxReplications, reps)}
		}
		s.File.Replications = reps
	}
	if workers < 1 {
		return usageError{fmt.Errorf("--workers must be >= 1 (got %d)", workers)}
	}
	return nil
}

// makeBaseline runs s and returns its baseline and summary.
func makeBaseline(cmd *cobra.Command, s *scenarios.Scenario, workers int) (*results.Baseline, *results.Summary, error) {
	hash, err := run.Hash(s)
	if err != nil {
		return nil, nil, err
	}
	res, err := run.Execute(cmd.Context(), s, run.Options{Workers: workers})
	if err != nil {
		return nil, nil, err
	}
	return results.NewBaseline(res.Summary, hash, run.Version()), res.Summary, nil
}

// readBaseline reads a baseline file, bounded by the bytes actually read
// (inputs.ReadFile: a FIFO or a device is refused); with missingOK, a file
// that does not exist gives nil and no error.
func readBaseline(name string, missingOK bool) (*results.Baseline, error) {
	data, err := inputs.ReadFile(name, scenarios.MaxFileBytes)
	if err != nil {
		if missingOK && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, usageError{fmt.Errorf("cannot read baseline %s: %w (make one with patrolsim baseline)", name, inputs.Reason(err))}
	}
	b, err := results.ReadBaseline(name, bytes.NewReader(data))
	if err != nil {
		return nil, usageError{errors.New(jsonWords(err.Error()))}
	}
	return b, nil
}

// jsonWords rewords encoding/json's type errors in a file's terms, without
// Go's type names: "cannot unmarshal string into Go struct field
// baselineFile.seed of type uint64" becomes "seed: must be a whole number
// (got a string)". A number that does not fit names itself: "cannot
// unmarshal number -1 into ... of type uint64" becomes "seed: must be a
// whole number from 0 to 18446744073709551615 (got -1)".
func jsonWords(msg string) string {
	msg = jsonFieldRE.ReplaceAllStringFunc(msg, func(m string) string {
		sm := jsonFieldRE.FindStringSubmatch(m)
		return sm[3] + ": must be " + jsonKind(sm[4]) + " (got " + jsonGot(sm[1], sm[2]) + ")"
	})
	return jsonValueRE.ReplaceAllStringFunc(msg, func(m string) string {
		sm := jsonValueRE.FindStringSubmatch(m)
		return "must be " + jsonKind(sm[3]) + " (got " + jsonGot(sm[1], sm[2]) + ")"
	})
}

var (
	jsonFieldRE = regexp.MustCompile(`cannot unmarshal (\w+)(?: (\S+))? into Go struct field \w+\.([\w.]+) of type (\S+)`)
	jsonValueRE = regexp.MustCompile(`cannot unmarshal (\w+)(?: (\S+))? into Go value of type (\S+)`)
)

// jsonGot names what the file held: the value when encoding/json gives it
// (a number out of range), else its JSON kind.
func jsonGot(jsonType, value string) string {
	if value != "" {
		return value
	}
	return article(jsonType)
}

// jsonKind names a Go type as the JSON it reads.
func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["), strings.Contains(goType, "."):
		return "an object"
	case strings.HasPrefix(goType, "uint"):
		return "a whole number from 0 to " + strconv.FormatUint(1<<bitsOf(goType, 6)-1, 10)
	case strings.HasPrefix(goType, "int"):
		b := bitsOf(goType, 3)
		return "a whole number from " + strconv.FormatInt(-1<<(b-1), 10) + " to " + strconv.FormatInt(1<<(b-1)-1, 10)
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "text"
	case goType == "bool":
		return "true or false"
	}
	return "another kind of value"
}

// bitsOf is the width of Go's integer type goType ("uint16": 16; "int",
// "uint": 64), the digits after its prefix of length prefix.
func bitsOf(goType string, prefix int) uint {
	if n, err := strconv.Atoi(goType[min(prefix, len(goType)):]); err == nil && n > 0 && n <= 64 {
		return uint(n)
	}
	return 64
}

func article(jsonType string) string {
	switch jsonType {
	case "array", "object":
		return "an " + jsonType
	case "number", "string":
		return "a " + jsonType
	}
	return jsonType
}

// writeBaseline writes b to out atomically (outputs.WriteFile: the old
// file or the new one after a crash, and no temporary left by an earlier
// crash), refusing to replace the scenario or one of its data files. When
// ctx is done first, nothing is written and ctx's error is returned; when
// it is done meanwhile, the file is written and ctx's error returned, so
// that an interrupted command never exits 0.
func writeBaseline(ctx context.Context, out string, s *scenarios.Scenario, b *results.Baseline) error {
	if o, err := os.Stat(out); err == nil {
		for _, in := range run.Inputs(s) {
			if i, err := os.Stat(in); err == nil && os.SameFile(i, o) {
				return usageError{fmt.Errorf("baseline %s: would overwrite the input %s; choose another file", out, in)}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted before the baseline was written: %s is as it was: %w", out, err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := outputs.WriteFile(out, b.WriteJSON); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted; the baseline %s was written before it took effect: %w", out, err)
	}
	return nil
}

// checkOutputFile refuses, before any work, an output file path that names
// a folder (what names the output in messages: "baseline", "--junit").
func checkOutputFile(path, what string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageError{fmt.Errorf("%s %s is a folder; name a file", what, path)}
	}
	return nil
}

// plainName checks that a scenario's name can be used as a file name in
// the current folder: not empty, . or .., no folder separator or ':', no
// control character (a newline), at most 200 bytes.
func plainName(name string) error {
	switch {
	case name == "":
		return errors.New("it is empty")
	case name == "." || name == "..":
		return errors.New("it names a folder")
	case len(name) > 200:
		return errors.New("it is longer than 200 bytes")
	case strings.ContainsAny(name, `/\:`):
		return errors.New("it holds a folder separator or ':'")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errors.New("it holds a control character (a newline, a tab)")
	case !utf8.ValidString(name):
		return errors.New("it is not valid UTF-8")
	}
	return nil
}
