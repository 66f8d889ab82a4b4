package main

// The docs as tests (issue 20): every shell example of README.md and
// docs/*.md is checked by parsing (commands, sub-commands and flags exist;
// go test patterns name tests that exist) and then run, in order, against
// the built binary in a scratch copy of the checkout (so ../shared/data and
// docs/examples resolve as for a user), which must stay `git status` clean
// apart from out/; every YAML scenario example loads; every flag named in
// the prose exists; every file the docs say a command writes is written
// and named in its --help; every key the template prints is documented in
// docs/scenario-format.md. TestDocsCheckerFails proves the checker can
// fail, on mutated copies of the docs.
//
// A block can be marked by an HTML comment on the line before its fence:
//
//	<!-- doc-test: parse-only (why) -->  checked, never run (a server, a
//	                                       cluster submission, go test)
//	<!-- doc-test: scratch -->             run in an empty folder holding
//	                                       `patrolsim template > city.yaml`
//	                                       (a user's own project), not in the
//	                                       checkout
//	<!-- doc-test: slow -->                run only under CI=true or with
//	                                       PATROLSIM_DOCS_SLOW=1 (the real-data
//	                                       runs: about a minute); else parsed
//	<!-- doc-test: output -->              the output of the shell block
//	                                       before it: each run of lines between
//	                                       "…" lines is in that output, in order
//	<!-- doc-test: fragment -->            YAML: part of a scenario; its keys
//	                                       must be the template's
//	<!-- doc-test: not-a-scenario (what) --> YAML: parsed, not loaded

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/shareddata"
	"github.com/patrolsim/patrolsim/scenarios"
)

// docBlock is one fenced block of a Markdown file.
type docBlock struct {
	file string // relative to the checkout
	line int    // of the opening fence
	lang string
	mark string // the doc-test mark before it, if any
	text string
}

func (b docBlock) where() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

var docMark = regexp.MustCompile(`^<!--\s*doc-test:\s*([a-z-]+)[^>]*-->\s*$`)

// docFiles lists the Markdown files the docs test reads, relative to root.
func docFiles(root string) ([]string, error) {
	files := []string{"README.md"}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	sort.Strings(more)
	for _, f := range more {
		files = append(files, filepath.Join("docs", filepath.Base(f)))
	}
	return files, nil
}

// docBlocks returns the fenced blocks of a Markdown file.
func docBlocks(root, rel string) ([]docBlock, error) {
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, err
	}
	var out []docBlock
	var cur *docBlock
	prev := ""
	for i, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			if cur != nil {
				out = append(out, *cur)
				cur = nil
			} else {
				cur = &docBlock{file: rel, line: i + 1, lang: strings.TrimSpace(line[3:])}
				if m := docMark.FindStringSubmatch(prev); m != nil {
					cur.mark = m[1]
				}
			}
			continue
		}
		if cur != nil {
			cur.text += line + "\n"
			continue
		}
		if strings.TrimSpace(line) != "" {
			prev = strings.TrimSpace(line)
		}
	}
	return out, nil
}

func isShell(lang string) bool { return lang == "sh" || lang == "bash" || lang == "console" }

// shellCommands splits a shell block into commands: continuation lines
// joined, comments dropped, pipelines and lists split, words unquoted.
// Redirections and their targets are dropped.
func shellCommands(text string) [][]string {
	var cmds [][]string
	joined := strings.ReplaceAll(text, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "$ ")
		var words []string
		var w strings.Builder
		inWord, quote := false, rune(0)
		flush := func() {
			if inWord {
				words = append(words, w.String())
			}
			w.Reset()
			inWord = false
		}
		end := func() {
			flush()
			// Drop redirections: > FILE, 2> FILE, < FILE.
			var kept []string
			for i := 0; i < len(words); i++ {
				if words[i] == ">" || words[i] == "2>" || words[i] == "<" || words[i] == ">>" {
					i++
					continue
				}
				kept = append(kept, words[i])
			}
			if len(kept) > 0 {
				cmds = append(cmds, kept)
			}
			words = nil
		}
		rs := []rune(line)
		for i := 0; i < len(rs); i++ {
			c := rs[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				} else {
					w.WriteRune(c)
				}
			case c == '"' || c == '\'':
				quote, inWord = c, true
			case c == '#' && !inWord:
				i = len(rs)
			case c == ' ' || c == '\t':
				flush()
			case c == '|' || c == ';' || c == '&':
				end()
				if i+1 < len(rs) && rs[i+1] == c {
					i++
				}
			case c == '>' || c == '<':
				flush()
				words = append(words, string(c))
			default:
				if c == '2' && !inWord && i+1 < len(rs) && rs[i+1] == '>' {
					words = append(words, "2>")
					i++
					continue
				}
				w.WriteRune(c)
				inWord = true
			}
		}
		end()
	}
	return cmds
}

