package suggest

import "testing"

func TestClosest(t *testing.T) {
	keys := []string{"version", "name", "scenario", "design", "points", "seed", "replications", "params"}
	cases := []struct{ in, want string }{
		{"desing", "design"},
		{"replication", "replications"},
		{"scenrio", "scenario"},
		{"colour", ""},
		{"seed", "seed"},
	}
	for _, tc := range cases {
		if got := Closest(tc.in, keys); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance(kitten, sitting) = %d, want 3", d)
	}
}
