package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// goFuncDir holds the test Go function built once as "bootstrap" by
// TestMain (testdata/gofunc, aws-lambda-go from the module cache).
var goFuncDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "portico-lambda-gofunc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "bootstrap"), "./testdata/gofunc")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build testdata/gofunc: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	goFuncDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// logBuf is a concurrency-safe log destination for tests.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newManager starts a Manager closed (and checked for leftovers) by the
// test's cleanup.
func newManager(t testing.TB, opts Options) *Manager {
	t.Helper()
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	m, err := NewManager(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if n := m.LiveProcesses(); n != 0 {
			t.Errorf("after Close: %d live processes", n)
		}
	})
	return m
}

// runtimeCase is one language's test function.
type runtimeCase struct {
	name        string
	interpreter string // skip when absent from PATH; "" for none
	fn          func(t testing.TB) *Function
}

func goFunction(t testing.TB) *Function {
	return &Function{
		Name:     "go-" + sanitize(t.Name()),
		Runtime:  "provided.al2023",
		Handler:  "bootstrap",
		CodeDir:  goFuncDir,
		Env:      map[string]string{"GREETING": "hello"},
		Timeout:  5 * time.Second,
		MemoryMB: 256,
		Revision: "1",
	}
}

func nodeFunction(handler string) func(t testing.TB) *Function {
	return func(t testing.TB) *Function {
		return &Function{
			Name:     "node-" + sanitize(t.Name()),
			Runtime:  "nodejs20.x",
			Handler:  handler,
			CodeDir:  absDir(t, "testdata/nodefunc"),
			Env:      map[string]string{"GREETING": "hello"},
			Timeout:  5 * time.Second,
			MemoryMB: 256,
			Revision: "1",
		}
	}
}

func pyFunction(handler string) func(t testing.TB) *Function {
	return func(t testing.TB) *Function {
		return &Function{
			Name:     "py-" + sanitize(t.Name()),
			Runtime:  "python3.12",
			Handler:  handler,
			CodeDir:  absDir(t, "testdata/pyfunc"),
			Env:      map[string]string{"GREETING": "hello"},
			Timeout:  5 * time.Second,
			MemoryMB: 256,
			Revision: "1",
		}
	}
}

var runtimes = []runtimeCase{
	{"provided.al2023 Go bootstrap", "", goFunction},
	{"nodejs20.x async ESM handler", "node", nodeFunction("index.handler")},
	{"python3.12 handler", "python3", pyFunction("app.handler")},
}

func (rc runtimeCase) function(t testing.TB) *Function {
	t.Helper()
	if rc.interpreter != "" {
		needInterpreter(t, rc.interpreter)
	}
	return rc.fn(t)
}

// needInterpreter skips the test when program is not on PATH.
func needInterpreter(t testing.TB, program string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		t.Skipf("%s not on PATH: skipping (install it to run this test)", program)
	}
}

func absDir(t testing.TB, rel string) string {
	d, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, s)
}

func invoke(t testing.TB, m *Manager, fn *Function, payload string, opts InvokeOptions) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := m.Invoke(ctx, fn, []byte(payload), opts)
	if err != nil {
		t.Fatalf("Invoke %s: %v", fn.Name, err)
	}
	return res
}

// echo is the document every test function returns.
type echo struct {
	Runtime      string          `json:"runtime"`
	PID          int             `json:"pid"`
	RequestID    string          `json:"requestId"`
	FunctionArn  string          `json:"functionArn"`
	FunctionName string          `json:"functionName"`
	Memory       string          `json:"memory"`
	Version      string          `json:"version"`
	RemainingMs  int64           `json:"remainingMs"`
	Region       string          `json:"region"`
	Handler      string          `json:"handler"`
	TaskRoot     string          `json:"taskRoot"`
	LogGroup     string          `json:"logGroup"`
	Greeting     string          `json:"greeting"`
	Trace        string          `json:"trace"`
	Event        json.RawMessage `json:"event"`
}

func decodeEcho(t testing.TB, res *Result) echo {
	t.Helper()
	if res.FunctionError != "" {
		t.Fatalf("FunctionError %q, payload %s", res.FunctionError, res.Payload)
	}
	var e echo
	if err := json.Unmarshal(res.Payload, &e); err != nil {
		t.Fatalf("payload %s: %v", res.Payload, err)
	}
	return e
}

type errDoc struct {
	ErrorType    string   `json:"errorType"`
	ErrorMessage string   `json:"errorMessage"`
	StackTrace   []string `json:"stackTrace"`
	Trace        []string `json:"trace"`
}

func decodeErr(t testing.TB, res *Result) errDoc {
	t.Helper()
	if res.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError = %q, want Unhandled; payload %s", res.FunctionError, res.Payload)
	}
	var e errDoc
	if err := json.Unmarshal(res.Payload, &e); err != nil {
		t.Fatalf("error payload %s: %v", res.Payload, err)
	}
	return e
}

// eventually polls cond until it holds or 5 s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func runtimeNumGoroutine() int { return runtime.NumGoroutine() }

func jsonLogger(w *logBuf) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
