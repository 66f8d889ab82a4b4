// Package report provides the charts, maps and self-contained HTML report of
// a run: from a run's output folder (results.json, details.json and the
// resolved scenario.yaml; Load) or from a run in memory (Input with the
// summary, details and scenario; the what-if page's SVGCharts), it draws, with gonum/plot, the response-time
// distributions against the targets, the ranking with confidence intervals,
// the Pareto chart, incidents by hour of day, utilisation by unit type and
// three maps of the city for the best-ranked variant. Groups, scores, the
// front and benchmarks are read from results.json, as the terminal table
// shows them; the Pareto chart names every variant, and its labels never
// overlap (placeLabels: beside the point where there is room, else set
// apart with a leader line).
//
// Invariants: a report depends only on its input, so the same
// input gives byte-identical SVG charts and HTML (no timestamps, no map
// iteration order, no random identifiers); the HTML needs nothing but
// itself (charts inlined as SVG, no scripts, no web fonts). Every file is
// written atomically (results.WriteFileAtomic).
//
// Cost: a few hundred milliseconds for the built-in city (12 variants, 200
// areas), most of it rasterising the PNG copies of the charts.
package report
