package report

// SVGCharts draws the report's charts as SVG documents, in memory, by file
// name (NAME.svg): the bytes Write puts in charts/NAME.svg for the same
// input. It needs no folder (in.Dir may be empty) and draws no PNG, so a
// run held in memory (the what-if server's) is charted without a file:
// fill Input's Results (Summary.Document), Details and Scenario from it.
func (in *Input) SVGCharts(opts Options) (map[string][]byte, error) {
	if err := in.CheckOptions(opts); err != nil {
		return nil, err
	}
	rs, err := render(in.figures(opts), false)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(rs))
	for _, r := range rs {
		out[r.fig.Name+".svg"] = r.svg
	}
	return out, nil
}
