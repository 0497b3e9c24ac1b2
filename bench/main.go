// Command bench measures Portico against the tools its users would
// otherwise pick, side by side, on loopback only, and prints a markdown
// table of absolute figures and ratios.
//
//	go run ./bench                      # every scenario (about 15 minutes on 2 cores)
//	go run ./bench --quick              # every scenario, shorter runs (under 2 minutes)
//	go run ./bench --only floor,vtl     # some scenarios
//	go run ./bench --quick --only smoke # CI smoke: fails if Portico errors under load
//
// Scenarios: floor (HTTP_PROXY against a direct Go backend, a bare
// httputil.ReverseProxy and nginx), mock (MOCK with the typical mapping
// template), vtl (renders/s against velocityjs), lambda (Lambda proxy
// against serverless-offline), routes (route lookup scaling), startup
// (start-up time and RSS with 1,000 APIs of 10 routes).
//
// It builds Portico, starts every contestant on 127.0.0.1, drives the same
// wrk load at each in turn (interleaved, median of the rounds, every run
// bounded in time), and stops everything it started by PID. A scenario
// whose Portico feature this build lacks is skipped with a note and runs
// once the feature lands.
//
// Peers are optional; a scenario whose peer is missing says so:
//
//	apt-get install -y wrk nginx-light   # load generator, nginx floor
//	node and npm                         # velocityjs, serverless-offline
//
// On first use the harness npm-installs velocityjs@2.1.7 with
// jsonpath-plus@10.4.0, and serverless@3.40.0 with
// serverless-offline@13.10.1, into --cache (the user cache directory by
// default), and reads velocityjs_bench.js and serverless-offline/ from
// --peers (../shared/bench-peers next to the repository by default).
// Nothing fetched is written into the repository.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "backend" || os.Args[1] == "proxy") {
		os.Exit(runAnchor(os.Args[1:]))
	}
	os.Exit(run())
}

// options are the harness's flags.
type options struct {
	quick    bool
	only     map[string]bool
	repo     string
	peers    string
	cache    string
	out      string
	rounds   int
	duration time.Duration
	concs    []int
	apis     int
	commit   string
}

var allScenarios = []string{"floor", "mock", "vtl", "lambda", "routes", "startup"}

func run() int {
	var o options
	var only string
	flag.BoolVar(&o.quick, "quick", false, "short runs at concurrency 32 only (whole run under 2 minutes)")
	flag.StringVar(&only, "only", "", "comma-separated scenarios: "+strings.Join(allScenarios, ",")+", or smoke")
	flag.StringVar(&o.repo, "repo", "", "Portico repository root (default: found from the working directory)")
	flag.StringVar(&o.peers, "peers", "", "bench peers directory (default ../shared/bench-peers relative to the repository)")
	flag.StringVar(&o.cache, "cache", "", "directory for npm installs of the peers (default the user cache directory)")
	flag.StringVar(&o.out, "out", "", "also write the markdown report to this file")
	flag.IntVar(&o.rounds, "rounds", 3, "interleaved rounds per scenario (at least 3)")
	flag.DurationVar(&o.duration, "duration", 0, "length of one load run (default 5s, 1s with --quick)")
	flag.IntVar(&o.apis, "apis", 0, "APIs of 10 routes for the startup scenario (default 1000, 100 with --quick)")
	flag.StringVar(&o.commit, "commit", "", "build and benchmark this git revision (exported with git archive) instead of the working tree")
	flag.Parse()

	if o.rounds < 3 {
		o.rounds = 3
	}
	if o.duration == 0 {
		o.duration = 5 * time.Second
		if o.quick {
			o.duration = time.Second
		}
	}
	o.duration = o.duration.Round(time.Second)
	if o.duration < time.Second {
		o.duration = time.Second
	}
	o.concs = []int{1, 32, 256}
	if o.quick {
		o.concs = []int{32}
	}
	if o.apis == 0 {
		o.apis = 1000
		if o.quick {
			o.apis = 100
		}
	}
	o.only = map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if s != "smoke" && !slices.Contains(allScenarios, s) {
				fmt.Fprintf(os.Stderr, "bench: unknown scenario %q (%s, smoke)\n", s, strings.Join(allScenarios, ", "))
				return 2
			}
			o.only[s] = true
		}
	}
	if len(o.only) == 0 {
		for _, s := range allScenarios {
			o.only[s] = true
		}
	}
	var err error
	if o.repo == "" {
		if o.repo, err = findRepo(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 2
		}
	}
	if o.peers == "" {
		o.peers = filepath.Join(o.repo, "..", "shared", "bench-peers")
	}
	if o.cache == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			d = os.TempDir()
		}
		o.cache = filepath.Join(d, "portico-bench")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h, err := newHarness(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	defer h.close()
	ok := h.runAll(ctx)
	report := h.report()
	fmt.Print(report)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
	}
	if !ok {
		return 1
	}
	return 0
}

