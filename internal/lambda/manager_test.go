package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Runtime API: the invoke carries the context Lambda passes
// (Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn,
// -Trace-Id) and the environment Lambda sets; warm processes are reused.
func TestInvokeEchoesContextAndEnvironment(t *testing.T) {
	t.Parallel()
	goX := func(t testing.TB) *Function {
		fn := goFunction(t)
		fn.Runtime = "go1.x" // runs the handler executable
		return fn
	}
	cases := append(runtimes[:len(runtimes):len(runtimes)],
		runtimeCase{"go1.x handler executable", "", goX},
		runtimeCase{"nodejs20.x CommonJS callback handler", "node", nodeFunction("cb.handler")},
		runtimeCase{"nodejs20.x CommonJS .js module, nested handler path", "node", nodeFunction("legacy.api.handler")})
	for _, rc := range cases {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			fn := rc.function(t)
			m := newManager(t, Options{Logger: discardLogger(), Region: "eu-west-3"})
			arn := "arn:aws:lambda:eu-west-3:000000000000:function:" + fn.Name + ":live"
			res := invoke(t, m, fn, `{"action":"echo","x":1}`, InvokeOptions{RequestID: "11111111-2222-4333-8444-555555555555", InvokedARN: arn})
			e := decodeEcho(t, res)
			if res.RequestID != "11111111-2222-4333-8444-555555555555" || e.RequestID != res.RequestID {
				t.Errorf("request id: result %q, function saw %q", res.RequestID, e.RequestID)
			}
			if res.ExecutedVersion != "$LATEST" {
				t.Errorf("ExecutedVersion = %q", res.ExecutedVersion)
			}
			var ev map[string]any
			if err := json.Unmarshal(e.Event, &ev); err != nil || ev["x"] != 1.0 {
				t.Errorf("event = %s", e.Event)
			}
			if strings.HasPrefix(e.Runtime, "node-") {
				return // the CommonJS handlers echo only id and event
			}
			for _, c := range []struct{ field, got, want string }{
				{"Lambda-Runtime-Invoked-Function-Arn", e.FunctionArn, arn},
				{"AWS_LAMBDA_FUNCTION_NAME", e.FunctionName, fn.Name},
				{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", e.Memory, "256"},
				{"AWS_LAMBDA_FUNCTION_VERSION", e.Version, "$LATEST"},
				{"AWS_REGION", e.Region, "eu-west-3"},
				{"_HANDLER", e.Handler, fn.Handler},
				{"LAMBDA_TASK_ROOT", e.TaskRoot, fn.CodeDir},
				{"AWS_LAMBDA_LOG_GROUP_NAME", e.LogGroup, "/aws/lambda/" + fn.Name},
				{"function environment variable", e.Greeting, "hello"},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if !strings.HasPrefix(e.Trace, "Root=1-") {
				t.Errorf("Lambda-Runtime-Trace-Id = %q", e.Trace)
			}
			if e.RemainingMs <= 0 || e.RemainingMs > fn.Timeout.Milliseconds() {
				t.Errorf("remaining time %d ms, timeout %v", e.RemainingMs, fn.Timeout)
			}
			// Warm: the second invoke runs in the same process.
			e2 := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
			if e2.PID != e.PID {
				t.Errorf("warm invoke ran in pid %d, first in %d", e2.PID, e.PID)
			}
			if e2.RequestID == e.RequestID || len(e2.RequestID) != 36 {
				t.Errorf("generated request id %q", e2.RequestID)
			}
			if n := m.Processes(fn.Name); n != 1 {
				t.Errorf("Processes = %d, want 1", n)
			}
		})
	}
}

// Handler errors: the runtime posts …/error; Invoke reports
// FunctionError "Unhandled" with the errorType/errorMessage document and
// the process stays warm.
func TestHandlerErrorIsUnhandledAndProcessStaysWarm(t *testing.T) {
	t.Parallel()
	wantType := map[string]string{"go": "errorString", "node": "TypeError", "py": "Boom", "node-cb": "RangeError"}
	cases := append(runtimes[:len(runtimes):len(runtimes)],
		runtimeCase{"nodejs20.x callback error", "node", nodeFunction("cb.handler")})
	for _, rc := range cases {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			fn := rc.function(t)
			m := newManager(t, Options{Logger: discardLogger()})
			e := decodeErr(t, invoke(t, m, fn, `{"action":"error"}`, InvokeOptions{}))
			kind := strings.SplitN(fn.Name, "-", 2)[0]
			if fn.Handler == "cb.handler" {
				kind = "node-cb"
			}
			if e.ErrorType != wantType[kind] || !strings.Contains(e.ErrorMessage, "boom") {
				t.Errorf("error = %+v, want errorType %s and message boom", e, wantType[kind])
			}
			if kind == "py" && len(e.StackTrace) == 0 {
				t.Errorf("python error has no stackTrace")
			}
			if kind == "node" && len(e.Trace) == 0 {
				t.Errorf("node error has no trace")
			}
			if fn.Handler == "cb.handler" {
				return
			}
			decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
			if n := m.Processes(fn.Name); n != 1 {
				t.Errorf("Processes = %d after an error, want 1 (warm)", n)
			}
		})
	}
}