// docChecker checks the docs of a checkout (root) against the command.
type docChecker struct {
	root     string
	problems []string
}

func (c *docChecker) addf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// findCommand finds the patrolsim command args (the words after
// "patrolsim") name, and the words after it.
func findCommand(args []string) (*cobra.Command, []string, error) {
	root := NewMain(nil, nil).root()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return nil, nil, err
	}
	return cmd, rest, nil
}

// hasFlag reports whether cmd has the flag word (--name, --name=value or
// -x).
func hasFlag(cmd *cobra.Command, word string) bool {
	word = strings.Trim(word, "[]()|")
	if word == "--help" || word == "-h" {
		return true
	}
	var f *pflag.Flag
	if name, ok := strings.CutPrefix(word, "--"); ok {
		name, _, _ = strings.Cut(name, "=")
		f = cmd.Flags().Lookup(name)
	} else if len(word) == 2 {
		f = cmd.Flags().ShorthandLookup(word[1:])
	} else {
		return false
	}
	return f != nil
}

// checkPatrolsim checks one patrolsim command line (the words after the
// program name): the sub-command and every flag exist.
func (c *docChecker) checkPatrolsim(where string, args []string) {
	cmd, rest, err := findCommand(args)
	if err != nil || cmd.Parent() == nil {
		c.addf("%s: patrolsim %s: no such command (%v)", where, strings.Join(args, " "), err)
		return
	}
	for _, w := range rest {
		w = strings.Trim(w, "[]()")
		if strings.HasPrefix(w, "-") && len(w) > 1 && !hasFlag(cmd, w) {
			c.addf("%s: patrolsim %s has no flag %s (see patrolsim %s --help)", where, cmd.Name(), w, cmd.Name())
		}
	}
}

var testFunc = regexp.MustCompile(`(?m)^func ((Test|Benchmark|Fuzz|Example)\w*)\(`)

// checkGoTest checks a go test command: its packages exist and -run,
// -bench and -fuzz name functions they hold.
func (c *docChecker) checkGoTest(where string, args []string) {
	var pkgs []string
	pats := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-run", "-bench", "-fuzz", "-count", "-fuzztime", "-timeout":
			if i+1 < len(args) {
				pats[a] = args[i+1]
			}
			i++
			continue
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		pkgs = append(pkgs, a)
	}
	var funcs []string
	for _, p := range pkgs {
		dir := filepath.Join(c.root, strings.TrimSuffix(p, "/..."))
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			c.addf("%s: go test %s: no such package folder", where, p)
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			for _, m := range testFunc.FindAllStringSubmatch(string(data), -1) {
				funcs = append(funcs, m[1])
			}
		}
	}
	for flag, pat := range pats {
		if flag == "-count" || flag == "-fuzztime" || flag == "-timeout" {
			continue
		}
		if flag == "-run" && pat == "XXX" && (pats["-bench"] != "" || pats["-fuzz"] != "") {
			continue // the usual "no test, only the benchmark or fuzz target"
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			c.addf("%s: go test %s %q: %v", where, flag, pat, err)
			continue
		}
		prefix := map[string]string{"-run": "", "-bench": "Benchmark", "-fuzz": "Fuzz"}[flag]
		found := false
		for _, f := range funcs {
			if strings.HasPrefix(f, prefix) && (flag == "-run" && !strings.HasPrefix(f, "Benchmark") || flag != "-run") && re.MatchString(f) {
				found = true
			}
		}
		if !found {
			c.addf("%s: go test %s %s %s: no such function in %s", where, strings.Join(pkgs, " "), flag, pat, strings.Join(pkgs, ", "))
		}
	}
}