// findRepo walks up from the working directory to Portico's go.mod.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/portico-dev/portico\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the Portico repository; pass --repo")
		}
		dir = parent
	}
}

// gitRev is the short commit id of rev in repo, or rev itself.
func gitRev(repo, rev string) string {
	out, err := exec.Command("git", "-C", repo, "rev-parse", "--short", rev).Output()
	if err != nil {
		return rev
	}
	return strings.TrimSpace(string(out))
}

// harness holds what every scenario shares.
type harness struct {
	o       options
	work    string // scratch directory, removed at the end
	procs   *procs
	wrk     *wrkRunner
	portico string // built binary
	gofunc  string // built Go Lambda bootstrap
	backend *proc
	beURL   string
	started time.Time

	sections  []string // markdown, in scenario order
	targets   []targetResult
	notes     []string
	failed    []string
	revision  string // what was built: a commit, or the working tree at a commit
	loadStart string
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// targetResult is one of the targets.
type targetResult struct {
	What     string
	Want     float64 // ratio required
	Got      float64 // ratio measured; 0 when not measured
	Measured bool
	Why      string // when missed or not measured
}

func newHarness(ctx context.Context, o options) (*harness, error) {
	work, err := os.MkdirTemp("", "portico-bench-")
	if err != nil {
		return nil, err
	}
	h := &harness{o: o, work: work, procs: &procs{}, started: time.Now()}
	h.loadStart = loadavg()
	h.revision = "working tree at " + gitRev(o.repo, "HEAD")
	if o.commit != "" {
		h.revision = "commit " + gitRev(o.repo, o.commit)
		src := filepath.Join(work, "src")
		if err := os.MkdirAll(src, 0o755); err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, "sh", "-c", `git -C "$1" archive --format=tar "$2" | tar -x -C "$3"`, "sh", o.repo, o.commit, src)
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(work)
			return nil, fmt.Errorf("export %s: %v\n%s", o.commit, err, out)
		}
		h.o.repo = src
	}
	return h, nil
}

func (h *harness) close() {
	h.procs.stopAll()
	os.RemoveAll(h.work)
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%5.1fs] %s\n", time.Since(h.started).Seconds(), fmt.Sprintf(format, args...))
}

func (h *harness) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	h.notes = append(h.notes, s)
	h.logf("note: %s", s)
}

