package serve

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/results/report"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// Limits. Work is replications × duration in days × units (the sum of the
// unit types' counts): the built-in city is 8 × 30 × 199 = 47,760.
// Uploads are bounded in raw size (a scenario and its GeoJSON files: the
// built-in city's are 40 KB, Chicago's 277 community areas 2.9 MB, San
// Francisco's roads 2 MB) and in number kept, so their raw bytes stay below
// MaxKeptUploads × MaxUploadBytes = 128 MiB; and in parsed size, which is
// what a scenario costs once loaded: about 400 bytes an area and 120 a
// coordinate (a 455-byte scenario of a 400 × 500 grid is 80 MiB loaded), so
// an upload of at most MaxUploadAreas areas and MaxUploadPositions
// positions is at most about 40 MiB loaded, and the road table a run of it
// builds is bounded too (MaxUploadRoadTableBytes).
const (
	MaxBodyBytes   = 1 << 20  // a request body, except an upload
	MaxUploadBytes = 32 << 20 // an upload: the scenario and its data files together, raw bytes
	MaxUploadFiles = 16       // files in one upload
	MaxKeptUploads = 4        // uploaded scenarios kept in memory; the oldest go first
	DefaultMaxWork = 500_000  // replications × days × units of one run
	DefaultMaxRuns = 2        // runs in progress at once
	MaxKeptRuns    = 50       // finished runs kept in memory; the oldest go first

	// DefaultMaxRunBytes bounds the memory a run is estimated to take
	// (Cost.Bytes: expected incidents, units and replications played at
	// once), so runs in progress hold at most DefaultMaxRuns × 512 MiB;
	// DefaultMaxRunSeconds bounds its estimated time, so a slot is not
	// held for hours.
	DefaultMaxRunBytes   = 512 << 20
	DefaultMaxRunSeconds = 20 * 60

	// MaxUploadAreas bounds an uploaded scenario's areas (a grid's rows ×
	// cols, or the features of its areas file).
	MaxUploadAreas = 20_000
	// MaxUploadPositions bounds the coordinate positions ([x, y]) in an
	// upload's data files together: the vertices of areas and routes,
	// posts, road points (Chicago's areas have 72,667, San Francisco's
	// roads 43,371).
	MaxUploadPositions = 250_000
	// MaxUploadRoadTableBytes bounds the road table a run of an uploaded
	// road scenario builds: zones × road nodes × 4 bytes of
	// shortest-path trees and zones² × 24 bytes of times and boxes (San
	// Francisco: 28,172 nodes in 526 zones, 63 MiB).
	MaxUploadRoadTableBytes = 256 << 20
	// MaxUploadParses is how many uploads are read and loaded at once;
	// another one meanwhile is refused with 429. UploadReadTimeout bounds
	// the reading of an upload's body, so a slow sender cannot hold the
	// slot.
	MaxUploadParses   = 1
	UploadReadTimeout = 2 * time.Minute
	// MaxParses is how many edited scenarios (Check, Run) are loaded at
	// once; more wait their turn.
	MaxParses = 2

	// MaxMapAreas and MaxMapVertices bound the city maps drawn before a
	// run (GET /api/map.svg), for any scenario: about 470 bytes of SVG an
	// area and 105 a vertex (a 20,000-cell grid is 9.4 MB, drawn in 0.6 s).
	MaxMapAreas    = 20_000
	MaxMapVertices = 250_000
	// MaxMapRenders is how many maps are drawn at once; more wait their
	// turn. Requests for a map being drawn wait for that drawing.
	MaxMapRenders = 2
	// MapCacheBytes bounds the maps kept drawn, least recently used out
	// first; a map larger than MaxCachedMapBytes is drawn for each request
	// and not kept.
	MapCacheBytes     = 32 << 20
	MaxCachedMapBytes = 8 << 20
	// MaxKeptChartBytes: a finished run does not keep a chart larger than
	// this (a map of a big city; patrolsim report draws it). The finished
	// runs kept hold at most MaxKeptRunBytes together (results, charts,
	// scenario), the oldest forgotten first.
	MaxKeptChartBytes = 8 << 20
	MaxKeptRunBytes   = 256 << 20
)

//go:embed static
var static embed.FS