// checkShell checks every command of a shell block by parsing.
func (c *docChecker) checkShell(b docBlock) {
	for _, words := range shellCommands(b.text) {
		where := b.where()
		for len(words) > 1 && envAssign.MatchString(words[0]) {
			words = words[1:]
		}
		switch {
		case words[0] == "patrolsim" || words[0] == "./patrolsim" || words[0] == "$PATROLSIM":
			c.checkPatrolsim(where, words[1:])
		case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/patrolsim":
			c.checkPatrolsim(where, words[3:])
		case len(words) >= 2 && words[0] == "go" && words[1] == "test":
			c.checkGoTest(where, words[2:])
		case len(words) >= 2 && words[0] == "go" && (words[1] == "build" || words[1] == "install"):
			pkg := words[len(words)-1]
			if st, err := os.Stat(filepath.Join(c.root, pkg)); err != nil || !st.IsDir() {
				c.addf("%s: go %s %s: no such package folder", where, words[1], pkg)
			}
		case words[0] == "bash" || strings.HasSuffix(words[0], ".sh"):
			script := words[0]
			if words[0] == "bash" && len(words) > 1 {
				script = words[1]
			}
			if _, err := os.Stat(filepath.Join(c.root, script)); err != nil {
				c.addf("%s: %s: no such script", where, script)
			}
		case slices.Contains([]string{"cd", "mkdir", "jq", "$EDITOR", "cp", "ls", "cat", "sbatch", "kubectl", "npm"}, words[0]):
		default:
			c.addf("%s: %s: a command the docs test does not know (add it to docChecker.checkShell)", where, words[0])
		}
	}
}

// envAssign matches a variable set for one command (CI=true go test …).
var envAssign = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// runScript is the block as it is run: patrolsim is the built binary (on
// PATH), go build of it a copy, go test, go install and .ci/run skipped
// (checked by parsing: running them here would run the tests inside a
// test).
func runScript(text string) string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n") {
		t := strings.TrimSpace(line)
		for f := strings.Fields(t); len(f) > 1 && envAssign.MatchString(f[0]); f = f[1:] {
			t = strings.TrimSpace(strings.TrimPrefix(t, f[0]))
		}
		switch {
		case strings.HasPrefix(t, "go test"), strings.HasPrefix(t, "go install"), strings.HasPrefix(t, "bash .ci/run"):
			line = ": " + shellQuote(t)
		case strings.HasPrefix(t, "go build -o "):
			f := strings.Fields(t)
			line = `cp "$PATROLSIM_BIN" ` + f[3]
		}
		line = strings.ReplaceAll(line, "go run ./cmd/patrolsim", "patrolsim")
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// templateKeys returns every key the template names, set or in a comment.
func templateKeys(t testing.TB) map[string]bool {
	keys := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				keys[n.Content[i].Value] = true
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(scenarios.Template), &doc); err != nil {
		t.Fatal(err)
	}
	walk(&doc)
	// Keys in comments: "  # key: …" and the keys of flow mappings there.
	commented := regexp.MustCompile(`^\s*#\s+(?:-\s+)?\{?([a-z][a-z0-9_]*):`)
	flow := regexp.MustCompile(`[{,]\s*([a-z][a-z0-9_]*):`)
	for _, line := range strings.Split(scenarios.Template, "\n") {
		_, comment, ok := strings.Cut(line, "#")
		if !ok {
			continue
		}
		if m := commented.FindStringSubmatch("#" + comment); m != nil {
			keys[m[1]] = true
			for _, f := range flow.FindAllStringSubmatch(comment, -1) {
				keys[f[1]] = true
			}
		}
	}
	// Names of the template's own things, not keys of the format.
	for _, name := range []string{"car", "urgent", "routine"} {
		delete(keys, name)
	}
	return keys
}