// Timeouts: a function overrunning its timeout is killed and reported as
// {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error:
// Task timed out after 0.30 seconds"}; the next invoke gets a new process.
func TestTimeoutKillsAndReports(t *testing.T) {
	t.Parallel()
	for _, rc := range runtimes {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			fn := rc.function(t)
			fn.Timeout = 300 * time.Millisecond
			m := newManager(t, Options{Logger: discardLogger()})
			first := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
			start := time.Now()
			res := invoke(t, m, fn, `{"action":"sleep","ms":5000}`, InvokeOptions{Tail: true})
			if d := time.Since(start); d < 300*time.Millisecond || d > 2*time.Second {
				t.Errorf("timed-out invoke took %v", d)
			}
			e := decodeErr(t, res)
			want := "RequestId: " + res.RequestID + " Error: Task timed out after 0.30 seconds"
			if e.ErrorType != "Sandbox.Timedout" || e.ErrorMessage != want {
				t.Errorf("got %s, want errorType Sandbox.Timedout, errorMessage %q", res.Payload, want)
			}
			if !strings.Contains(string(res.LogTail), "Task timed out after 0.30 seconds") {
				t.Errorf("tail lacks the timeout line: %q", res.LogTail)
			}
			next := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
			if next.PID == first.PID {
				t.Errorf("timed-out process %d was reused", first.PID)
			}
			if alive(first.PID) {
				t.Errorf("timed-out process %d still alive", first.PID)
			}
			eventually(t, "one live process", func() bool { return m.LiveProcesses() == 1 })
		})
	}
}

// Crashes: the in-flight invoke reports Runtime.ExitError like Lambda and
// the next invoke gets a fresh process.
func TestCrashReportsExitErrorAndIsReplaced(t *testing.T) {
	t.Parallel()
	for _, rc := range runtimes {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			fn := rc.function(t)
			m := newManager(t, Options{Logger: discardLogger()})
			first := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
			res := invoke(t, m, fn, `{"action":"crash"}`, InvokeOptions{})
			e := decodeErr(t, res)
			want := "RequestId: " + res.RequestID + " Error: Runtime exited with error: exit status 1"
			if e.ErrorType != "Runtime.ExitError" || e.ErrorMessage != want {
				t.Errorf("got %s, want Runtime.ExitError %q", res.Payload, want)
			}
			next := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
			if next.PID == first.PID {
				t.Errorf("crashed process %d reused", first.PID)
			}
			eventually(t, "one live process", func() bool { return m.Processes(fn.Name) == 1 })
		})
	}
}

// A crashed process's children go with it: Lambda tears down the whole
// sandbox, Portico kills the process group.
func TestCrashKillsChildren(t *testing.T) {
	t.Parallel()
	fn := runtimes[2].function(t) // python3
	m := newManager(t, Options{Logger: discardLogger()})
	res := invoke(t, m, fn, `{"action":"spawn"}`, InvokeOptions{})
	var out struct{ Child int }
	if err := json.Unmarshal(res.Payload, &out); err != nil || out.Child == 0 {
		t.Fatalf("spawn: %s", res.Payload)
	}
	if !alive(out.Child) {
		t.Fatalf("child %d not running", out.Child)
	}
	decodeErr(t, invoke(t, m, fn, `{"action":"crash"}`, InvokeOptions{}))
	eventually(t, "child killed with its process group", func() bool { return !alive(out.Child) })
}