// Output is what a finished run keeps, in memory: its summary, the
// distributions behind it, the report's charts and the resolved scenario.
// The downloads results.json and replications.csv are encoded from the
// summary when asked for, byte for byte what `patrolsim run` writes.
type Output struct {
	// Summary holds the estimates, ranking and comparisons and every
	// replication's metric values (compare pairs them).
	Summary *results.Summary
	// Details are the distributions behind the means (details.json).
	Details results.DetailsJSON
	// Charts are the report's SVG charts, by name (e.g. "ranking.svg").
	Charts map[string][]byte
	// Resolved is the scenario as run, every default filled in, as
	// `patrolsim run` writes it beside its results (scenario.yaml); nil
	// when the runner gives none.
	Resolved []byte
	// City is the scenario's geography, for the areas.geojson download
	// (results.WriteAreasGeoJSON of City and Details); nil when the runner
	// gives none (no such download).
	City *geo.City
}

// memory estimates the bytes o holds besides its charts: eight a number
// of the summary and details, and the resolved scenario.
func (o *Output) memory() int {
	n := len(o.Resolved)
	if s := o.Summary; s != nil {
		for _, v := range s.Variants {
			n += len(v.Name) + 8*len(v.Estimates)*4 + 8*len(v.Reps)*len(s.Metrics)
		}
		n += 8 * 8 * len(s.Comparisons)
	}
	for _, v := range o.Details.Variants {
		for _, h := range v.RespHist {
			n += 8 * len(h)
		}
		n += 8*(4+3*24) + 8*6*len(v.AtomsData.Realised)
	}
	if o.City != nil {
		for i := range o.City.Atoms {
			for _, poly := range o.City.Atoms[i].Shape() {
				for _, ring := range poly {
					n += 16 * len(ring)
				}
			}
		}
	}
	return n
}

// Runner runs a scenario. progress(done, total) reports finished variant
// runs out of variants × replications; it may be called from several
// goroutines.
type Runner func(ctx context.Context, s *scenarios.Scenario, progress func(done, total int)) (*Output, error)

// Options configure a Server.
type Options struct {
	// Name is the scenario's name in messages (its path, or builtin:NAME).
	Name string
	// Doc is the scenario document the server was started with.
	Doc []byte
	// DataDir, if set, is the folder relative data paths of Doc are read
	// from; they are made absolute in edited documents.
	DataDir string
	// Builtin, if set, is the name of the built-in scenario Doc is; its
	// relative data paths become builtin:NAME/FILE in edited documents, so
	// a downloaded copy runs anywhere.
	Builtin string
	// Load validates a document (Doc with edits applied).
	Load func(doc []byte) (*scenarios.Scenario, error)
	// Run runs a validated scenario.
	Run Runner
	// Token, if set, is required on every request: Authorization: Bearer
	// TOKEN or ?token=TOKEN.
	Token string
	// MaxWork bounds replications × days × units (default DefaultMaxWork).
	MaxWork int
	// MaxRuns bounds the runs in progress (default DefaultMaxRuns).
	MaxRuns int
	// MaxRunBytes bounds a run's estimated memory (default
	// DefaultMaxRunBytes); MaxRunSeconds its estimated time (default
	// DefaultMaxRunSeconds).
	MaxRunBytes   int64
	MaxRunSeconds float64
	// Workers is how many replications a run plays at once, for the
	// estimate (default runtime.GOMAXPROCS(0)).
	Workers int
}

// Server serves the page and the API.
type Server struct {
	opts    Options
	start   *source      // the scenario the server started with
	handler http.Handler // the API and the page behind the cross-origin check
	slots   chan struct{}

	// Semaphores: uploads being read and loaded (try, else 429), edited
	// scenarios being loaded and maps being drawn (wait).
	uploadSlots, parseSlots, renderSlots chan struct{}
	// Limits, from the constants; tests lower them.
	uploadTimeout                                 time.Duration
	mapCacheBytes, maxCachedMap                   int
	maxKeptChart, maxKeptRunBytes                 int
	cityMapSVG                                    func(city *geo.City, values []float64, title, label string) ([]byte, error)
	uploadAreas, uploadPositions, uploadRoadBytes int
	// redact takes the server's absolute paths out of texts for clients;
	// redactDirs only its folders (redactor).
	redact, redactDirs func(string) string

	mu         sync.Mutex
	runs       map[string]*run
	order      []string
	next       int
	uploads    []*source // uploaded scenarios, oldest first
	nextUpload int
	maps       mapCache
	done       chan struct{} // closed on shutdown: event streams end
	once       sync.Once
}