// checkTemplateKeys: every key of the template is in scenario-format.md.
func (c *docChecker) checkTemplateKeys(keys map[string]bool) {
	data, err := os.ReadFile(filepath.Join(c.root, "docs", "scenario-format.md"))
	if err != nil {
		c.addf("%v", err)
		return
	}
	// A key is documented when it is a word of a code span (`key`,
	// `{rows, cols}`) or a key of a YAML example there.
	words := map[string]bool{}
	ident := regexp.MustCompile(`[a-z][a-z0-9_]*`)
	for _, span := range regexp.MustCompile("`[^`\n]+`").FindAllString(string(data), -1) {
		for _, w := range ident.FindAllString(span, -1) {
			words[w] = true
		}
	}
	for _, m := range regexp.MustCompile(`(?m)^\s*(?:-\s+)?([a-z][a-z0-9_]*):`).FindAllStringSubmatch(string(data), -1) {
		words[m[1]] = true
	}
	var missing []string
	for k := range keys {
		if !words[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		c.addf("docs/scenario-format.md: the template's key %s is not documented", k)
	}
}

// checkYAML: a scenario example loads; a fragment uses only template keys;
// any other YAML parses.
func (c *docChecker) checkYAML(b docBlock, keys map[string]bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(b.text), &doc); err != nil {
		c.addf("%s: not YAML: %v", b.where(), err)
		return
	}
	switch b.mark {
	case "not-a-scenario":
		return
	case "fragment":
		var walk func(n *yaml.Node, under string)
		walk = func(n *yaml.Node, under string) {
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					k := n.Content[i].Value
					// Map keys naming things: unit types in a variant's
					// units or by_unit, policy parameters, road classes, a
					// replayed log's categories.
					if !slices.Contains([]string{"units", "by_unit", "params", "speeds", "categories"}, under) && !keys[k] {
						c.addf("%s: key %s is no key of the scenario format (patrolsim template)", b.where(), k)
					}
					walk(n.Content[i+1], k)
				}
				return
			}
			for _, ch := range n.Content {
				walk(ch, under)
			}
		}
		walk(&doc, "")
		return
	}
	dir, err := os.MkdirTemp("", "doc-yaml")
	if err != nil {
		c.addf("%v", err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, strings.ReplaceAll(b.where(), "/", "_")+".yaml")
	os.WriteFile(path, []byte(b.text), 0o644)
	if _, err := loadScenario(path); err != nil {
		c.addf("%s: the scenario example does not load: %s", b.where(), strings.ReplaceAll(indentError(err), path, b.where()))
	}
}

// flagWord finds --flags in prose.
var flagWord = regexp.MustCompile("(?:^|[\\s`(\\[|])(--[a-z][a-z0-9-]*)")

// Flags the docs name that belong to other programs.
var foreignFlags = map[string]string{
	"--dependency": "sbatch", "--array": "sbatch", "--for": "kubectl wait",
	"--prefix": "npm install", "--no-save": "npm install",
}

// checkProseFlags: every --flag named anywhere in the docs is a flag of
// some patrolsim command.
func (c *docChecker) checkProseFlags(files []string) {
	all := map[string]bool{}
	var visit func(cmd *cobra.Command)
	visit = func(cmd *cobra.Command) {
		cmd.Flags().VisitAll(func(f *pflag.Flag) { all["--"+f.Name] = true })
		for _, s := range cmd.Commands() {
			visit(s)
		}
	}
	visit(NewMain(nil, nil).root())
	all["--help"] = true
	for _, rel := range files {
		f, err := os.Open(filepath.Join(c.root, rel))
		if err != nil {
			c.addf("%v", err)
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		n := 0
		inGoTest := false
		for sc.Scan() {
			n++
			line := sc.Text()
			// A go test line's flags are go's; a "not done yet" line names
			// flags that do not exist yet.
			inGoTest = strings.Contains(line, "go test") || strings.Contains(strings.ToLower(line), "not done yet")
			for _, m := range flagWord.FindAllStringSubmatch(line, -1) {
				if all[m[1]] || foreignFlags[m[1]] != "" || inGoTest {
					continue
				}
				c.addf("%s:%d: %s is a flag of no patrolsim command", rel, n, m[1])
			}
		}
		f.Close()
	}
}

// checkFlagTable: the README's table of run's flags and run --help agree
// both ways.
func (c *docChecker) checkFlagTable() {
	data, err := os.ReadFile(filepath.Join(c.root, "README.md"))
	if err != nil {
		c.addf("%v", err)
		return
	}
	_, rest, ok := strings.Cut(string(data), "Flags of `run`:")
	if !ok {
		c.addf("README.md: no \"Flags of `run`:\" table")
		return
	}
	table, _, _ := strings.Cut(rest, "\n\n\n")
	cmd, _, _ := findCommand([]string{"run"})
	documented := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		if !strings.HasPrefix(line, "| `-") {
			if strings.TrimSpace(line) == "" {
				break
			}
			continue
		}
		cell := strings.Split(line, "|")[1]
		for _, m := range regexp.MustCompile("--[a-z-]+").FindAllString(cell, -1) {
			documented[m] = true
			if !hasFlag(cmd, m) {
				c.addf("README.md: the run flag table names %s, which run does not have", m)
			}
		}
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !documented["--"+f.Name] && f.Name != "help" {
			c.addf("README.md: run's flag --%s is not in the table \"Flags of `run`\"", f.Name)
		}
	})
}

