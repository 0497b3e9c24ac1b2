package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// profile records where the time goes on a hot path whose target was
// missed: the live Portico process p under wrk -c32 (with perf, when the
// machine has it), and the package benchmark re of pkg through
// `go test -cpuprofile` and `go tool pprof -top`.
func (h *harness) profile(ctx context.Context, title string, p *proc, tg target, pkg, re string) {
	if h.o.quick {
		h.note("profile of %s not taken in a quick run (run without --quick)", title)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### Profile: %s\n\n", title)
	if p != nil && h.wrk != nil {
		if perf, err := exec.LookPath("perf"); err == nil {
			out, cpu, err := h.perfTop(ctx, perf, p, tg)
			if err != nil {
				h.note("profile %s: perf: %v", title, err)
			} else {
				fmt.Fprintf(&b, "CPU time per request during the profiled run: %s.\n\n", cpu)
				fmt.Fprintf(&b, "`perf record -g -p <portico pid>` during `wrk -t2 -c32 -d5s`, `perf report --no-children --sort symbol` top entries:\n\n```\n%s```\n\n", out)
			}
		}
	}
	if pkg != "" {
		out, err := h.pprofTop(ctx, pkg, re)
		if err != nil {
			h.note("profile %s: go test -cpuprofile: %v", title, err)
		} else {
			fmt.Fprintf(&b, "`go test -run '^$' -bench '%s' -cpuprofile cpu.out %s` then `go tool pprof -top`:\n\n```\n%s```\n\n", re, pkg, out)
		}
	}
	h.sections = append(h.sections, b.String())
}

func (h *harness) perfTop(ctx context.Context, perf string, p *proc, tg target) (string, string, error) {
	data := filepath.Join(h.work, "perf-"+strconv.Itoa(p.pid())+".data")
	rec := exec.CommandContext(ctx, perf, "record", "-F", "999", "-g", "-o", data, "-p", strconv.Itoa(p.pid()), "--", "sleep", "6")
	if err := rec.Start(); err != nil {
		return "", "", err
	}
	time.Sleep(300 * time.Millisecond)
	own0, kids0 := cpuTicks(p.pid())
	l, lerr := h.wrk.run(ctx, tg, 32, 5*time.Second)
	own1, kids1 := cpuTicks(p.pid())
	if err := rec.Wait(); err != nil {
		return "", "", fmt.Errorf("perf record: %v", err)
	}
	if lerr != nil {
		return "", "", lerr
	}
	cpu := "not measured"
	if l.Requests > 0 {
		perReq := func(ticks int64) float64 { return float64(ticks) * 1e6 / float64(clockTicks) / float64(l.Requests) }
		cpu = fmt.Sprintf("Portico process %.1f µs, its child processes (function runtimes) %.1f µs, over %d requests at %.0f req/s",
			perReq(own1-own0), perReq(kids1-kids0), l.Requests, l.RPS)
	}
	out, err := runBounded(ctx, exec.Command(perf, "report", "-i", data, "--stdio", "--no-children", "--sort", "symbol", "-g", "none", "--percent-limit", "0.8"), time.Minute)
	if err != nil {
		return "", "", fmt.Errorf("perf report: %v\n%s", err, tail(out, 300))
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		l = strings.TrimRight(l, " -")
		lines = append(lines, strings.TrimRight(l, " "))
		if len(lines) == 25 {
			break
		}
	}
	if len(lines) == 0 {
		return "", "", fmt.Errorf("perf recorded no samples")
	}
	return strings.Join(lines, "\n") + "\n", cpu, nil
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times on Linux.
const clockTicks = 100

// cpuTicks returns the user+system CPU ticks of pid and the sum over its
// live descendants, from /proc.
func cpuTicks(pid int) (own, descendants int64) {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	ticks := map[int]int64{}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// fields after the ")" of the command: state ppid ... utime(14) stime(15)
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b)[i+1:])
		if len(f) < 13 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		parent[n], ticks[n] = pp, ut+st
	}
	for n := range ticks {
		for a := parent[n]; a > 1; a = parent[a] {
			if a == pid {
				descendants += ticks[n]
				break
			}
		}
	}
	return ticks[pid], descendants
}

func (h *harness) pprofTop(ctx context.Context, pkg, re string) (string, error) {
	prof := filepath.Join(h.work, "cpu-"+filepath.Base(pkg)+".out")
	bin := filepath.Join(h.work, filepath.Base(pkg)+".test")
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", re, "-benchtime", "3s", "-cpuprofile", prof, "-o", bin, pkg)
	cmd.Dir = h.o.repo
	if out, err := runBounded(ctx, cmd, 5*time.Minute); err != nil {
		return "", fmt.Errorf("%v\n%s", err, tail(out, 500))
	}
	var all strings.Builder
	for _, args := range [][]string{{"-top", "-nodecount", "20"}, {"-top", "-cum", "-nodecount", "30"}} {
		out, err := runBounded(ctx, exec.Command("go", append(append([]string{"tool", "pprof"}, args...), bin, prof)...), time.Minute)
		if err != nil {
			return "", fmt.Errorf("pprof: %v\n%s", err, tail(out, 300))
		}
		// drop pprof's header lines up to "Showing nodes"
		s := string(out)
		if i := strings.Index(s, "Showing nodes"); i >= 0 {
			s = s[i:]
		}
		fmt.Fprintf(&all, "$ go tool pprof %s\n%s\n", strings.Join(args, " "), s)
	}
	return all.String(), nil
}
