package lambda

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Lambda's defaults for a function's configuration.
const (
	DefaultTimeout        = 3 * time.Second
	DefaultMemoryMB       = 128
	DefaultMaxConcurrency = 10
	// MaxResponseSize is the largest synchronous response payload Lambda
	// accepts from a function (6 MB), in bytes.
	MaxResponseSize = 6291556
	// TailSize is how much of an invoke's log LogType Tail returns.
	TailSize = 4096
)

// ErrRuntimeUnavailable is wrapped by errors for a runtime this machine
// cannot run: an unknown runtime name or a missing interpreter.
var ErrRuntimeUnavailable = errors.New("runtime unavailable")

// ErrClosed is returned by Invoke after Close.
var ErrClosed = errors.New("lambda manager closed")

// Function is the configuration of one function as its processes see it.
// A Manager keys processes by Name; Revision must change whenever the
// code or any other field changes, so warm processes of the old revision
// are retired.
type Function struct {
	Name    string
	ARN     string // unqualified function ARN; derived from Name when empty
	Version string // "$LATEST" when empty
	Runtime string // e.g. provided.al2023, go1.x, nodejs20.x, python3.12
	Handler string // _HANDLER; for go1.x the executable's name
	CodeDir string // unpacked code; LAMBDA_TASK_ROOT and working directory
	Env     map[string]string
	// Timeout is the function timeout; DefaultTimeout when zero.
	Timeout time.Duration
	// MemoryMB is reported to the function; DefaultMemoryMB when zero. It
	// is not enforced.
	MemoryMB int
	// MaxConcurrency limits the function's processes
	// (ReservedConcurrentExecutions); DefaultMaxConcurrency when zero.
	MaxConcurrency int
	Revision       string
}

// withDefaults returns a copy of fn with Lambda's defaults filled in.
func (fn *Function) withDefaults(region string) *Function {
	c := *fn
	if c.Version == "" {
		c.Version = "$LATEST"
	}
	if c.ARN == "" {
		c.ARN = "arn:aws:lambda:" + region + ":000000000000:function:" + c.Name
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MemoryMB <= 0 {
		c.MemoryMB = DefaultMemoryMB
	}
	if c.MaxConcurrency <= 0 {
		c.MaxConcurrency = DefaultMaxConcurrency
	}
	return &c
}

// InvokeOptions are the per-invoke inputs besides the payload.
type InvokeOptions struct {
	// RequestID is the invoke's request id; a new UUID when empty.
	RequestID string
	// InvokedARN is sent as Lambda-Runtime-Invoked-Function-Arn (the
	// qualified ARN the caller used); the function's ARN when empty.
	InvokedARN string
	// TraceID is sent as Lambda-Runtime-Trace-Id; generated when empty.
	TraceID string
	// ClientContext is sent as Lambda-Runtime-Client-Context (JSON).
	ClientContext string
	// Tail asks for the last TailSize bytes of the invoke's log
	// (LogType: Tail).
	Tail bool
}

// Result is the outcome of one invoke as Lambda's Invoke API reports it.
type Result struct {
	// Payload is the function's response, or the error document when
	// FunctionError is set.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed (error,
	// timeout, crash, init failure), else "".
	FunctionError   string
	LogTail         []byte // set when InvokeOptions.Tail
	RequestID       string
	ExecutedVersion string
}

// launcher is how a runtime's process is started.
type launcher struct {
	path     string
	args     []string
	execEnv  string // AWS_EXECUTION_ENV, empty for OS-only runtimes
	notFound string // Lambda's message when path does not exist
}

// runtimeError says what to install to run a runtime.
type runtimeError struct{ msg string }

func (e *runtimeError) Error() string { return e.msg }
func (e *runtimeError) Unwrap() error { return ErrRuntimeUnavailable }

// launcher resolves how to start fn's processes on this machine.
func (m *Manager) launcher(fn *Function) (launcher, error) {
	rt := fn.Runtime
	switch {
	case rt == "provided" || strings.HasPrefix(rt, "provided."):
		p := filepath.Join(fn.CodeDir, "bootstrap")
		return launcher{path: p, notFound: "Couldn't find valid bootstrap(s): [" + p + "]"}, nil
	case rt == "go1.x":
		h := fn.Handler
		if h == "" {
			h = "bootstrap"
		}
		p := filepath.Join(fn.CodeDir, h)
		return launcher{path: p, execEnv: "AWS_Lambda_go1.x", notFound: "fork/exec " + p + ": no such file or directory"}, nil
	case isVersioned(rt, "nodejs", ".x"):
		major := strings.TrimSuffix(strings.TrimPrefix(rt, "nodejs"), ".x")
		node, err := m.interpreter(rt, m.opts.NodePath, "node", "Node.js "+major, "Options.NodePath")
		if err != nil {
			return launcher{}, err
		}
		return launcher{path: node, args: []string{filepath.Join(m.dir, "node", "bootstrap.mjs")}, execEnv: "AWS_Lambda_" + rt}, nil
	case isVersioned(rt, "python3.", ""):
		py, err := m.interpreter(rt, m.opts.PythonPath, "python3", "Python "+strings.TrimPrefix(rt, "python"), "Options.PythonPath")
		if err != nil {
			return launcher{}, err
		}
		return launcher{path: py, args: []string{"-u", filepath.Join(m.dir, "python", "bootstrap.py")}, execEnv: "AWS_Lambda_" + rt}, nil
	}
	return launcher{}, &runtimeError{fmt.Sprintf("runtime %q is not supported by the local runner (supported: provided.al2023, provided.al2, go1.x, nodejs18.x–22.x, python3.x)", rt)}
}

// isVersioned reports whether s is prefix + digits + suffix.
func isVersioned(s, prefix, suffix string) bool {
	if !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, suffix) || len(s) <= len(prefix)+len(suffix) {
		return false
	}
	_, err := strconv.ParseUint(s[len(prefix):len(s)-len(suffix)], 10, 16)
	return err == nil
}