// run is one run and its state.
type run struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Status  string    `json:"status"` // running, done, failed, cancelled
	Done    int       `json:"done"`
	Total   int       `json:"total"`
	Error   string    `json:"error,omitempty"`
	Edits   Edits     `json:"edits"`
	Changes []Change  `json:"changes"` // the edits in words

	doc     []byte
	better  map[string]string // metric → "lower" or "higher" (absent: neither)
	out     *Output
	notKept []string // charts of out larger than the server keeps
	bytes   int      // doc and out kept, for MaxKeptRunBytes
	cancel  context.CancelFunc
	changed chan struct{} // closed and replaced on every change
}

// NewToken returns a random token of 128 bits, hex-encoded.
func NewToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// IsLoopback reports whether addr (host:port) binds only to the loopback
// interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New returns a server for the scenario of opts; it fails when the
// scenario itself does not load.
func New(opts Options) (*Server, error) {
	if opts.Load == nil || opts.Run == nil {
		return nil, errors.New("serve: Load and Run are required")
	}
	if opts.MaxWork <= 0 {
		opts.MaxWork = DefaultMaxWork
	}
	if opts.MaxRuns <= 0 {
		opts.MaxRuns = DefaultMaxRuns
	}
	if opts.MaxRunBytes <= 0 {
		opts.MaxRunBytes = DefaultMaxRunBytes
	}
	if opts.MaxRunSeconds <= 0 {
		opts.MaxRunSeconds = DefaultMaxRunSeconds
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	wd, _ := os.Getwd()
	redact, redactDirs := redactor(opts.DataDir, wd)
	start := &source{id: startID, name: redact(opts.Name), doc: opts.Doc, files: []string{}, load: opts.Load}
	switch {
	case opts.Builtin != "":
		start.rewrite = inBuiltin(opts.Builtin)
	case opts.DataDir != "":
		start.rewrite = inDir(opts.DataDir)
	}
	doc, err := applyEdits(opts.Doc, Edits{}, start.rewrite)
	if err != nil {
		return nil, err
	}
	if start.base, err = opts.Load(doc); err != nil {
		return nil, err
	}
	start.measure()
	s := &Server{opts: opts, start: start, slots: make(chan struct{}, opts.MaxRuns), runs: map[string]*run{}, done: make(chan struct{}),
		uploadSlots: make(chan struct{}, MaxUploadParses), parseSlots: make(chan struct{}, MaxParses), renderSlots: make(chan struct{}, MaxMapRenders),
		uploadTimeout: UploadReadTimeout, mapCacheBytes: MapCacheBytes, maxCachedMap: MaxCachedMapBytes,
		maxKeptChart: MaxKeptChartBytes, maxKeptRunBytes: MaxKeptRunBytes, cityMapSVG: report.CityMapSVG,
		uploadAreas: MaxUploadAreas, uploadPositions: MaxUploadPositions, uploadRoadBytes: MaxUploadRoadTableBytes, redact: redact, redactDirs: redactDirs}
	mux := http.NewServeMux()
	sub, _ := fs.Sub(static, "static")
	mux.Handle("GET /", http.FileServerFS(sub))
	mux.HandleFunc("GET /api/scenario", s.getScenario)
	mux.HandleFunc("GET /api/scenarios", s.listScenarios)
	mux.HandleFunc("POST /api/scenarios", s.upload)
	mux.HandleFunc("GET /api/map.svg", s.cityMap)
	mux.HandleFunc("GET /api/compare", s.compare)
	mux.HandleFunc("POST /api/validate", s.validate)
	mux.HandleFunc("POST /api/runs", s.startRun)
	mux.HandleFunc("GET /api/runs", s.listRuns)
	mux.HandleFunc("GET /api/runs/{id}", s.getRun)
	mux.HandleFunc("DELETE /api/runs/{id}", s.cancelRun)
	mux.HandleFunc("GET /api/runs/{id}/events", s.events)
	mux.HandleFunc("GET /api/runs/{id}/scenario.yaml", s.download)
	mux.HandleFunc("GET /api/runs/{id}/results.json", s.download)
	mux.HandleFunc("GET /api/runs/{id}/replications.csv", s.download)
	mux.HandleFunc("GET /api/runs/{id}/areas.geojson", s.download)
	mux.HandleFunc("GET /api/runs/{id}/resolved.yaml", s.download)
	mux.HandleFunc("GET /api/runs/{id}/charts/{name}", s.chart)
	// Another site's page must not change anything here: a browser's
	// cross-origin POST or DELETE (Sec-Fetch-Site, or an Origin other than
	// the Host) is refused.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "a cross-origin request is refused: only the page this server serves may change anything (open it at this server's own address)")
	}))
	s.handler = cop.Handler(mux)
	return s, nil
}

