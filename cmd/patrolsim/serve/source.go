package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
)

// startID names the scenario the server started with.
const startID = "start"

// source is a scenario the page can edit: the one the server started
// with, or one uploaded through the page. It never changes once made.
type source struct {
	id      string   // startID, or "u1", "u2", … for uploads
	name    string   // the document's name in messages
	doc     []byte   // as given
	files   []string // data files uploaded with it, by name
	load    func(doc []byte) (*scenarios.Scenario, error)
	rewrite func(string) string // relative data paths in edited documents; nil keeps them
	base    *scenarios.Scenario // doc loaded

	areas, vertices int // of base's city, for the map's limits
}

// measure sets the areas and vertices of the source's city.
func (src *source) measure() {
	city := src.base.Config.City
	src.areas, src.vertices = len(city.Atoms), cityVertices(city)
}

// source returns the scenario named id ("" is the start scenario), or nil.
func (s *Server) source(id string) *source {
	if id == "" || id == startID {
		return s.start
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.uploads {
		if u.id == id {
			return u
		}
	}
	return nil
}

// noSource is the message for an unknown scenario id.
func (s *Server) noSource(id string) string {
	return fmt.Sprintf("no scenario %q: uploads are kept for the session, the last %d of them; upload it again", id, MaxKeptUploads)
}

func (s *Server) formOf(src *source, sc *scenarios.Scenario) Form {
	f := formOf(sc, s.opts.MaxWork)
	f.ID, f.Source, f.Files, f.MapProblem = src.id, src.name, src.files, src.mapProblem()
	return f
}

// scenarioEntry is one scenario the page can choose.
type scenarioEntry struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`   // the scenario's name: field
	Source string   `json:"source"` // the document's name
	Files  []string `json:"files"`
}

func entryOf(src *source) scenarioEntry {
	return scenarioEntry{ID: src.id, Name: src.base.File.Name, Source: src.name, Files: src.files}
}

// listScenarios answers the start scenario and the uploads, oldest first.
func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) {
	out := []scenarioEntry{entryOf(s.start)}
	s.mu.Lock()
	for _, u := range s.uploads {
		out = append(out, entryOf(u))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// upload takes a scenario document (form field "scenario") and the data
// files it names (fields "data"), as multipart/form-data, all held in
// memory. The scenario's data paths are read from these files only (by
// name) or from the binary (builtin:SCENARIO/FILE): never from the disk.
// It answers 201 with the new scenario's form, or 400 with the loader's
// problems.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		writeError(w, http.StatusUnsupportedMediaType, "upload a scenario as multipart/form-data: the field scenario (the YAML file) and any number of fields data (the GeoJSON files it names)")
		return
	}
	// One upload is read and loaded at a time (MaxUploadParses), within
	// UploadReadTimeout: a slow sender cannot hold the slot.
	select {
	case s.uploadSlots <- struct{}{}:
		defer func() { <-s.uploadSlots }()
	default:
		writeError(w, http.StatusTooManyRequests, "another upload is being read; upload again when it is done")
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.uploadTimeout)) // unsupported by some test recorders: then no deadline
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "the upload is not valid multipart/form-data: "+err.Error())
		return
	}
	var (
		name string
		doc  []byte
	)
	files := memFS{}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil && n >= MaxUploadFiles {
			err = fmt.Errorf("more than %d files; upload the scenario and the data files it names only", MaxUploadFiles)
		}
		var data []byte
		if err == nil {
			data, err = io.ReadAll(part)
		}
		if err != nil {
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the upload is larger than the limit of %d MiB; run a scenario this big with patrolsim run, or serve it from its folder (patrolsim serve FILE.yaml)", MaxUploadBytes>>20))
			case errors.Is(err, os.ErrDeadlineExceeded):
				writeError(w, http.StatusRequestTimeout, fmt.Sprintf("the upload took longer than %v to arrive", s.uploadTimeout))
			default:
				writeError(w, http.StatusBadRequest, "the upload cannot be read: "+err.Error())
			}
			return
		}
		// The name as sent: Part.FileName would drop folders (a/../x.yaml
		// becomes x.yaml) and so hide a name that is not plain.
		fname := rawFileName(part)
		if !validUploadName(fname) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("field %q: %q is not a plain file name (one without folders, not . or .., none of %s, no control characters; e.g. communities.geojson)", part.FormName(), fname, notInNames))
			return
		}
		switch part.FormName() {
		case "scenario":
			if doc != nil {
				writeError(w, http.StatusBadRequest, "more than one scenario file: upload one YAML scenario, with its data files as data")
				return
			}
			name, doc = fname, data
		case "data":
			if _, dup := files[fname]; dup {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("the data file %s is uploaded twice", fname))
				return
			}
			files[fname] = data
		default:
			writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown field %q: the fields are scenario (one YAML file) and data (GeoJSON files)", part.FormName()))
			return
		}
	}
	_ = rc.SetReadDeadline(time.Time{})
	if doc == nil {
		writeError(w, http.StatusBadRequest, "no scenario file: the field scenario must hold the YAML file")
		return
	}
	if msg := s.checkUploadRaw(name, doc, files); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	// The scenario's path is its plain file name, the name messages give
	// (city.yaml:12: …). It has no ':', so it can never start with
	// builtin: (a built-in scenario's path, which makes the run copy its
	// data files beside the results) nor be a drive or scheme; no / or \,
	// so it is neither absolute nor in a folder.
	src := &source{name: name, doc: doc, files: sortedKeys(files),
		load: func(doc []byte) (*scenarios.Scenario, error) { return scenarios.Load(name, doc, files) }}
	// The document as uploaded, so lines in messages are the file's own.
	if src.base, err = src.load(doc); err != nil {
		ps := s.problemsOf(err, src)
		msg := ps[0].Text
		if len(ps) > 1 {
			msg = fmt.Sprintf("%d problems in %s, first: %s", len(ps), name, msg)
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": msg, "problems": ps})
		return
	}
	if msg := s.checkUploadLoaded(name, src.base); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	src.measure()
	if _, err := applyEdits(doc, Edits{}, nil); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%s: %v", name, err))
		return
	}
	s.mu.Lock()
	s.nextUpload++
	src.id = "u" + strconv.Itoa(s.nextUpload)
	s.uploads = append(s.uploads, src)
	if len(s.uploads) > MaxKeptUploads {
		s.uploads = slices.Delete(s.uploads, 0, len(s.uploads)-MaxKeptUploads)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, s.formOf(src, src.base))
}

// checkUploadRaw checks an upload's parsed-size limits that show before it
// is loaded: a grid's rows × cols (a few bytes of YAML can ask for 200,000
// areas) and the coordinate positions of the data files. It returns the
// message of the first one exceeded, or "".
func (s *Server) checkUploadRaw(name string, doc []byte, files memFS) string {
	var head struct {
		City struct {
			Grid *struct{ Rows, Cols float64 } `yaml:"grid"`
		} `yaml:"city"`
	}
	if yaml.Unmarshal(doc, &head) == nil && head.City.Grid != nil {
		if g := head.City.Grid; g.Rows*g.Cols > float64(s.uploadAreas) {
			return fmt.Sprintf("%s: city.grid: %g × %g = %g areas, more than the %d an uploaded scenario may have (each costs memory while it is kept); use a coarser grid, or serve the scenario from its folder: patrolsim serve FILE.yaml", name, g.Rows, g.Cols, g.Rows*g.Cols, s.uploadAreas)
		}
	}
	n := 0
	for _, data := range files {
		n += positions(data)
	}
	if n > s.uploadPositions {
		return fmt.Sprintf("the uploaded data files hold %d coordinate positions, more than the %d an upload may have (each costs memory while it is kept); simplify the shapes (e.g. mapshaper -simplify), or serve the scenario from its folder: patrolsim serve FILE.yaml", n, s.uploadPositions)
	}
	return ""
}

// checkUploadLoaded checks an upload's limits that show once it is loaded:
// its areas, and the road table a run of it would build.
func (s *Server) checkUploadLoaded(name string, sc *scenarios.Scenario) string {
	if n := len(sc.Config.City.Atoms); n > s.uploadAreas {
		return fmt.Sprintf("%s: %d areas, more than the %d an uploaded scenario may have (each costs memory while it is kept); merge areas, or serve the scenario from its folder: patrolsim serve FILE.yaml", name, n, s.uploadAreas)
	}
	if t := sc.Config.Travel.Roads; t != nil {
		if b := t.Bytes(); b > int64(s.uploadRoadBytes) {
			return fmt.Sprintf("%s: travel.roads: a run would build a road table of about %d MiB (%d road nodes in zones of %g m), more than the %d MiB an uploaded scenario may use; use larger zones (travel.zone_m), roads of a smaller area, or serve the scenario from its folder: patrolsim serve FILE.yaml", name, b>>20, t.Net.Nodes(), t.ZoneM, s.uploadRoadBytes>>20)
		}
	}
	return ""
}

// positions counts the coordinate positions in GeoJSON data: the arrays
// that open with a number, outside strings. It reads any bytes; for other
// data it counts whatever looks like one.
func positions(data []byte) int {
	n := 0
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[':
			j := i + 1
			for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
				j++
			}
			if j < len(data) && (data[j] == '-' || (data[j] >= '0' && data[j] <= '9')) {
				n++
			}
		}
	}
	return n
}

// notInNames are the characters a plain file name must not hold: folder
// separators, ':' (builtin:, drives, schemes), and the rest of those
// Windows refuses in a file name, where a downloaded scenario's data files
// may be saved.
const notInNames = `/ \ : * ? " < > |`

// validUploadName reports whether name is a plain file name: 1 to 255
// bytes of UTF-8, not . or .., without folder separators, ':' or another
// of notInNames, control characters, or leading or trailing space (a
// scenario's data path could not name it). The name is only a key of the
// uploaded files in memory and the scenario's name in messages; this keeps
// the scenario's data paths and the files' names alike, and keeps an
// upload from passing for a built-in scenario (builtin:…).
func validUploadName(name string) bool {
	if name == "" || name == "." || name == ".." || len(name) > 255 || !utf8.ValidString(name) ||
		strings.TrimSpace(name) != name || !fs.ValidPath(name) {
		return false
	}
	for _, r := range name {
		if unicode.IsControl(r) || strings.ContainsRune(strings.ReplaceAll(notInNames, " ", ""), r) {
			return false
		}
	}
	return true
}

// rawFileName returns the filename parameter of a part's
// Content-Disposition as sent, or "" when there is none or the header
// does not parse.
func rawFileName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return params["filename"]
}

// memFS is a read-only file system of uploaded files held in memory, by
// name. It has no folders and never touches the disk.
type memFS map[string][]byte

// Open implements fs.FS.
func (m memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	data, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w (not uploaded with the scenario: upload it too, or name a built-in file as builtin:SCENARIO/FILE)", fs.ErrNotExist)}
	}
	return &memFile{Reader: bytes.NewReader(data), info: memInfo{name: name, size: int64(len(data))}}, nil
}

type memFile struct {
	*bytes.Reader
	info memInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

// directions returns the better direction of every metric of a scenario's
// runs: "lower" or "higher"; metrics without one are left out.
func directions(sc *scenarios.Scenario) map[string]string {
	out := map[string]string{}
	if sc == nil || sc.Config == nil {
		return out
	}
	for _, m := range results.Metrics(sc.Config) {
		switch m.Better {
		case results.Lower:
			out[m.Name] = "lower"
		case results.Higher:
			out[m.Name] = "higher"
		}
	}
	return out
}
