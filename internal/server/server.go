// Package server owns Portico's one listener: it tells data-plane
// requests (execute-api hosts and the LocalStack-style URL forms) from
// management API requests, runs the data plane over the served snapshot,
// and shuts down gracefully. It holds no API state of its own.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/httpd"
)

// Config wires a Server.
type Config struct {
	// Mgmt serves every request that is not data-plane traffic.
	Mgmt http.Handler
	// Data serves data-plane requests for REST APIs.
	Data *DataPlane
	Log  *slog.Logger
	// HTTPAPIs serves HTTP API invocations; tried when no REST API has
	// the id. Serve reports false when it does not serve apiID either.
	HTTPAPIs interface {
		Serve(w http.ResponseWriter, r *http.Request, apiID, path string) bool
	}
}

// Server is the shared listener.
type Server struct {
	cfg  Config
	http *httpd.Server
}

// New returns a Server.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg}
	s.http = &httpd.Server{
		Handler: s,
		// A client has this long to send a whole request (bodies are at
		// most 10 MB on the data plane); answers may take longer (a Lambda
		// Invoke runs up to the function's timeout), so there is no write
		// timeout.
		ReadTimeout:    2 * time.Minute,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		Log:            cfg.Log,
	}
	return s
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.http.Serve(ln)
	if errors.Is(err, httpd.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting and waits for in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

// ServeHTTP dispatches by the URL forms of the data plane (DEVELOPERS
// contract): Host {apiId}.execute-api.*, /_aws/execute-api/{apiId}/...,
// /restapis/{apiId}/{stage}/_user_request_/...; anything else is
// management API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if apiID, ok := executeAPIHost(r.Host); ok {
		s.serveData(w, r, apiID, r.URL.EscapedPath())
		return
	}
	p := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(p, "/_aws/execute-api/"); ok {
		apiID, tail := rest, "/"
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			apiID, tail = rest[:i], rest[i:] // tail keeps its slash
		}
		s.serveData(w, r, apiID, tail)
		return
	}
	if rest, ok := strings.CutPrefix(p, "/restapis/"); ok {
		// /restapis/{apiId}/{stage}/_user_request_/{path}
		apiID, tail, _ := strings.Cut(rest, "/")
		stage, tail, _ := strings.Cut(tail, "/")
		if userPath, ok := strings.CutPrefix(tail, "_user_request_"); ok && stage != "" {
			s.serveData(w, r, apiID, "/"+stage+userPath)
			return
		}
	}
	s.cfg.Mgmt.ServeHTTP(w, r)
}

// executeAPIHost recognises {apiId}.execute-api.<anything>[:port].
func executeAPIHost(host string) (string, bool) {
	i := strings.IndexByte(host, '.')
	if i <= 0 {
		return "", false
	}
	if !strings.HasPrefix(host[i+1:], "execute-api.") {
		return "", false
	}
	return host[:i], true
}

// serveData serves a data-plane request: REST APIs first, then HTTP APIs
// when no REST API has the id.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request, apiID, path string) {
	defer func() {
		// A bug must cost one request, not the connection or the process:
		// answer as API Gateway does for its own failures.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.Log.Error("data plane panicked", "api", apiID, "path", path, "panic", v, "stack", string(debug.Stack()))
			writeRaw(w, http.StatusInternalServerError, "InternalServerErrorException", []byte(`{"message":"Internal server error"}`))
		}
	}()
	if s.cfg.HTTPAPIs != nil && s.cfg.Data.Served.Load().API(apiID) == nil && s.cfg.HTTPAPIs.Serve(w, r, apiID, path) {
		return
	}
	s.cfg.Data.Serve(w, r, apiID, path)
}
