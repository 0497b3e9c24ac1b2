package lambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/internal/lambda/bootstrap"
)

// Options configure a Manager.
type Options struct {
	// Logger receives function output (tagged function, request_id, pid)
	// and process events. Nil discards.
	Logger *slog.Logger
	// Region is AWS_REGION for functions; "us-east-1" when empty.
	Region string
	// IdleTimeout is how long a warm process may sit unused before it is
	// stopped; 10 minutes when zero.
	IdleTimeout time.Duration
	// InitTimeout bounds a new process's start-up before its first
	// /next (Lambda's init phase limit); 10 s when zero.
	InitTimeout time.Duration
	// NodePath and PythonPath override the interpreters found on PATH
	// ("node", "python3").
	NodePath, PythonPath string
	// TempDir is where the embedded bootstraps are written; the system
	// temporary directory when empty.
	TempDir string
}

// Manager runs local function processes. It is safe for concurrent use.
// Two Managers are independent of each other.
type Manager struct {
	opts Options
	log  *slog.Logger
	dir  string // embedded bootstraps on disk

	live atomic.Int64
	wg   sync.WaitGroup // process goroutines and the reaper
	stop chan struct{}

	mu     sync.Mutex
	pools  map[string]*pool // by function name
	closed bool

	pmu     sync.Mutex
	procs   map[*proc]struct{} // every process started and not reaped
	closing bool
}

// NewManager writes the embedded bootstraps to a private temporary
// directory and starts the idle reaper. Close undoes both.
func NewManager(opts Options) (*Manager, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 10 * time.Minute
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = 10 * time.Second
	}
	dir, err := os.MkdirTemp(opts.TempDir, "portico-lambda-")
	if err != nil {
		return nil, fmt.Errorf("create bootstrap directory: %w", err)
	}
	for _, f := range []struct{ name, src string }{
		{"node/bootstrap.mjs", bootstrap.NodeJS()},
		{"python/bootstrap.py", bootstrap.Python()},
	} {
		p := filepath.Join(dir, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("write bootstrap %s: %w", f.name, err)
		}
		if err := os.WriteFile(p, []byte(f.src), 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("write bootstrap %s: %w", f.name, err)
		}
	}
	m := &Manager{
		opts:  opts,
		log:   opts.Logger,
		dir:   dir,
		stop:  make(chan struct{}),
		pools: make(map[string]*pool),
		procs: make(map[*proc]struct{}),
	}
	m.wg.Add(1)
	go m.reaper()
	return m, nil
}

// pool holds one function revision's processes.
type pool struct {
	m      *Manager
	fn     *Function // with defaults; never modified
	launch launcher
	env    []string
	log    *slog.Logger
	slots  chan struct{} // one token per running invocation

	mu      sync.Mutex
	idle    []*proc // most recently used last
	all     map[*proc]struct{}
	retired bool // no process goes back to idle
}

// poolFor returns the pool of fn's current revision, retiring the pool of
// an older revision.
func (m *Manager) poolFor(fn *Function) (*pool, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	pl := m.pools[fn.Name]
	m.mu.Unlock()
	if pl != nil && pl.fn.Revision == fn.Revision {
		return pl, nil
	}
	if fn.Name == "" || fn.CodeDir == "" {
		return nil, errors.New("function needs a Name and a CodeDir")
	}
	f := fn.withDefaults(m.opts.Region)
	l, err := m.launcher(f)
	if err != nil {
		return nil, err
	}
	np := &pool{
		m:      m,
		fn:     f,
		launch: l,
		env:    m.environ(f, l),
		log:    m.log.With(slog.String("function", f.Name)),
		slots:  make(chan struct{}, f.MaxConcurrency),
		all:    make(map[*proc]struct{}),
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	old := m.pools[fn.Name]
	if old != nil && old.fn.Revision == fn.Revision {
		m.mu.Unlock()
		return old, nil
	}
	m.pools[fn.Name] = np
	m.mu.Unlock()
	if old != nil {
		old.retire()
	}
	return np, nil
}

func (pl *pool) acquire(ctx context.Context) error {
	select {
	case pl.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case pl.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-pl.m.stop:
		return ErrClosed
	}
}

func (pl *pool) release() { <-pl.slots }

// takeIdle pops the most recently used warm process.
func (pl *pool) takeIdle() *proc {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	n := len(pl.idle)
	if n == 0 {
		return nil
	}
	p := pl.idle[n-1]
	pl.idle[n-1] = nil
	pl.idle = pl.idle[:n-1]
	return p
}

// put returns a warm process to the idle list; false if it must stop.
func (pl *pool) put(p *proc) bool {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.retired {
		return false
	}
	p.mu.Lock()
	gone := p.gone
	p.mu.Unlock()
	if gone {
		return false
	}
	p.lastUsed = time.Now()
	pl.idle = append(pl.idle, p)
	return true
}

// remove forgets a reaped process.
func (pl *pool) remove(p *proc) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	delete(pl.all, p)
	for i, q := range pl.idle {
		if q == p {
			pl.idle = append(pl.idle[:i], pl.idle[i+1:]...)
			break
		}
	}
}

// retire stops the idle processes; busy ones stop when their invoke
// completes.
func (pl *pool) retire() {
	pl.mu.Lock()
	pl.retired = true
	victims := pl.idle
	pl.idle = nil
	pl.mu.Unlock()
	for _, p := range victims {
		p.kill()
	}
}

