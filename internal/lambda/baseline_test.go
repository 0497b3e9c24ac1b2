package lambda

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// bareRuntimeAPI is the least a Runtime API can do: hand one event to
// /next and take /response, nothing else. Driving the Go test function
// through it is "invoking the function's runtime loop directly", the
// baseline Portico's warm-invoke overhead is measured against.
type bareRuntimeAPI struct {
	events  chan []byte
	results chan []byte
}

func (a *bareRuntimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/next") {
		select {
		case ev := <-a.events:
			h := w.Header()
			h["Lambda-Runtime-Aws-Request-Id"] = []string{"id"}
			h["Lambda-Runtime-Deadline-Ms"] = []string{"99999999999999"}
			_, _ = w.Write(ev)
		case <-r.Context().Done():
		}
		return
	}
	b, _ := io.ReadAll(r.Body)
	w.WriteHeader(http.StatusAccepted)
	a.results <- b
}

func (a *bareRuntimeAPI) invoke(payload []byte) []byte {
	a.events <- payload
	return <-a.results
}

// startBare runs the Go test function against a bareRuntimeAPI; the
// test's cleanup stops both.
func startBare(t testing.TB) *bareRuntimeAPI {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	api := &bareRuntimeAPI{events: make(chan []byte), results: make(chan []byte, 1)}
	srv := &http.Server{Handler: api}
	go func() { _ = srv.Serve(ln) }()
	cmd := exec.Command(filepath.Join(goFuncDir, "bootstrap"))
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		_ = srv.Close()
	})
	api.invoke([]byte(`{}`))
	return api
}

// BenchmarkInvokeDirectBaseline drives the Go test function through
// bareRuntimeAPI; BenchmarkInvokeWarm minus this is Portico's overhead.
func BenchmarkInvokeDirectBaseline(b *testing.B) {
	api := startBare(b)
	payload := []byte(`{"action":"echo"}`)
	b.ReportAllocs()
	for b.Loop() {
		api.invoke(payload)
	}
}
