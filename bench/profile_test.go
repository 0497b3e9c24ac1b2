package main

import (
	"os"
	"os/exec"
	"testing"
)

// cpuTicks counts the CPU time of a process's descendants (the function
// runtimes of a Portico under load).
func TestCPUTicksCountsDescendants(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sh", "-c", `i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 5`)
	if err := cmd.Start(); err != nil {
		t.Skip("no sh:", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for range 100 {
		if _, kids := cpuTicks(os.Getpid()); kids > 0 {
			return
		}
		exec.Command("sleep", "0.05").Run()
	}
	t.Error("no CPU time counted for a busy child process")
}