// interpreter finds program (or the override path) and names what to
// install when it is missing.
func (m *Manager) interpreter(rt, override, program, install, option string) (string, error) {
	if override != "" {
		if st, err := os.Stat(override); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return override, nil
		}
		return "", &runtimeError{fmt.Sprintf("runtime %s needs %q at %s (%s): install %s there or fix the setting", rt, program, override, option, install)}
	}
	p, err := exec.LookPath(program)
	if err != nil {
		return "", &runtimeError{fmt.Sprintf("runtime %s needs %q on PATH: install %s (or set %s)", rt, program, install, option)}
	}
	return p, nil
}

// CheckRuntime reports whether fn's runtime can run on this machine, so
// CreateFunction can reject a function before its first invoke.
func (m *Manager) CheckRuntime(fn *Function) error {
	_, err := m.launcher(fn)
	return err
}

// environ builds the process environment Lambda sets, with the function's
// own variables underneath the reserved ones.
func (m *Manager) environ(fn *Function, l launcher) []string {
	env := make([]string, 0, 24+len(fn.Env))
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	env = append(env, "LANG=en_US.UTF-8", "TZ=:UTC")
	for k, v := range fn.Env {
		env = append(env, k+"="+v)
	}
	env = append(env,
		"AWS_LAMBDA_FUNCTION_NAME="+fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION="+fn.Version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(int((fn.Timeout+time.Second-1)/time.Second)),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+fn.Name,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION="+m.opts.Region,
		"AWS_DEFAULT_REGION="+m.opts.Region,
		"LAMBDA_TASK_ROOT="+fn.CodeDir,
		"LAMBDA_RUNTIME_DIR="+filepath.Dir(l.path),
		"_HANDLER="+fn.Handler,
	)
	if l.execEnv != "" {
		env = append(env, "AWS_EXECUTION_ENV="+l.execEnv)
	}
	return env
}