// ServeHTTP checks the Host (without a token) or the token, refuses
// cross-origin requests that change something, bounds the body and serves.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opts.Token == "" && !loopbackHost(r.Host) {
		// Without a token the address is all that keeps other pages out: a
		// DNS-rebinding page (evil.example resolved to 127.0.0.1) is same
		// origin for the browser, but its Host is its own name.
		writeError(w, http.StatusForbidden, fmt.Sprintf("Host %q refused: without a token this server answers only to localhost, 127.0.0.1 or [::1] (any port); open it at the address patrolsim serve printed", r.Host))
		return
	}
	if s.opts.Token != "" {
		via, ok := s.authorized(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="patrolsim"`)
			writeError(w, http.StatusUnauthorized, "a token is required: open the address printed by patrolsim serve (…?token=…) or send Authorization: Bearer TOKEN")
			return
		}
		if via == "query" {
			// The page's own requests (scripts, images, event streams)
			// carry the token in a cookie from then on.
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: s.opts.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		}
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
	limit := int64(MaxBodyBytes)
	if r.Method == http.MethodPost && r.URL.Path == "/api/scenarios" {
		limit = MaxUploadBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	s.handler.ServeHTTP(w, r)
}

// loopbackHost reports whether host (a Host header: name or address, with
// or without a port) is localhost or a loopback address (127.0.0.1, ::1,
// any of 127.0.0.0/8). An address cannot be rebound by DNS; of names only
// localhost is accepted.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// tokenCookie holds the token for the page's own requests.
const tokenCookie = "patrolsim_token"

// authorized reports whether r carries the token, and how: "header",
// "query" or "cookie".
func (s *Server) authorized(r *http.Request) (string, bool) {
	match := func(got string) bool {
		return subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1
	}
	// The scheme is case-insensitive (RFC 7235 §2.1): Bearer, bearer.
	if scheme, cred, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " "); ok && strings.EqualFold(scheme, "Bearer") && match(strings.TrimSpace(cred)) {
		return "header", true
	}
	if match(r.URL.Query().Get("token")) {
		return "query", true
	}
	if c, err := r.Cookie(tokenCookie); err == nil && match(c.Value) {
		return "cookie", true
	}
	return "", false
}

// Serve serves on ln until ctx is done, then shuts down gracefully:
// runs are cancelled and event streams end.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	<-errc
	return err
}

// Close cancels every run and ends the event streams.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.runs {
		if r.cancel != nil {
			r.cancel()
		}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// Problem is one problem of an edited scenario, as the loader reports it.
type Problem struct {
	Path    string `json:"path"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"` // the field's own message
	Text    string `json:"text"`    // the whole line, as patrolsim validate prints it
	// Field is where the page shows it: the field of the edit it follows
	// from (see attribute), else Path numbered as in the scenario edited
	// (variants left out do not shift the others).
	Field string `json:"field,omitempty"`
	// Edit is the edit it follows from, in words ("car: squad 2 → 1"),
	// when one does.
	Edit string `json:"edit,omitempty"`
}

// getScenario answers the form of the scenario ?id= names (default: the
// start scenario).
func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) {
	src := s.source(r.URL.Query().Get("id"))
	if src == nil {
		writeError(w, http.StatusNotFound, s.noSource(r.URL.Query().Get("id")))
		return
	}
	writeJSON(w, http.StatusOK, s.formOf(src, src.base))
}

