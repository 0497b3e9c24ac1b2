// Package porticotest starts a real Portico on 127.0.0.1:0 for tests and
// hands out AWS SDK clients pointed at it. Servers are cleaned up by the
// test that started them.
package porticotest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/portico-dev/portico/internal/app"
)

// Server is a running Portico.
type Server struct {
	URL  string // http://127.0.0.1:port
	Addr string
	app  *app.App
	done chan error
}

// Options tune Start.
type Options struct {
	// DataDir is the data directory; empty means in memory.
	DataDir string
	// Addr is the address to listen on; empty means 127.0.0.1:0.
	Addr string
	// CAFile is trusted for HTTPS backends (portico serve --ca-file).
	CAFile string
	// VpcLinkTargets maps VPC link target ARNs to upstreams.
	VpcLinkTargets map[string][]string
}

// Start runs a Portico in memory for the test.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith runs a Portico with opts for the test.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("PORTICO_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	a, err := app.New(context.Background(), app.Config{DataDir: opts.DataDir, InMemory: opts.DataDir == "", Log: log, CAFile: opts.CAFile, VpcLinkTargets: opts.VpcLinkTargets})
	if err != nil {
		t.Fatal(err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		a.Shutdown(context.Background())
		t.Fatal(err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String(), app: a, done: make(chan error, 1)}
	go func() { s.done <- a.Serve(ln) }()
	t.Cleanup(func() { s.Stop() })
	return s
}

// Stop shuts the server down (idempotent) and closes its store.
func (s *Server) Stop() {
	if s.app == nil {
		return
	}
	s.app.Shutdown(context.Background())
	<-s.done
	s.app = nil
}

// Handler is the server's handler, for in-process measurements.
func (s *Server) Handler() http.Handler { return s.app.Handler() }

// Config is an aws.Config with static credentials and a custom endpoint
// pointing at s.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDPORTICO", "secret", ""),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   http.DefaultClient,
	}
}

// APIGateway returns a v1 management client.
func (s *Server) APIGateway() *apigateway.Client {
	return apigateway.NewFromConfig(s.Config())
}

// Invoke calls a REST API stage path through the _aws/execute-api form.
func (s *Server) Invoke(t testing.TB, method, apiID, stage, path string, body io.Reader, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/_aws/execute-api/"+apiID+"/"+stage+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// ReadBody reads and closes resp's body.
func ReadBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