// setup builds Portico and starts the floor backend once.
func (h *harness) setup(ctx context.Context) error {
	h.logf("building Portico and the Go Lambda function")
	var err error
	if h.portico, h.gofunc, err = build(ctx, h.o.repo, h.work); err != nil {
		return err
	}
	if wrkBin, err := exec.LookPath("wrk"); err == nil {
		h.wrk = &wrkRunner{bin: wrkBin, dir: h.work}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if h.backend, err = h.procs.start("backend", filepath.Join(h.work, "backend.log"), h.work, nil, self, "backend", addr); err != nil {
		return err
	}
	h.beURL = "http://" + addr
	return waitHTTP(ctx, h.backend, h.beURL+"/", 10*time.Second)
}

func (h *harness) runAll(ctx context.Context) bool {
	if err := h.setup(ctx); err != nil {
		h.failed = append(h.failed, "setup: "+err.Error())
		return false
	}
	type scenario struct {
		name string
		fn   func(context.Context) error
	}
	list := []scenario{
		{"smoke", h.smoke},
		{"floor", h.floor},
		{"mock", h.mock},
		{"vtl", h.vtl},
		{"lambda", h.lambda},
		{"routes", h.routes},
		{"startup", h.startup},
	}
	for _, s := range list {
		if !h.o.only[s.name] {
			continue
		}
		if ctx.Err() != nil {
			h.failed = append(h.failed, s.name+": interrupted")
			break
		}
		h.logf("scenario %s", s.name)
		if err := s.fn(ctx); err != nil {
			if errors.Is(err, errNotInBuild) {
				h.note("%s: skipped: %v", s.name, err)
				continue
			}
			h.failed = append(h.failed, s.name+": "+err.Error())
			h.logf("FAILED %s: %v", s.name, err)
		}
	}
	return len(h.failed) == 0
}

// report renders the markdown report.
func (h *harness) report() string {
	var b strings.Builder
	mode := "full"
	if h.o.quick {
		mode = "quick"
	}
	fmt.Fprintf(&b, "\n## Portico benchmark (%s run, %s)\n\n", mode, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "Command: `go run ./bench %s` (Portico %s).\n\n", strings.Join(os.Args[1:], " "), h.revision)
	fmt.Fprintf(&b, "Machine: %s. Go %s, GOMAXPROCS %d. Load: %s. Each figure is the median of %d interleaved rounds of %v.\n\n",
		machine(), strings.TrimPrefix(runtime.Version(), "go"), runtime.GOMAXPROCS(0), h.wrkVersion(), h.o.rounds, h.o.duration)
	fmt.Fprintf(&b, "Load average (1, 5, 15 min) at start %s, at end %s: the load generator and other work share the CPUs with every contestant alike.\n\n", h.loadStart, loadavg())
	if len(h.targets) > 0 {
		b.WriteString("### Targets\n\n| target | required | measured | result |\n|---|---|---|---|\n")
		for _, t := range h.targets {
			switch {
			case !t.Measured:
				fmt.Fprintf(&b, "| %s | ≥ %.1fx | — | not measured: %s |\n", t.What, t.Want, t.Why)
			case t.Got >= t.Want:
				fmt.Fprintf(&b, "| %s | ≥ %.1fx | %.2fx | met |\n", t.What, t.Want, t.Got)
			default:
				fmt.Fprintf(&b, "| %s | ≥ %.1fx | %.2fx | **missed by %.0f%%**%s |\n", t.What, t.Want, t.Got,
					100*(1-t.Got/t.Want), prefixed("; ", t.Why))
			}
		}
		b.WriteString("\n")
	}
	for _, s := range h.sections {
		b.WriteString(s)
		b.WriteString("\n")
	}
	if len(h.notes) > 0 {
		b.WriteString("### Notes\n\n")
		for _, n := range h.notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	if len(h.failed) > 0 {
		b.WriteString("### Failures\n\n")
		for _, f := range h.failed {
			fmt.Fprintf(&b, "- %s\n", f)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func (h *harness) wrkVersion() string {
	if h.wrk == nil {
		return "wrk not installed"
	}
	out, _ := exec.Command(h.wrk.bin, "-v").CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	if f := strings.Fields(line); len(f) >= 2 {
		return "wrk " + f[1] + " (-t2, -t1 at concurrency 1)"
	}
	return "wrk"
}

// machine describes the CPU: nproc and the model name.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s/%s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH)
}