// checkStatic runs every check that runs nothing.
func (c *docChecker) checkStatic(t testing.TB) []docBlock {
	files, err := docFiles(c.root)
	if err != nil {
		t.Fatal(err)
	}
	keys := templateKeys(t)
	var shell []docBlock
	for _, f := range files {
		blocks, err := docBlocks(c.root, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			switch {
			case isShell(b.lang):
				c.checkShell(b)
				shell = append(shell, b)
			case b.mark == "output":
				shell = append(shell, b)
			case b.lang == "yaml":
				c.checkYAML(b, keys)
			}
		}
	}
	c.checkProseFlags(files)
	c.checkFlagTable()
	c.checkTemplateKeys(keys)
	return shell
}

// repoRoot is the checkout this package is in.
func repoRoot(t testing.TB) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestDocs: the docs as tests (see the top of this file).
func TestDocs(t *testing.T) {
	root := repoRoot(t)
	c := &docChecker{root: root}
	shell := c.checkStatic(t)
	for _, p := range c.problems {
		t.Error(p)
	}
	if t.Failed() {
		return
	}
	t.Run("run", func(t *testing.T) {
		if raceEnabled {
			// The examples run the built binary, another process: nothing
			// for this process's race detector, minutes of its time.
			t.Skip("skipped under the race detector")
		}
		runDocBlocks(t, root, shell)
	})
}

// runDocBlocks runs the shell blocks, file by file, each file's in a fresh
// copy of the checkout, and checks that git status stays clean but for out/.
func runDocBlocks(t *testing.T, root string, blocks []docBlock) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found: the docs test copies the checkout with git")
	}
	byFile := map[string][]docBlock{}
	var files []string
	slow := os.Getenv("CI") == "true" || os.Getenv("PATROLSIM_DOCS_SLOW") == "1"
	for _, b := range blocks {
		if b.mark == "parse-only" {
			continue
		}
		if b.mark == "slow" && !slow {
			t.Logf("%s: parsed, not run (slow: it runs under CI=true or PATROLSIM_DOCS_SLOW=1)", b.where())
			continue
		}
		if _, ok := byFile[b.file]; !ok {
			files = append(files, b.file)
		}
		byFile[b.file] = append(byFile[b.file], b)
	}
	for _, file := range files {
		t.Run(strings.ReplaceAll(file, "/", "_"), func(t *testing.T) {
			for _, b := range byFile[file] {
				if strings.Contains(b.text, "../shared/data") {
					// Skips without the data, fails under CI=true.
					shareddata.Path(t, ".")
				}
			}
			for _, p := range runDocFile(t, root, file, byFile[file]) {
				t.Error(p)
			}
		})
	}
}

// runDocFile runs the blocks of one Markdown file in order, in a fresh copy
// of the checkout at root (blocks marked scratch in an empty folder beside
// it, holding the template as city.yaml), against the built binary, and
// returns the problems: a block that fails, and any change to the copy
// (git status) outside out/.
func runDocFile(t *testing.T, root, file string, blocks []docBlock) []string {
	bin := patrolsimBinary(t)
	base := t.TempDir()
	binDir := filepath.Join(base, "bin")
	os.MkdirAll(binDir, 0o755)
	if err := os.Symlink(bin, filepath.Join(binDir, "patrolsim")); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("jq"); err != nil {
		// The Quick start pipes into jq; without it, a stand-in reads the
		// JSON (patrolsim's part of the pipe is still tested).
		t.Log("jq not found: a stand-in that only reads its input")
		os.WriteFile(filepath.Join(binDir, "jq"), []byte("#!/bin/sh\ncat >/dev/null\n"), 0o755)
	}
	checkout := filepath.Join(base, "patrolsim")
	copyTracked(t, root, checkout)
	// ../shared beside the copy, as beside the checkout.
	if shared, err := filepath.EvalSymlinks(filepath.Join(root, "..", "shared")); err == nil {
		os.Symlink(shared, filepath.Join(base, "shared"))
	}
	git(t, checkout, "init", "-q")
	git(t, checkout, "add", "-A")
	git(t, checkout, "-c", "user.name=doc", "-c", "user.email=doc@test", "-c", "commit.gpgsign=false", "commit", "-qm", "docs test")
	scratch := filepath.Join(base, "project")
	os.MkdirAll(scratch, 0o755)
	os.WriteFile(filepath.Join(scratch, "city.yaml"), []byte(scenarios.Template), 0o644)
	var problems []string
	last := "" // the output of the last shell block
	for _, b := range blocks {
		if b.mark == "output" {
			if p := outputMatches(b.text, last); p != "" {
				problems = append(problems, fmt.Sprintf("%s: the sample output is not what the command before it prints: %s", b.where(), p))
			}
			continue
		}
		dir := checkout
		if b.mark == "scratch" {
			dir = scratch
		}
		start := time.Now()
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", runScript(b.text))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
			"PATROLSIM_BIN="+bin, "EDITOR=true", "NO_COLOR=1",
			// Road tables cached where the test cleans up, not in the
			// runner's own cache folder.
			"PATROLSIM_CACHE="+filepath.Join(base, "cache"))
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			problems = append(problems, fmt.Sprintf("%s: the example fails (%v):\n%s", b.where(), err, tail(out.String()+errb.String(), 40)))
		}
		last = out.String()
		t.Logf("%s: ran in %.1f s", b.where(), time.Since(start).Seconds())
	}
	for _, line := range gitLines(t, checkout, "status", "--porcelain", "-z", "--untracked-files=all") {
		if !strings.HasPrefix(line, "?? out/") {
			problems = append(problems, fmt.Sprintf("following %s leaves the checkout changed outside out/: %q", file, line))
		}
	}
	return problems
}

