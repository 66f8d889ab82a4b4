package timelayout

import (
	"strings"
	"testing"
)

// TestGo: strftime layouts become Go's, Go's stay as they are, and an
// unknown conversion is an error naming it.
func TestGo(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"%Y-%m-%d %H:%M", "2006-01-02 15:04"},
		{"%m/%d/%Y", "01/02/2006"},
		{"%H:%M", "15:04"},
		{"%d.%m.%y %I:%M:%S %p", "02.01.06 03:04:05 PM"},
		{"%F %T", "2006-01-02 15:04:05"},
		{"100%%", "100%"},
		{"2006-01-02 15:04", "2006-01-02 15:04"},
	} {
		got, err := Go(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Go(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"%Y-%Q", "%H:%"} {
		if _, err := Go(bad); err == nil {
			t.Errorf("Go(%q): no error", bad)
		}
	}
	if _, err := Go("%Y-%Q"); err == nil || !strings.Contains(err.Error(), "%Q") {
		t.Errorf("unknown conversion: %v, want it named", err)
	}
}