// reapIdle stops processes idle since before cutoff.
func (pl *pool) reapIdle(cutoff time.Time) {
	pl.mu.Lock()
	i := 0
	for i < len(pl.idle) && pl.idle[i].lastUsed.Before(cutoff) {
		i++
	}
	victims := append([]*proc(nil), pl.idle[:i]...)
	pl.idle = append(pl.idle[:0], pl.idle[i:]...)
	pl.mu.Unlock()
	for _, p := range victims {
		p.kill()
	}
}

func (m *Manager) reaper() {
	defer m.wg.Done()
	every := min(max(m.opts.IdleTimeout/4, 10*time.Millisecond), 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.mu.Lock()
			pools := make([]*pool, 0, len(m.pools))
			for _, pl := range m.pools {
				pools = append(pools, pl)
			}
			m.mu.Unlock()
			for _, pl := range pools {
				pl.reapIdle(now.Add(-m.opts.IdleTimeout))
			}
		}
	}
}

// Invoke runs fn once with payload (a synchronous, RequestResponse
// invoke); an empty payload is sent as {}. Validating the payload as
// JSON and its size is the caller's job. It reuses a warm process of fn's revision or starts one,
// waiting for a free slot when fn already runs MaxConcurrency invokes.
//
// Function failures (handler error, timeout, crash, init error, bad
// entrypoint) are a Result with FunctionError "Unhandled". An error is
// returned when the invoke could not run: an unavailable runtime
// (ErrRuntimeUnavailable, naming what to install), a closed Manager, or
// ctx ending first — the function then keeps running to its own timeout
// as in Lambda, holding its slot.
func (m *Manager) Invoke(ctx context.Context, fn *Function, payload []byte, opts InvokeOptions) (*Result, error) {
	pl, err := m.poolFor(fn)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", fn.Name, err)
	}
	if err := pl.acquire(ctx); err != nil {
		return nil, fmt.Errorf("invoke %s: waiting for a free process: %w", fn.Name, err)
	}
	f := pl.fn
	if len(payload) == 0 {
		payload = []byte("{}") // Lambda's event for an invoke without payload
	}
	inv := &invocation{
		id:      opts.RequestID,
		payload: payload,
		arn:     opts.InvokedARN,
		trace:   opts.TraceID,
		client:  opts.ClientContext,
		version: f.Version,
		timeout: f.Timeout,
		done:    make(chan *Result, 1),
	}
	if inv.id == "" {
		inv.id = newRequestID()
	}
	if inv.arn == "" {
		inv.arn = f.ARN
	}
	if inv.trace == "" {
		inv.trace = newTraceID(time.Now())
	}
	if opts.Tail {
		inv.tail = &tail{}
	}
	for {
		if p := pl.takeIdle(); p != nil {
			if !p.assign(inv) {
				continue
			}
			p.work <- inv
			break
		}
		p, res, err := m.startProc(pl, inv)
		if err != nil || res != nil {
			pl.release()
			if err != nil {
				return nil, fmt.Errorf("invoke %s: start process: %w", fn.Name, err)
			}
			return res, nil
		}
		p.work <- inv
		break
	}
	select {
	case res := <-inv.done:
		return res, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("invoke %s: %w", fn.Name, ctx.Err())
	}
}

// Retire stops the processes of the named function: idle ones now, busy
// ones when their invoke completes. Use it when a function is deleted;
// a code or configuration change (a new Revision) retires the old
// processes by itself.
func (m *Manager) Retire(name string) {
	m.mu.Lock()
	pl := m.pools[name]
	delete(m.pools, name)
	m.mu.Unlock()
	if pl != nil {
		pl.retire()
	}
}

// Processes returns the number of live processes of the named
// function's current revision (LiveProcesses counts retired ones too).
func (m *Manager) Processes(name string) int {
	m.mu.Lock()
	pl := m.pools[name]
	m.mu.Unlock()
	if pl == nil {
		return 0
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return len(pl.all)
}

// LiveProcesses returns the number of processes this Manager started
// that have not been reaped yet, across all functions and revisions.
func (m *Manager) LiveProcesses() int { return int(m.live.Load()) }

// Close kills every process the Manager started (by process group),
// waits until they are reaped or ctx ends, and removes the bootstraps.
// In-flight invokes end with Runtime.ExitError.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	pools := m.pools
	m.pools = nil
	m.mu.Unlock()
	close(m.stop)
	for _, pl := range pools {
		pl.retire()
	}
	m.pmu.Lock()
	m.closing = true
	var victims []*proc
	for p := range m.procs {
		if p.started {
			victims = append(victims, p)
		}
	}
	m.pmu.Unlock()
	for _, p := range victims {
		p.kill()
	}
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("close lambda manager: %w", ctx.Err())
	}
	return os.RemoveAll(m.dir)
}

// register records a process about to start and counts its three
// goroutines (log reader, Runtime API server, reaper) in wg, so Close
// waits for them; false after Close.
func (m *Manager) register(p *proc) bool {
	m.pmu.Lock()
	defer m.pmu.Unlock()
	if m.closing {
		return false
	}
	m.procs[p] = struct{}{}
	m.wg.Add(3)
	return true
}

// started marks p as running; false if Close began meanwhile (the caller
// then kills it).
func (m *Manager) started(p *proc) bool {
	m.pmu.Lock()
	defer m.pmu.Unlock()
	p.started = true
	return !m.closing
}

func (m *Manager) unregister(p *proc) {
	m.pmu.Lock()
	delete(m.procs, p)
	m.pmu.Unlock()
}
