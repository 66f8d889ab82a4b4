package serve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patrolsim/patrolsim/internal/browsertest"
)

// TestBrowserRunBeforeListLoaded clicks Run in headless Chromium as soon as
// the form shows the scenario, while the list of scenarios (GET
// /api/scenarios, fetched after the form is filled) is held back by the
// server: the click must start a run, not submit the form as a browser
// does and reload the page. It failed before the page took the form's
// submit ahead of that fetch (CI's TestSameLabelsEverywhere once saw the
// reload as "Inspected target navigated or closed"). Without Chromium it
// skips, except under CI=true.
func TestBrowserRunBeforeListLoaded(t *testing.T) {
	bin := browsertest.Find(t)
	f := newFake()
	close(f.release)
	s, _ := testServer(t, f, nil)
	hold := make(chan struct{})
	held := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/api/scenarios" {
			select {
			case <-hold:
			case <-r.Context().Done():
				return
			}
		}
		s.ServeHTTP(w, r)
	})
	ts := httptest.NewServer(held)
	t.Cleanup(func() {
		close(hold) // (before ts.Close: a held request would keep it open)
		ts.Close()
	})

	ctx := browsertest.Context(t, bin)
	if err := chromedp.Do(ctx); err != nil { // (the browser on ctx itself)
		t.Fatal(err)
	}
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := chromedp.Do(sctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("unit-0-count")),
		chromedp.Evaluate[chromedp.Void](`window.samePage = true`),
		chromedp.Click(chromedp.ID("run"))); err != nil {
		t.Fatalf("open the page and click Run: %v", err)
	}
	select {
	case <-f.started:
	case <-time.After(15 * time.Second):
		t.Fatal("Run, clicked while the list of scenarios was loading, started no run")
	}
	same, err := chromedp.Run(sctx, chromedp.Evaluate[bool](`window.samePage === true`))
	if err != nil || !same {
		t.Fatalf("the page was reloaded by the click (same page: %v, %v)", same, err)
	}
}