// Init failures: a module that cannot load, a missing handler or a
// missing bootstrap fail the invoke with Lambda's Runtime.* error types.
func TestInitFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, interpreter, runtime, handler, dir, wantType, wantMsg string
	}{
		{"nodejs module throws at import is Runtime.ImportModuleError", "node", "nodejs20.x", "broken.handler", "testdata/nodefunc", "Runtime.ImportModuleError", "cannot load"},
		{"nodejs missing module is Runtime.ImportModuleError", "node", "nodejs22.x", "nope.handler", "testdata/nodefunc", "Runtime.ImportModuleError", "Cannot find module 'nope'"},
		{"nodejs missing export is Runtime.HandlerNotFound", "node", "nodejs18.x", "index.nope", "testdata/nodefunc", "Runtime.HandlerNotFound", "index.nope is undefined or not exported"},
		{"python missing module is Runtime.ImportModuleError", "python3", "python3.12", "nope.handler", "testdata/pyfunc", "Runtime.ImportModuleError", "Unable to import module 'nope'"},
		{"python missing function is Runtime.HandlerNotFound", "python3", "python3.11", "app.nope", "testdata/pyfunc", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'"},
		{"provided without bootstrap is Runtime.InvalidEntrypoint", "", "provided.al2", "x", "testdata", "Runtime.InvalidEntrypoint", "Couldn't find valid bootstrap(s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.interpreter != "" {
				needInterpreter(t, tc.interpreter)
			}
			m := newManager(t, Options{Logger: discardLogger()})
			fn := &Function{Name: sanitize(tc.name), Runtime: tc.runtime, Handler: tc.handler, CodeDir: absDir(t, tc.dir), Revision: "1"}
			e := decodeErr(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
			if e.ErrorType != tc.wantType || !strings.Contains(e.ErrorMessage, tc.wantMsg) {
				t.Errorf("got %+v, want %s containing %q", e, tc.wantType, tc.wantMsg)
			}
			eventually(t, "no live process", func() bool { return m.LiveProcesses() == 0 })
		})
	}
}

// A missing interpreter is an error (not a function error) naming what to
// install.
func TestMissingInterpreterNamesWhatToInstall(t *testing.T) {
	t.Parallel()
	m := newManager(t, Options{Logger: discardLogger(), NodePath: "/nonexistent/node", PythonPath: "/nonexistent/python3"})
	for _, tc := range []struct{ runtime, want string }{
		{"nodejs20.x", `runtime nodejs20.x needs "node" at /nonexistent/node (Options.NodePath): install Node.js 20`},
		{"nodejs22.x", `install Node.js 22`},
		{"python3.12", `runtime python3.12 needs "python3" at /nonexistent/python3 (Options.PythonPath): install Python 3.12`},
		{"java21", `runtime "java21" is not supported`},
	} {
		t.Run(tc.runtime, func(t *testing.T) {
			fn := &Function{Name: "f", Runtime: tc.runtime, Handler: "index.handler", CodeDir: t.TempDir()}
			_, err := m.Invoke(context.Background(), fn, []byte(`{}`), InvokeOptions{})
			if !errors.Is(err, ErrRuntimeUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrRuntimeUnavailable containing %q", err, tc.want)
			}
			if err := m.CheckRuntime(fn); !errors.Is(err, ErrRuntimeUnavailable) {
				t.Errorf("CheckRuntime = %v", err)
			}
		})
	}
	t.Run("not on PATH", func(t *testing.T) {
		// interpreter() with an empty PATH lookup result.
		_, err := m.interpreter("nodejs20.x", "", "portico-no-such-node", "Node.js 20", "Options.NodePath")
		if err == nil || err.Error() != `runtime nodejs20.x needs "portico-no-such-node" on PATH: install Node.js 20 (or set Options.NodePath)` {
			t.Errorf("err = %v", err)
		}
	})
}

