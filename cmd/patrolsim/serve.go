package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/cmd/patrolsim/serve"
	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/results/report"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

func (m *Main) serveCmd() *cobra.Command {
	var addr string
	var workers int
	cmd := &cobra.Command{
		Use:   "serve [SCENARIO.yaml]",
		Short: "Serve a what-if page: change the force and policies in a browser and run",
		Long: "serve starts a local web server with a page where planners change a scenario's\n" +
			"units, variants, incident volume, deterrence, duration and replications, run it\n" +
			"and read the ranking. It binds to 127.0.0.1 unless told otherwise; on any other\n" +
			"address every request needs the token it prints. Without a token it answers only\n" +
			"to localhost, 127.0.0.1 or [::1], and no other site's page may change anything.\n" +
			"See docs/serve.md.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			if workers < 1 {
				return usageError{fmt.Errorf("--workers must be >= 1 (got %d)", workers)}
			}
			opts, err := serveOptions(path, workers)
			if err != nil {
				return err
			}
			if !serve.IsLoopback(addr) {
				opts.Token = serve.NewToken()
			}
			srv, err := serve.New(opts)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usageError{err}
			}
			url, note := serveURL(ln.Addr())
			if opts.Token != "" {
				url += "?token=" + opts.Token
				fmt.Fprintf(m.stdout, "patrolsim serve: %s on %s (not loopback: every request needs the token)\ntoken: %s\n", opts.Name, ln.Addr(), opts.Token)
			} else {
				fmt.Fprintf(m.stdout, "patrolsim serve: %s on %s\n", opts.Name, ln.Addr())
			}
			fmt.Fprintf(m.stdout, "open %s (Ctrl-C stops)\n", url)
			if note != "" {
				fmt.Fprintln(m.stdout, note)
			}
			err = srv.Serve(cmd.Context(), ln)
			if cmd.Context().Err() != nil {
				return nil
			}
			return err
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (host:port); a non-loopback host requires a token")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "replications run in parallel per run")
	return cmd
}

// serveURL returns the address to open for a listener: an address a
// browser can open as given. A listener on every interface (0.0.0.0, [::],
// which Go may show for either) is opened on this machine at 127.0.0.1,
// and the note says how other machines reach it.
func serveURL(addr net.Addr) (url, note string) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return "http://" + addr.String() + "/", ""
	}
	port := strconv.Itoa(tcp.Port)
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "THIS-HOST"
	}
	return "http://127.0.0.1:" + port + "/", fmt.Sprintf("listening on every interface: from another machine open http://%s:%s/ with the same ?token=…", host, port)
}

// serveOptions reads the scenario (a file, or a built-in one as in
// loadScenario) and returns the server's options.
func serveOptions(path string, workers int) (serve.Options, error) {
	if _, err := loadScenario(path); err != nil {
		return serve.Options{}, err
	}
	opts := serve.Options{Run: serveRunner(workers), Workers: workers}
	name, builtin := strings.CutPrefix(path, "builtin:")
	if path == "" {
		name, builtin = scenarios.DefaultName, true
	}
	if builtin {
		data, fsys, err := scenarios.BuiltinFile(name)
		if err != nil {
			return opts, usageError{err}
		}
		opts.Name, opts.Doc, opts.Builtin = "builtin:"+name+"/scenario.yaml", data, name
		opts.Load = func(doc []byte) (*scenarios.Scenario, error) { return scenarios.Load(opts.Name, doc, fsys) }
		return opts, nil
	}
	data, err := inputs.ReadFile(path, scenarios.MaxFileBytes)
	if err != nil {
		return opts, usageError{err}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return opts, err
	}
	opts.Name, opts.Doc, opts.DataDir = path, data, filepath.Dir(abs)
	opts.Load = func(doc []byte) (*scenarios.Scenario, error) { return scenarios.LoadAt(abs, doc) }
	return opts, nil
}

// serveRunner runs a scenario as `patrolsim run` does, reporting progress,
// and keeps its result in memory: the summary and details, the report's
// SVG charts drawn from them, and the resolved scenario (relative data
// paths kept: an upload's files are the user's). The report is drawn from
// the scenario as loaded: an uploaded scenario's data files exist only in
// memory, and its data paths must never be looked up on the disk. Nothing
// is written to the disk, so no scenario, whatever its path claims, can put
// a file of its own where a run reads its results.
func serveRunner(workers int) serve.Runner {
	return func(ctx context.Context, s *scenarios.Scenario, progress func(done, total int)) (*serve.Output, error) {
		res, err := run.Execute(ctx, s, run.Options{Workers: workers, Progress: progress})
		if err != nil {
			return nil, err
		}
		in := &report.Input{Scenario: s, Results: res.Summary.Document(), Details: res.Details}
		charts, err := in.SVGCharts(report.Options{})
		if err != nil {
			return nil, err
		}
		resolved, _, err := run.Resolve(s, run.ResolveOptions{KeepRelative: true})
		if err != nil {
			return nil, err
		}
		return &serve.Output{Summary: res.Summary, Details: res.Details, Charts: charts, Resolved: resolved, City: s.Config.City}, nil
	}
}