// readEdits decodes the request body, which must be JSON (Content-Type:
// application/json: a type another site's page cannot send without the
// browser asking first); it answers the request on failure.
func readEdits(w http.ResponseWriter, r *http.Request) (Edits, bool) {
	var e Edits
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("send the edits as JSON with Content-Type: application/json (got %q)", r.Header.Get("Content-Type")))
		return e, false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&e)
	if err == nil {
		// One JSON object and nothing after it but spaces.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = terr
			if err == nil {
				err = errors.New("data after the JSON object: send one object")
			}
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than the limit of %d bytes", MaxBodyBytes))
		} else {
			writeError(w, http.StatusBadRequest, "the request body is not valid edits: "+err.Error())
		}
		return e, false
	}
	return e, true
}

// problemsOf turns a loader's error about src into problems, without the
// server's absolute paths (redact). An uploaded scenario's paths are the
// client's own, from its document: only the server's folders go.
func (s *Server) problemsOf(err error, src *source) []Problem {
	redact := s.redact
	if src != s.start {
		redact = s.redactDirs
	}
	var se *scenarios.Error
	if errors.As(err, &se) {
		var ps []Problem
		for _, p := range se.Problems {
			ps = append(ps, Problem{Path: p.Path, Line: p.Line, Message: redact(p.Msg), Text: redact(p.String())})
		}
		return ps
	}
	return []Problem{{Message: redact(err.Error()), Text: redact(err.Error())}}
}