// outputMatches checks a sample output (lines, "…" for lines left out)
// against what was printed: every run of lines between "…" lines must be
// there, contiguous, and the runs in order. It returns what is wrong, or "".
func outputMatches(sample, got string) string {
	trim := func(s string) []string {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i := range lines {
			lines[i] = strings.TrimRight(lines[i], " ")
		}
		return lines
	}
	out := trim(got)
	var runs [][]string
	cur := []string{}
	for _, l := range trim(sample) {
		if strings.TrimSpace(l) == "…" {
			runs = append(runs, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, l)
	}
	runs = append(runs, cur)
	at := 0
	for _, run := range runs {
		if len(run) == 0 {
			continue
		}
		found := -1
		for i := at; i+len(run) <= len(out); i++ {
			if slices.Equal(out[i:i+len(run)], run) {
				found = i
				break
			}
		}
		if found < 0 {
			// Say which line of the run is not there.
			for _, l := range run {
				if !slices.Contains(out[at:], l) {
					return fmt.Sprintf("the line %q is not printed (after the lines matched so far)", l)
				}
			}
			return fmt.Sprintf("the lines from %q are printed, but not together in this order: mark lines left out with …", run[0])
		}
		at = found + len(run)
	}
	return ""
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func gitLines(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\x00") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// copyTracked copies the tracked files of root, as they are in the working
// tree (the docs being edited), to dst.
func copyTracked(t *testing.T, root, dst string) {
	t.Helper()
	for _, f := range gitLines(t, root, "ls-files", "-z") {
		src := filepath.Join(root, f)
		st, err := os.Lstat(src)
		if err != nil {
			continue // deleted in the working tree
		}
		to := filepath.Join(dst, f)
		os.MkdirAll(filepath.Dir(to), 0o755)
		if st.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(src)
			os.Symlink(target, to)
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDocsCheckerFails: the checker is not a test that cannot fail. Each
// mutation of a copy of the docs, as a doc edit would break them, is
// reported; so are an example that fails and one that leaves a file in the
// checkout.
func TestDocsCheckerFails(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found")
	}
	root := repoRoot(t)
	mutations := []struct {
		file, from, to, want string
	}{
		{"README.md", "--json -q", "--jsno -q", "patrolsim run has no flag --jsno"},
		{"README.md", "go test ./cmd/patrolsim -run Story", "go test ./cmd/patrolsim -run Stroy", "-run Stroy: no such function"},
		{"README.md", "warmup: 2d ", "warmpu: 2d ", "key warmpu is no key of the scenario format"},
		{"README.md", "| `--trace` |", "| `--tarce` |", "the run flag table names --tarce"},
		{"README.md", "| `--trace` |", "| trace |", "run's flag --trace is not in the table"},
		{"docs/sweeps.md", "`--shard I/N` runs", "`--slice I/N` runs", "--slice is a flag of no patrolsim command"},
		{"docs/scenario-format.md", "| `lost_calls` |", "| lost calls |", "the template's key lost_calls is not documented"},
		{"docs/serve.md", "patrolsim serve city.yaml", "patrolsim serv city.yaml", "patrolsim serv city.yaml --addr 127.0.0.1:9000: no such command"},
	}
	for _, m := range mutations {
		t.Run(m.want, func(t *testing.T) {
			w := t.TempDir()
			copyDocs(t, root, w)
			path := filepath.Join(w, m.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte(m.from)) {
				t.Fatalf("%s no longer holds %q: update the mutation", m.file, m.from)
			}
			os.WriteFile(path, bytes.Replace(data, []byte(m.from), []byte(m.to), 1), 0o644)
			c := &docChecker{root: w}
			c.checkStatic(t)
			found := false
			for _, p := range c.problems {
				found = found || strings.Contains(p, m.want)
			}
			if !found {
				t.Errorf("mutation %q → %q not reported (want %q); problems:\n%s", m.from, m.to, m.want, strings.Join(c.problems, "\n"))
			}
		})
	}
	t.Run("run", func(t *testing.T) {
		blocks := []docBlock{
			{file: "README.md", line: 1, lang: "sh", text: "mkdir -p out\npatrolsim template > out/city.yaml\npatrolsim validate out/cty.yaml\n"},
			{file: "README.md", line: 2, lang: "sh", text: "patrolsim template > city.yaml\n"},
		}
		problems := strings.Join(runDocFile(t, root, "README.md", blocks), "\n")
		for _, want := range []string{"README.md:1: the example fails", "cty.yaml", `leaves the checkout changed outside out/: "?? city.yaml"`} {
			if !strings.Contains(problems, want) {
				t.Errorf("not reported: %q; problems:\n%s", want, problems)
			}
		}
	})
}

// copyDocs copies what the static checks read: the docs, and the folders
// of the packages and scripts they name.
func copyDocs(t *testing.T, root, dst string) {
	t.Helper()
	for _, f := range gitLines(t, root, "ls-files", "-z") {
		if !strings.HasSuffix(f, ".md") && !strings.HasSuffix(f, "_test.go") && !strings.HasSuffix(f, ".sh") && !strings.HasPrefix(f, ".ci/") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dst, f)), 0o755)
		os.WriteFile(filepath.Join(dst, f), data, 0o644)
	}
}

// TestDocsOutputFiles: every file the docs say run and sweep write is
// written, and named in the command's --help.
func TestDocsOutputFiles(t *testing.T) {
	root := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "### Output files")
	section, _, _ = strings.Cut(section, "\n### ")
	runFiles := regexp.MustCompile("(?m)^- `([^`]+)`").FindAllStringSubmatch(section, -1)
	sweeps, err := os.ReadFile(filepath.Join(root, "docs", "sweeps.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ = strings.Cut(string(sweeps), "## Output")
	section, _, _ = strings.Cut(section, "\n## ")
	sweepFiles := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|").FindAllStringSubmatch(section, -1)
	if len(runFiles) < 4 || len(sweepFiles) < 4 {
		t.Fatalf("the lists of output files were not found: README %d, sweeps.md %d", len(runFiles), len(sweepFiles))
	}

	w := t.TempDir()
	runOut, sweepOut := filepath.Join(w, "run"), filepath.Join(w, "sweep")
	if code, _, stderr := runMain(t, context.Background(), "run", "builtin:grid", "--trace", "--replications", "2", "-q", "-o", runOut); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	sweepFile := filepath.Join("testdata", "broken", "sweep", "good.yaml")
	if code, _, stderr := runMain(t, context.Background(), "sweep", sweepFile, "-q", "-o", sweepOut); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}
	for _, c := range []struct {
		cmds  []string
		dir   string
		files [][]string
	}{{[]string{"run"}, runOut, runFiles}, {[]string{"sweep", "merge"}, sweepOut, sweepFiles}} {
		for _, f := range c.files {
			name := f[1]
			if _, err := os.Stat(filepath.Join(c.dir, name)); err != nil {
				t.Errorf("the docs name %s as written by %s, but it was not: %v", name, c.cmds[0], err)
			}
			if name == "journal.txt" {
				continue // the sweep's record of progress, not a result file
			}
			for _, sub := range c.cmds {
				cmd, _, _ := findCommand([]string{sub})
				if !strings.Contains(cmd.Long, name) {
					t.Errorf("%s --help does not name %s, which the docs say it writes", sub, name)
				}
			}
		}
	}
}
