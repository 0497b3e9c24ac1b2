//go:build race

package server_test

// raceEnabled: the race detector slows everything several times over, so
// latency budgets are not measured under it.
const raceEnabled = true
