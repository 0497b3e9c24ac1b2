package lambda

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/portico-dev/portico/internal/httpd"
)

// invocation is one invoke on its way through a process.
type invocation struct {
	id      string
	payload []byte
	arn     string
	trace   string
	client  string
	version string
	timeout time.Duration
	tail    *tail // nil unless LogType Tail

	start     time.Time // when the process received it
	cold      bool
	initStart time.Time

	state atomic.Bool  // true once completed
	timer *time.Timer  // the function timeout
	done  chan *Result // buffered; receives exactly one Result
}

// proc is one running function process and its Runtime API endpoint.
type proc struct {
	m    *Manager
	pool *pool
	fn   *Function
	cmd  *exec.Cmd
	srv  *httpd.Server
	logs *logSink

	work   chan *invocation // cap 1: the invocation for the next /next
	exited chan struct{}    // closed once the process is reaped

	mu            sync.Mutex
	cur           *invocation // assigned and not completed
	gone          bool        // exited or being killed: takes no new work
	reaped        bool
	releaseOnExit bool // the concurrency slot is returned when reaped
	state         string

	started bool // guarded by Manager.pmu

	lastUsed time.Time // guarded by pool.mu
}

// startProc starts a process for pl's function with inv assigned to it.
// It returns a Result (not an error) when the function's entrypoint
// cannot be started, as Lambda reports Runtime.InvalidEntrypoint.
func (m *Manager) startProc(pl *pool, inv *invocation) (*proc, *Result, error) {
	fn := pl.fn
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	p := &proc{
		m:      m,
		pool:   pl,
		fn:     fn,
		work:   make(chan *invocation, 1),
		exited: make(chan struct{}),
		cur:    inv,
	}
	inv.cold = true
	inv.initStart = time.Now()
	// The Runtime API is served by Portico's own HTTP/1.1 server: each
	// invocation is two exchanges on it (GET next, POST response). A
	// runtime's GET next waits inside the handler, which no read timeout
	// bounds.
	p.srv = &httpd.Server{Handler: p}

	r, w, err := os.Pipe()
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	env := append(pl.env[:len(pl.env):len(pl.env)],
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		"AWS_LAMBDA_LOG_STREAM_NAME="+newLogStream(inv.initStart, fn.Version))
	newCmd := func() *exec.Cmd {
		cmd := exec.Command(pl.launch.path, pl.launch.args...)
		cmd.Dir = fn.CodeDir
		cmd.Env = env
		cmd.Stdout = w
		cmd.Stderr = w
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		return cmd
	}
	cmd := newCmd()
	p.cmd = cmd
	// The init phase has its own limit; the function timeout starts again
	// when the runtime receives the event.
	inv.timer = time.AfterFunc(m.opts.InitTimeout+inv.timeout, func() { p.timedOut(inv) })
	if !m.register(p) {
		inv.timer.Stop()
		w.Close()
		r.Close()
		ln.Close()
		return nil, nil, ErrClosed
	}
	err = cmd.Start()
	// A function's executable that was just unpacked can still be open
	// for writing in a process another goroutine forked meanwhile (until
	// that child execs and drops the descriptor): exec then fails with
	// ETXTBSY for a moment. Try again shortly, as the Go toolchain does.
	for i := 0; errors.Is(err, syscall.ETXTBSY) && i < 20; i++ {
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
		cmd = newCmd()
		p.mu.Lock()
		p.cmd = cmd
		p.mu.Unlock()
		err = cmd.Start()
	}
	if err != nil {
		m.unregister(p)
		m.wg.Add(-3)
		inv.timer.Stop()
		w.Close()
		r.Close()
		ln.Close()
		msg := err.Error()
		if errors.Is(err, os.ErrNotExist) && pl.launch.notFound != "" {
			msg = pl.launch.notFound
		}
		return nil, &Result{
			Payload:         errorDoc("Runtime.InvalidEntrypoint", "RequestId: "+inv.id+" Error: "+msg),
			FunctionError:   "Unhandled",
			RequestID:       inv.id,
			ExecutedVersion: fn.Version,
		}, nil
	}
	w.Close()
	m.live.Add(1)
	pl.mu.Lock()
	pl.all[p] = struct{}{}
	pl.mu.Unlock()
	p.logs = newLogSink(r, pl.log.With(slog.Int("pid", cmd.Process.Pid)))
	go func() { defer m.wg.Done(); p.logs.run() }()
	go func() { defer m.wg.Done(); _ = p.srv.Serve(ln) }()
	go func() { defer m.wg.Done(); p.wait() }()
	if !m.started(p) {
		p.kill()
	}
	return p, nil, nil
}

// assign gives inv to a warm process; false if the process is gone.
func (p *proc) assign(inv *invocation) bool {
	inv.timer = time.AfterFunc(inv.timeout, func() { p.timedOut(inv) })
	p.mu.Lock()
	if p.gone {
		p.mu.Unlock()
		inv.timer.Stop()
		return false
	}
	p.cur = inv
	p.mu.Unlock()
	return true
}

