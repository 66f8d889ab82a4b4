package results

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite ../docs/metrics.md from the registry (TestMetricsDoc)")

// TestMetricsDoc: docs/metrics.md is the registry's reference
// (WriteReference); after a change of the registry, refresh it with
// go test ./results -run TestMetricsDoc -update.
func TestMetricsDoc(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReference(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "docs", "metrics.md")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (write it with go test ./results -run TestMetricsDoc -update)", err)
	}
	if !bytes.Equal(have, buf.Bytes()) {
		t.Errorf("%s is stale: the registry changed; refresh it with go test ./results -run TestMetricsDoc -update", path)
	}
}