// Concurrency: concurrent invokes start more processes up to the
// function's limit (ReservedConcurrentExecutions) and queue beyond it.
func TestConcurrencyLimitQueuesBeyondLimit(t *testing.T) {
	t.Parallel()
	fn := goFunction(t)
	fn.MaxConcurrency = 10
	m := newManager(t, Options{Logger: discardLogger()})
	var peak atomic.Int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		for {
			if n := int64(m.LiveProcesses()); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	var wg sync.WaitGroup
	pids := make(chan int, 50)
	for i := range 50 {
		wg.Go(func() {
			res, err := m.Invoke(context.Background(), fn, fmt.Appendf(nil, `{"action":"sleep","ms":50,"i":%d}`, i), InvokeOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			var e echo
			if res.FunctionError != "" || json.Unmarshal(res.Payload, &e) != nil {
				t.Errorf("invoke %d: %s %s", i, res.FunctionError, res.Payload)
				return
			}
			pids <- e.PID
		})
	}
	wg.Wait()
	close(stop)
	sampler.Wait()
	close(pids)
	distinct := map[int]bool{}
	for p := range pids {
		distinct[p] = true
	}
	if len(distinct) > 10 || peak.Load() > 10 {
		t.Errorf("%d distinct processes, peak %d live; limit 10", len(distinct), peak.Load())
	}
	if len(distinct) < 2 {
		t.Errorf("only %d process served 50 concurrent invokes", len(distinct))
	}
}

// Idle processes are reaped after IdleTimeout.
func TestIdleProcessesAreReaped(t *testing.T) {
	t.Parallel()
	fn := goFunction(t)
	m := newManager(t, Options{Logger: discardLogger(), IdleTimeout: 100 * time.Millisecond})
	e := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
	if m.Processes(fn.Name) != 1 {
		t.Fatalf("Processes = %d", m.Processes(fn.Name))
	}
	eventually(t, "idle process reaped", func() bool { return m.LiveProcesses() == 0 })
	if alive(e.PID) {
		t.Errorf("reaped pid %d still alive", e.PID)
	}
	decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
}

// A new Revision retires the old revision's warm processes; Retire stops
// a deleted function's processes.
func TestRevisionChangeAndRetire(t *testing.T) {
	t.Parallel()
	fn := goFunction(t)
	m := newManager(t, Options{Logger: discardLogger()})
	a := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
	fn2 := *fn
	fn2.Revision = "2"
	fn2.Env = map[string]string{"GREETING": "bonjour"}
	b := decodeEcho(t, invoke(t, m, &fn2, `{}`, InvokeOptions{}))
	if a.PID == b.PID || b.Greeting != "bonjour" {
		t.Errorf("revision 2 ran in pid %d (rev 1: %d) with GREETING %q", b.PID, a.PID, b.Greeting)
	}
	eventually(t, "old revision stopped", func() bool { return !alive(a.PID) && m.LiveProcesses() == 1 })
	m.Retire(fn.Name)
	eventually(t, "retired", func() bool { return m.LiveProcesses() == 0 })
}

// ctx ending first returns its error; the function runs on to completion
// (as in Lambda) and its process is reused afterwards.
func TestContextDeadlineLeavesFunctionRunning(t *testing.T) {
	t.Parallel()
	fn := goFunction(t)
	fn.MaxConcurrency = 1
	m := newManager(t, Options{Logger: discardLogger()})
	a := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := m.Invoke(ctx, fn, []byte(`{"action":"sleep","ms":300}`), InvokeOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	// The slot is held until the sleeping invoke finishes; then the same
	// process serves again.
	b := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
	if a.PID != b.PID {
		t.Errorf("process replaced (%d → %d) after a caller gave up", a.PID, b.PID)
	}
}

// Invokes beyond the concurrency limit queue, and give up with their
// context.
func TestQueuedInvokeHonoursContext(t *testing.T) {
	t.Parallel()
	fn := goFunction(t)
	fn.MaxConcurrency = 1
	m := newManager(t, Options{Logger: discardLogger()})
	done := make(chan *Result, 1)
	go func() {
		res, _ := m.Invoke(context.Background(), fn, []byte(`{"action":"sleep","ms":400}`), InvokeOptions{})
		done <- res
	}()
	eventually(t, "first invoke running", func() bool { return m.LiveProcesses() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := m.Invoke(ctx, fn, []byte(`{}`), InvokeOptions{})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting for a free process") {
		t.Errorf("queued invoke: %v", err)
	}
	if res := <-done; res == nil || res.FunctionError != "" {
		t.Errorf("first invoke: %+v", res)
	}
	if m.LiveProcesses() != 1 {
		t.Errorf("LiveProcesses = %d with limit 1", m.LiveProcesses())
	}
}

// An invoke without payload delivers the event {}.
func TestEmptyPayloadIsEmptyObject(t *testing.T) {
	t.Parallel()
	m := newManager(t, Options{Logger: discardLogger()})
	if e := decodeEcho(t, invoke(t, m, goFunction(t), ``, InvokeOptions{})); string(e.Event) != `{}` {
		t.Errorf("event = %s", e.Event)
	}
}

// Responses over 6 MB fail with Function.ResponseSizeTooLarge.
func TestResponseTooLarge(t *testing.T) {
	t.Parallel()
	m := newManager(t, Options{Logger: discardLogger()})
	e := decodeErr(t, invoke(t, m, goFunction(t), `{"action":"big"}`, InvokeOptions{}))
	if e.ErrorType != "Function.ResponseSizeTooLarge" {
		t.Errorf("got %+v", e)
	}
}

// Function output goes to the logger tagged with function and request
// id; LogType Tail returns the last 4 KB of the invoke's log with
// Lambda's START/END/REPORT lines.
func TestLogsAndTail(t *testing.T) {
	t.Parallel()
	for _, rc := range runtimes {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			fn := rc.function(t)
			var buf logBuf
			m := newManager(t, Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
			res := invoke(t, m, fn, `{"action":"log","lines":["first line","second line"]}`, InvokeOptions{Tail: true})
			decodeEcho(t, res)
			tail := string(res.LogTail)
			for _, want := range []string{"START RequestId: " + res.RequestID + " Version: $LATEST\n", "first line\n", "second line\n",
				"END RequestId: " + res.RequestID + "\n", "REPORT RequestId: " + res.RequestID + "\tDuration: ", "Init Duration: "} {
				if !strings.Contains(tail, want) {
					t.Errorf("tail lacks %q:\n%s", want, tail)
				}
			}
			found := false
			for _, l := range strings.Split(buf.String(), "\n") {
				var rec map[string]any
				if json.Unmarshal([]byte(l), &rec) == nil && strings.HasSuffix(fmt.Sprint(rec["msg"]), "second line") {
					found = rec["function"] == fn.Name && rec["request_id"] == res.RequestID
				}
			}
			if !found {
				t.Errorf("log lacks the tagged line:\n%s", buf.String())
			}
			// The tail is bounded to 4 KB.
			lines := make([]string, 200)
			for i := range lines {
				lines[i] = fmt.Sprintf("line %03d %s", i, strings.Repeat("x", 40))
			}
			ev, _ := json.Marshal(map[string]any{"action": "log", "lines": lines})
			res = invoke(t, m, fn, string(ev), InvokeOptions{Tail: true})
			if len(res.LogTail) > TailSize || !strings.Contains(string(res.LogTail), "line 199") || strings.Contains(string(res.LogTail), "line 000") {
				t.Errorf("tail of %d bytes:\n%s", len(res.LogTail), res.LogTail)
			}
			if res2 := invoke(t, m, fn, `{}`, InvokeOptions{}); res2.LogTail != nil {
				t.Errorf("tail without LogType Tail")
			}
		})
	}
}

// Close kills every process by process group, and Invoke then fails.
func TestCloseStopsEverything(t *testing.T) {
	t.Parallel()
	m, err := NewManager(Options{Logger: discardLogger(), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fn := goFunction(t)
	e := decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
	other := goFunction(t)
	other.Name += "-busy"
	busy := make(chan *Result, 1)
	go func() {
		res, _ := m.Invoke(context.Background(), other, []byte(`{"action":"sleep","ms":10000}`), InvokeOptions{})
		busy <- res
	}()
	eventually(t, "second process", func() bool { return m.LiveProcesses() == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if m.LiveProcesses() != 0 || alive(e.PID) {
		t.Errorf("after Close: %d live, pid %d alive=%v", m.LiveProcesses(), e.PID, alive(e.PID))
	}
	if res := <-busy; res == nil || res.FunctionError != "Unhandled" {
		t.Errorf("in-flight invoke on Close: %+v", res)
	}
	if _, err := m.Invoke(context.Background(), fn, nil, InvokeOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v", err)
	}
	if _, err := os.Stat(m.dir); !os.IsNotExist(err) {
		t.Errorf("bootstrap dir left behind: %v", err)
	}
}

// 1,000 sequential warm invokes leak no processes, goroutines or file
// descriptors. Not parallel: it counts the test binary's goroutines.
func TestWarmInvokesLeakNothing(t *testing.T) {
	fn := goFunction(t)
	m := newManager(t, Options{Logger: discardLogger()})
	decodeEcho(t, invoke(t, m, fn, `{}`, InvokeOptions{}))
	settle()
	g0, fd0 := runtimeNumGoroutine(), fdCount(t)
	for i := range 1000 {
		res := invoke(t, m, fn, `{"n":1}`, InvokeOptions{Tail: i%10 == 0})
		if res.FunctionError != "" {
			t.Fatalf("invoke %d: %s", i, res.Payload)
		}
	}
	settle()
	g1, fd1 := runtimeNumGoroutine(), fdCount(t)
	if g1 > g0+2 || fd1 > fd0+2 {
		t.Errorf("goroutines %d → %d, fds %d → %d", g0, g1, fd0, fd1)
	}
	if n := m.LiveProcesses(); n != 1 {
		t.Errorf("LiveProcesses = %d, want 1", n)
	}
}

func settle() { time.Sleep(50 * time.Millisecond) }

func fdCount(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	// A zombie is not alive; its parent (us) has not reaped it yet.
	b, err := os.ReadFile(filepath.Join("/proc", fmt.Sprint(pid), "stat"))
	return err == nil && !strings.Contains(string(b), ") Z ")
}
