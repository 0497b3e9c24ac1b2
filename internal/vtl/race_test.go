//go:build race

package vtl

// raceEnabled: the race detector changes allocation counts.
const raceEnabled = true
