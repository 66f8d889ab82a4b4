package calibrate

import "github.com/patrolsim/patrolsim/internal/timelayout"

// Layout returns the Go time layout of a date layout written either in
// strftime form (%Y-%m-%d %H:%M, %m/%d/%Y, %H:%M) or as a Go layout
// (2006-01-02 15:04), which is returned as it is (see internal/timelayout).
func Layout(s string) (string, error) { return timelayout.Go(s) }
