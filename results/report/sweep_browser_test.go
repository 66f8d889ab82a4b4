package report

import (
	"testing"

	"github.com/patrolsim/patrolsim/internal/browsertest"
)

// TestSweepBrowser renders the grid sweep's report in headless Chromium:
// the screenshot must not be blank, the DOM must hold every chart's <svg>,
// and the page must log no errors. Without Chromium it skips, except under
// CI=true.
func TestSweepBrowser(t *testing.T) {
	bin := browsertest.Find(t)
	dir := copySweep(t, "sweep")
	files := writeSweepReport(t, dir, SweepOptions{})
	checkRendered(t, bin, files.HTML, sweepCharts["sweep"])
}
