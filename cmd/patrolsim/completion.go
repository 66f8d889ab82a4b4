package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// Shell completion (cobra's `patrolsim completion bash|zsh|fish|powershell`)
// knows, beyond commands and flags: the built-in scenarios where a
// scenario is expected, policy names (`policies NAME`), metric names
// (`report --metric`) and the variant names of a run's scenario
// (`report --compare`, `--variant`), sweep files (`sweep`, `merge`) and
// output folders (their `-o`). No flag takes a scenario's unit names.
// Completion never runs a scenario and
// reads at most a few small files.

// completeScenario completes a SCENARIO argument: builtin:NAME, or a
// scenario file (.yaml, .yml) and folders.
func completeScenario(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 && cmd.Name() != "validate" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if strings.HasPrefix(toComplete, "b") || toComplete == "" {
		var out []string
		for _, n := range scenarios.Builtins() {
			if c := "builtin:" + n; strings.HasPrefix(c, toComplete) {
				out = append(out, c+"\t"+"built-in scenario")
			}
		}
		if len(out) > 0 && toComplete != "" {
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		if toComplete == "" {
			// Built-in names, and the scenario files of this folder.
			entries, _ := os.ReadDir(".")
			for _, e := range entries {
				if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
					out = append(out, e.Name())
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
	}
	return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
}

// completePolicy completes policy names.
func completePolicy(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, n := range policy.Names() {
		if strings.HasPrefix(n, toComplete) && !slices.Contains(args, n) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// metricNames lists every metric name of the registry, families with a
// priority expanded (response_p90_s_p1 … p3); families over unit or
// incident types are named by the run's own files (see completeMetric).
func metricNames() []string {
	var out []string
	for _, e := range results.Reference() {
		name := e.Metric.Name
		switch {
		case !strings.Contains(name, "{"):
			out = append(out, name)
		case strings.Contains(name, "{P}"):
			for _, p := range []string{"1", "2", "3"} {
				out = append(out, strings.ReplaceAll(name, "{P}", p))
			}
		}
	}
	return out
}

// completeMetric completes a metric name: those of the output folder named
// by the first argument when it has them (a run's results.json, a sweep's
// points.csv), else the registry's.
func completeMetric(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := metricNames()
	if len(args) > 0 {
		if got := folderNames(args[0], "metric"); len(got) > 0 {
			names = got
		}
	}
	return prefixed(names, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeVariant completes a variant name of the output folder named by
// the first argument.
func completeVariant(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return prefixed(folderNames(args[0], "variant"), toComplete), cobra.ShellCompDirectiveNoFileComp
}

func prefixed(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// completionLimit bounds what completion reads of a file.
const completionLimit = 64 << 20

// folderNames returns the variant or metric names of a run's output folder
// (results.json) or of a sweep's (the variant and metric columns of
// points.csv), in their order, or nil.
func folderNames(dir, what string) []string {
	if data, err := inputs.ReadFile(filepath.Join(dir, "results.json"), completionLimit); err == nil {
		var doc struct {
			Variants []struct {
				Name string `json:"name"`
			} `json:"variants"`
			Metrics []struct {
				Name string `json:"name"`
			} `json:"metrics"`
		}
		if json.Unmarshal(data, &doc) != nil {
			return nil
		}
		var out []string
		if what == "variant" {
			for _, v := range doc.Variants {
				out = append(out, v.Name)
			}
		} else {
			for _, m := range doc.Metrics {
				out = append(out, m.Name)
			}
		}
		return out
	}
	f, err := os.Open(filepath.Join(dir, "points.csv"))
	if err != nil {
		return nil
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	col := slices.Index(head, what)
	if err != nil || col < 0 {
		return nil
	}
	var out []string
	for range 1 << 16 {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if col < len(rec) && !slices.Contains(out, rec[col]) {
			out = append(out, rec[col])
		}
	}
	return out
}

// addCompletions registers the completions of the commands' arguments and
// flags.
func addCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		switch c.Name() {
		case "run", "validate", "serve", "baseline", "check", "hypercube":
			c.ValidArgsFunction = completeScenario
		case "policies":
			c.ValidArgsFunction = completePolicy
		case "sweep", "merge":
			// A sweep file, then (merge) folders holding slices' journals.
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) == 0 {
					return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
				}
				if cmd.Name() == "merge" {
					return nil, cobra.ShellCompDirectiveFilterDirs
				}
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			c.RegisterFlagCompletionFunc("out", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return nil, cobra.ShellCompDirectiveFilterDirs
			})
		case "report":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return nil, cobra.ShellCompDirectiveFilterDirs
			}
			c.RegisterFlagCompletionFunc("metric", completeMetric)
			c.RegisterFlagCompletionFunc("compare", completeVariant)
			c.RegisterFlagCompletionFunc("variant", completeVariant)
		}
	}
}