// redactor returns two functions that take the server's absolute paths
// out of a text for clients: dirs only makes paths in the given folders
// (the start scenario's, the current one) relative; all also cuts any
// other absolute path to …/ and its last element. A planner at the page
// needs the file and line, not where the server keeps its files.
func redactor(dirs ...string) (all, dirsOnly func(string) string) {
	var pairs []string
	for _, d := range dirs {
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		d = filepath.Clean(d)
		pairs = append(pairs, d+string(filepath.Separator), "")
	}
	known := strings.NewReplacer(pairs...)
	dirsOnly = func(text string) string {
		if len(pairs) > 0 {
			text = known.Replace(text)
		}
		return text
	}
	return func(text string) string {
		return absPathRE.ReplaceAllStringFunc(dirsOnly(text), func(m string) string {
			sm := absPathRE.FindStringSubmatch(m)
			lead, path := sm[1], sm[2]
			last := path[strings.LastIndexAny(path, `/\`)+1:]
			if last == "" {
				return lead + "…"
			}
			return lead + "…/" + last
		})
	}, dirsOnly
}

// absPathRE matches an absolute path in a message: /… or C:\… at the start
// or after a space, quote or bracket, up to a space, quote, colon or
// bracket.
var absPathRE = regexp.MustCompile(`(^|[\s"'(\[])(/[^\s"':()\[\]]+|[A-Za-z]:\\[^\s"':()\[\]]+)`)

// prepare applies the edits to the scenario they name and loads the
// result, at most MaxParses at once (it waits its turn, or until ctx is
// done); it returns problems instead when there are any.
func (s *Server) prepare(ctx context.Context, e Edits) ([]byte, *source, *scenarios.Scenario, []Problem) {
	select {
	case s.parseSlots <- struct{}{}:
		defer func() { <-s.parseSlots }()
	case <-ctx.Done():
		msg := "the request went away while waiting to load the scenario"
		return nil, nil, nil, []Problem{{Message: msg, Text: msg}}
	}
	src := s.source(e.Scenario)
	if src == nil {
		msg := s.noSource(e.Scenario)
		return nil, nil, nil, []Problem{{Path: "scenario", Message: msg, Text: msg}}
	}
	doc, err := applyEdits(src.doc, e, src.rewrite)
	if err != nil {
		return nil, nil, nil, []Problem{{Message: err.Error(), Text: err.Error()}}
	}
	sc, err := src.load(doc)
	if err != nil {
		ps := s.problemsOf(err, src)
		base := s.formOf(src, src.base)
		begin := time.Now()
		attribute(ps, base, e, describe(base, e), func(x Edits) ([]Problem, bool) {
			if ctx.Err() != nil || time.Since(begin) > attributionTime {
				return nil, false
			}
			d, err := applyEdits(src.doc, x, src.rewrite)
			if err != nil {
				return nil, false
			}
			if _, err := src.load(d); err != nil {
				return s.problemsOf(err, src), true
			}
			return nil, true
		})
		return nil, nil, nil, ps
	}
	if wk := work(sc); wk > float64(s.opts.MaxWork) {
		msg := fmt.Sprintf("the run is too big: replications × days × units = %.0f, more than the limit of %d; use fewer replications, a shorter duration or fewer units", wk, s.opts.MaxWork)
		return nil, nil, nil, []Problem{{Path: "replications", Message: msg, Text: msg}}
	}
	if msg := s.tooCostly(sc); msg != "" {
		return nil, nil, nil, []Problem{{Path: "incidents.per_day", Message: msg, Text: msg}}
	}
	return doc, src, sc, nil
}

// tooCostly returns why a run of sc is refused for its estimated memory or
// time (costOf), with the numbers, or "".
func (s *Server) tooCostly(sc *scenarios.Scenario) string {
	c := costOf(sc, s.opts.Workers)
	what := fmt.Sprintf("%.0f expected incidents (%g a day × %g days, %s, × %d replications × %d variants) and %d units, %d replications at once",
		c.Incidents, sc.File.Incidents.PerDay, sc.File.Duration.Seconds/86400, nearRepeatNote(sc), sc.File.Replications, len(sc.Variants), units(sc), c.Live)
	fix := "use fewer incidents a day, a shorter duration, fewer replications or variants; or run it with patrolsim run, which this limit does not bind"
	switch {
	case c.Bytes > float64(s.opts.MaxRunBytes):
		return fmt.Sprintf("the run is too big for this server: %s need about %.0f MiB of memory, more than the %d MiB a run may take; %s", what, c.Bytes/(1<<20), s.opts.MaxRunBytes>>20, fix)
	case c.Seconds > s.opts.MaxRunSeconds:
		return fmt.Sprintf("the run is too long for this server: %s take about %.0f minutes, more than the %.0f a run may take; %s", what, c.Seconds/60, s.opts.MaxRunSeconds/60, fix)
	}
	return ""
}

func nearRepeatNote(sc *scenarios.Scenario) string {
	if o := sc.File.Incidents.NearRepeat.Offspring; o > 0 {
		return fmt.Sprintf("÷ (1 − %g offspring)", o)
	}
	return "no near repeats"
}

func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	e, ok := readEdits(w, r)
	if !ok {
		return
	}
	_, src, sc, ps := s.prepare(r.Context(), e)
	if ps != nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "problems": ps})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "problems": []Problem{}, "scenario": s.formOf(src, sc)})
}

func (s *Server) startRun(w http.ResponseWriter, r *http.Request) {
	e, ok := readEdits(w, r)
	if !ok {
		return
	}
	doc, src, sc, ps := s.prepare(r.Context(), e)
	if ps != nil {
		msg := ps[0].Text
		if len(ps) > 1 {
			msg = fmt.Sprintf("%d problems in the scenario, first: %s", len(ps), msg)
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": msg, "problems": ps})
		return
	}
	select {
	case s.slots <- struct{}{}:
	default:
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("%d runs are in progress, the most at once; wait for one to finish or cancel one", s.opts.MaxRuns))
		return
	}
	select {
	case <-s.done:
		<-s.slots
		writeError(w, http.StatusServiceUnavailable, "the server is shutting down")
		return
	default:
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.next++
	rn := &run{ID: "r" + strconv.Itoa(s.next), Created: time.Now().UTC(), Status: "running", Edits: e, doc: doc, cancel: cancel,
		better: directions(sc), Total: len(sc.Variants) * sc.File.Replications, changed: make(chan struct{}), bytes: len(doc),
		Changes: describe(s.formOf(src, src.base), e)}
	s.runs[rn.ID] = rn
	s.order = append(s.order, rn.ID)
	s.prune()
	v := s.snapshot(rn)
	s.mu.Unlock()
	go s.execute(ctx, rn, sc)
	writeJSON(w, http.StatusAccepted, v)
}

// prune forgets the oldest finished runs beyond MaxKeptRuns or while the
// runs kept hold more than maxKeptRunBytes together; it keeps the newest
// finished run, which the page may be showing. s.mu is held.
func (s *Server) prune() {
	total := 0
	for _, id := range s.order {
		total += s.runs[id].bytes
	}
	newest := -1
	for i, id := range s.order {
		if s.runs[id].Status != "running" {
			newest = i
		}
	}
	for len(s.order) > MaxKeptRuns || total > s.maxKeptRunBytes {
		i := slices.IndexFunc(s.order, func(id string) bool { return s.runs[id].Status != "running" })
		if i < 0 || i == newest {
			return
		}
		total -= s.runs[s.order[i]].bytes
		delete(s.runs, s.order[i])
		s.order = slices.Delete(s.order, i, i+1)
		newest--
	}
}

// keep drops from out the charts larger than maxKeptChart; it returns
// their names and the bytes out keeps.
func (s *Server) keep(out *Output) ([]string, int) {
	if out == nil {
		return nil, 0
	}
	n := out.memory()
	var dropped []string
	for name, data := range out.Charts {
		if len(data) > s.maxKeptChart {
			dropped = append(dropped, name)
			delete(out.Charts, name)
			continue
		}
		n += len(data)
	}
	slices.Sort(dropped)
	return dropped, n
}

// execute runs rn, recovering a panic as the run's error, and frees its
// slot. Then the run's memory goes back to the system (its heap is
// garbage but for the small output kept): a server that admitted a large
// run, or had one cancelled, should not keep the peak resident while it
// waits.
func (s *Server) execute(ctx context.Context, rn *run, sc *scenarios.Scenario) {
	defer func() { <-s.slots }()
	var (
		out *Output
		err error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("internal error (panic): %v\n%s", p, debug.Stack())
			}
		}()
		out, err = s.opts.Run(ctx, sc, func(done, total int) {
			s.update(rn, func() {
				if done > rn.Done {
					rn.Done = done
				}
				rn.Total = total
			})
		})
	}()
	debug.FreeOSMemory()
	s.update(rn, func() {
		switch {
		case ctx.Err() != nil && rn.Status == "cancelled":
		case err != nil && errors.Is(err, context.Canceled):
			rn.Status = "cancelled"
		case err != nil:
			rn.Status, rn.Error = "failed", s.redact(err.Error())
		default:
			rn.Status, rn.out, rn.Done = "done", out, rn.Total
			var n int
			rn.notKept, n = s.keep(out)
			rn.bytes += n
		}
		rn.cancel()
		rn.cancel = nil
		s.prune()
	})
}

// update changes rn under the lock and wakes its event streams.
func (s *Server) update(rn *run, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
	close(rn.changed)
	rn.changed = make(chan struct{})
}

// runView is a run as the API shows it.
type runView struct {
	ID      string            `json:"id"`
	Created time.Time         `json:"created"`
	Status  string            `json:"status"`
	Done    int               `json:"done"`
	Total   int               `json:"total"`
	Error   string            `json:"error,omitempty"`
	Edits   Edits             `json:"edits"`
	Changes []Change          `json:"changes"` // the edits in words, against the scenario edited
	Charts  []string          `json:"charts,omitempty"`
	NotKept []string          `json:"charts_not_kept,omitempty"` // charts larger than MaxKeptChartBytes, not kept
	Results *results.JSON     `json:"results,omitempty"`         // results.json, with GET /api/runs/{id}
	Colours map[string]string `json:"colours,omitempty"`         // variant → its colour in every chart (#rrggbb), with results
}

func (s *Server) snapshot(rn *run) runView {
	v := runView{ID: rn.ID, Created: rn.Created, Status: rn.Status, Done: rn.Done, Total: rn.Total, Error: rn.Error, Edits: rn.Edits,
		Changes: rn.Changes, NotKept: rn.notKept}
	if v.Changes == nil {
		v.Changes = []Change{}
	}
	if rn.out != nil {
		for name := range rn.out.Charts {
			v.Charts = append(v.Charts, name)
		}
		slices.Sort(v.Charts)
	}
	return v
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) *run {
	s.mu.Lock()
	rn := s.runs[r.PathValue("id")]
	s.mu.Unlock()
	if rn == nil {
		writeError(w, http.StatusNotFound, "no such run")
	}
	return rn
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]runView, 0, len(s.order))
	for i := len(s.order) - 1; i >= 0; i-- {
		out = append(out, s.snapshot(s.runs[s.order[i]]))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request) {
	rn := s.lookup(w, r)
	if rn == nil {
		return
	}
	s.mu.Lock()
	v := s.snapshot(rn)
	out := rn.out
	s.mu.Unlock()
	if out != nil {
		doc := out.Summary.Document()
		v.Results = &doc
		v.Colours = map[string]string{}
		for i, vj := range doc.Variants {
			v.Colours[vj.Name] = report.VariantColour(i)
		}
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request) {
	rn := s.lookup(w, r)
	if rn == nil {
		return
	}
	s.update(rn, func() {
		if rn.Status == "running" && rn.cancel != nil {
			rn.Status = "cancelled"
			rn.cancel()
		}
	})
	s.mu.Lock()
	v := s.snapshot(rn)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, v)
}

// events streams the run's state as server-sent events: "progress" while
// it runs, then one "end" with the final state.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rn := s.lookup(w, r)
	if rn == nil {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	for {
		s.mu.Lock()
		v := s.snapshot(rn)
		changed := rn.changed
		s.mu.Unlock()
		event := "progress"
		if v.Status != "running" {
			event = "end"
		}
		data, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
		fl.Flush()
		if event == "end" {
			return
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-time.After(15 * time.Second): // keep-alive
		}
	}
}

// download answers the run's files: scenario.yaml (the edited document
// the run loaded), and once it is done results.json and replications.csv
// (encoded from its summary: the bytes `patrolsim run` writes),
// areas.geojson (per-area results on the areas' polygons, as `patrolsim
// run` writes it) and resolved.yaml (the scenario as run, every default
// filled in).
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	rn := s.lookup(w, r)
	if rn == nil {
		return
	}
	s.mu.Lock()
	doc, out := rn.doc, rn.out
	s.mu.Unlock()
	file := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	attach := func(kind, name string) {
		w.Header().Set("Content-Type", kind)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	if file == "scenario.yaml" {
		attach("application/yaml; charset=utf-8", "scenario-"+rn.ID+".yaml")
		_, _ = w.Write(doc)
		return
	}
	if out == nil {
		writeError(w, http.StatusNotFound, "the run has no results (yet)")
		return
	}
	if file == "resolved.yaml" && out.Resolved == nil {
		writeError(w, http.StatusNotFound, "the run has no resolved scenario")
		return
	}
	if file == "areas.geojson" && out.City == nil {
		writeError(w, http.StatusNotFound, "the run has no areas")
		return
	}
	switch file {
	case "resolved.yaml":
		attach("application/yaml; charset=utf-8", "resolved-"+rn.ID+".yaml")
		_, _ = w.Write(out.Resolved)
	case "replications.csv":
		attach("text/csv; charset=utf-8", "replications-"+rn.ID+".csv")
		_ = out.Summary.WriteCSV(w)
	case "areas.geojson":
		attach("application/geo+json", "areas-"+rn.ID+".geojson")
		_ = results.WriteAreasGeoJSON(w, out.City, out.Details)
	default:
		attach("application/json; charset=utf-8", "results-"+rn.ID+".json")
		_ = out.Summary.WriteJSON(w)
	}
}

func (s *Server) chart(w http.ResponseWriter, r *http.Request) {
	rn := s.lookup(w, r)
	if rn == nil {
		return
	}
	name := r.PathValue("name")
	s.mu.Lock()
	var data []byte
	if rn.out != nil {
		data = rn.out.Charts[name]
	}
	notKept := slices.Contains(rn.notKept, name)
	s.mu.Unlock()
	if notKept {
		writeError(w, http.StatusNotFound, fmt.Sprintf("the chart %s is larger than %d MiB and not kept; patrolsim run and patrolsim report draw it", name, s.maxKeptChart>>20))
		return
	}
	if data == nil {
		writeError(w, http.StatusNotFound, "no such chart")
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	_, _ = w.Write(data)
}
