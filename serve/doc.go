// Package serve is the web server behind `patrolsim serve`: a what-if page
// for planners who change a scenario's force and policies in the browser
// and run it, without editing YAML.
//
// The server holds one scenario document, the one it was started with.
// Every request that changes something sends edits (unit counts and squad
// sizes, shifts, which variants, incident volume, deterrence, duration,
// replications) that are applied to a copy of that document and validated
// by the scenario loader, so problems carry the same messages and field
// paths as `patrolsim validate`. Runs go in the background, bounded in size
// and number; their results and the report's charts are kept in memory.
// No path taken from a request ever reaches the file system.
//
// The API and its limits are described in docs/serve.md.
package serve
