// Package scenarios reads, validates and resolves scenario files: the YAML
// a planner writes (version 1, docs/scenario-format.md) and the data files
// it names, turned into the model's input (sim.Config and one sim.Variant
// per variant) before the engine sees anything.
//
// Invariants:
//   - Validation is complete: every problem of a document is collected and
//     returned in one *Error, each FieldError naming the file, line, field
//     path and offending value; unknown keys are errors with "did you
//     mean". A Scenario that loads runs.
//   - Every numeric range is declared once, in bounds (limits.go); limits
//     on size (MaxUnits, MaxAtoms, MaxIncidents, MaxEvents, MaxFileBytes,
//     MaxRoadTable) refuse scenarios that would exhaust memory or time.
//     Every file is read through readAll, bounded by the bytes actually
//     read (a device or pipe reports size 0).
//   - Data paths are relative to the scenario's folder; builtin:NAME/FILE
//     paths read the built-in scenarios embedded in the binary (jinzhou,
//     grid), which load anywhere.
//
// Where things are: load.go (entry points: LoadFile, LoadAt, Load,
// LoadBuiltin), schema.go (the File type, defaults), build.go (the document
// checked part by part: city.go, incidents.go, units.go, variants.go,
// ranking.go), limits.go (ranges and size limits), read.go (bounded
// reading of data files), errors.go and yamlerr.go (problems with lines),
// duration.go (durations such as 12m or 3d), template.go (patrolsim
// template), embed.go (built-in scenarios), roadcache.go (the last road
// tables built).
//
// Subpackages play scenarios (run: one scenario end to end; sweep: a family
// of scenarios over parameter values) and make them from data (calibrate).
// The package imports sim and its subpackages, and results for the metric
// names an objective or a check: block may use; never anything above it.
package scenarios