// wait reaps the process and fails its in-flight invoke. Before reaping
// it kills what is left of the process group (children the function
// started), as Lambda tears down the whole sandbox; while the leader is
// unreaped its pid, and so the group id, cannot be reused.
func (p *proc) wait() {
	pid := p.cmd.Process.Pid
	waitExited(pid)
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	err := p.cmd.Wait()
	state := ""
	if p.cmd.ProcessState != nil {
		state = p.cmd.ProcessState.String()
	} else if err != nil {
		state = err.Error()
	}
	p.mu.Lock()
	p.gone, p.reaped, p.state = true, true, state
	inv, release := p.cur, p.releaseOnExit
	p.releaseOnExit = false
	p.mu.Unlock()
	close(p.exited)
	p.srv.Close()
	p.pool.remove(p)
	p.m.unregister(p)
	p.m.live.Add(-1)
	if release {
		p.pool.release()
	}
	if inv != nil {
		p.complete(inv, &Result{Payload: exitDoc(inv.id, state), FunctionError: "Unhandled"}, false, "")
	}
	if p.pool.log.Enabled(context.Background(), slog.LevelDebug) {
		p.pool.log.LogAttrs(context.Background(), slog.LevelDebug, "function process exited",
			slog.Int("pid", p.cmd.Process.Pid), slog.String("state", state))
	}
}

// kill stops the process and everything in its process group.
func (p *proc) kill() {
	p.mu.Lock()
	p.gone = true
	reaped, cmd := p.reaped, p.cmd
	p.mu.Unlock()
	if !reaped && cmd != nil && cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// timedOut fails inv with Lambda's timeout error and kills the process.
func (p *proc) timedOut(inv *invocation) {
	res := &Result{Payload: timeoutDoc(inv.id, inv.timeout), FunctionError: "Unhandled"}
	p.complete(inv, res, false, " Task timed out after "+seconds(inv.timeout)+" seconds")
}

// complete finishes inv once: the process goes back to the idle list
// (reuse) or is killed, the concurrency slot is returned, and the caller
// receives res. note, when set, is logged for inv after its output.
func (p *proc) complete(inv *invocation, res *Result, reuse bool, note string) {
	if !inv.state.CompareAndSwap(false, true) {
		return
	}
	inv.timer.Stop()
	p.logs.detach(inv)
	res.RequestID = inv.id
	res.ExecutedVersion = p.fn.Version
	if note != "" {
		line := time.Now().UTC().Format("2006-01-02T15:04:05.000Z") + " " + inv.id + note
		p.pool.log.LogAttrs(context.Background(), slog.LevelWarn, line, slog.String("request_id", inv.id))
		if inv.tail != nil {
			inv.tail.write([]byte(line + "\n"))
		}
	}
	if inv.tail != nil {
		p.report(inv)
		res.LogTail = inv.tail.bytes()
	}
	p.mu.Lock()
	p.cur = nil
	p.mu.Unlock()
	if !reuse || !p.pool.put(p) {
		// The slot is returned once the process has been reaped, so the
		// function never has more live processes than its limit.
		p.mu.Lock()
		p.gone = true
		now := p.reaped
		if !now {
			p.releaseOnExit = true
		}
		p.mu.Unlock()
		if now {
			p.pool.release()
		} else {
			p.kill()
		}
	} else {
		p.pool.release()
	}
	inv.done <- res
}

// report adds Lambda's END and REPORT lines to inv's tail.
func (p *proc) report(inv *invocation) {
	now := time.Now()
	start := inv.start
	if start.IsZero() {
		start = now
	}
	ms := float64(now.Sub(start).Microseconds()) / 1000
	billed := int64(ms + 0.999999)
	line := "END RequestId: " + inv.id + "\nREPORT RequestId: " + inv.id +
		"\tDuration: " + strconv.FormatFloat(ms, 'f', 2, 64) + " ms" +
		"\tBilled Duration: " + strconv.FormatInt(billed, 10) + " ms" +
		"\tMemory Size: " + strconv.Itoa(p.fn.MemoryMB) + " MB\t"
	if inv.cold {
		line += "Init Duration: " + strconv.FormatFloat(float64(start.Sub(inv.initStart).Microseconds())/1000, 'f', 2, 64) + " ms\t"
	}
	inv.tail.write([]byte(line + "\n"))
}

// waitExited blocks until process pid has exited, without reaping it
// (waitid with WNOWAIT).
func waitExited(pid int) {
	const pPID = 1     // P_PID
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&info[0])), syscall.WEXITED|wNoWait, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}

// wNoWait is WNOWAIT: leave the child waitable.
const wNoWait = 0x1000000
