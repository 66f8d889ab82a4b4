//go:build !race

package serve

// raceEnabled: the tests run under the race detector.
const raceEnabled = false
