// Package serve is the web server behind `patrolsim serve`: a what-if page
// for planners who change a scenario's force and policies in the browser
// and run it, without editing YAML.
//
// The server holds the scenario document it was started with and, for the
// session, the last few scenarios uploaded through the page (each with its
// data files, in memory). Every request that changes something names one
// of them and sends edits (unit counts and squad sizes, shifts, which
// variants, incident volume, deterrence, duration, replications) that are
// applied to a copy of its document and validated by the scenario loader,
// so problems carry the same messages and field paths as `patrolsim
// validate`. Runs go in the background, bounded in size and number; their
// results and the report's charts are kept in memory (bounded in bytes),
// and two finished
// runs can be compared variant by variant (paired differences when they
// share a seed, over the replications both have, else Welch's t; no
// verdict where a value is not finite). The city map with each
// area's expected incidents is drawn before any run.
//
// Only the start scenario (and the data files it names) and the files
// uploaded through the page are read: an uploaded scenario's data paths
// resolve against its uploaded files or the binary's built-in ones
// (builtin:SCENARIO/FILE), and no path taken from a request ever reaches
// the file system.
//
// Memory is bounded by what things cost once loaded, not only by bytes
// received: uploads by areas and coordinate positions, maps by areas and
// vertices, the maps kept and the finished runs kept by bytes; uploads,
// scenario loads and map drawings by semaphores. Other sites' pages cannot
// drive the server: cross-origin changes are refused, edits must be JSON,
// and without a token only loopback Host names are served.
//
// The API and its limits are described in docs/serve.md.
package serve
