// Package httpd is the HTTP/1.1 server behind Portico's shared listener.
//
// It serves net/http Handlers, so the management APIs and the data plane
// are written against the standard types, but it runs each connection as
// one goroutine that reads a request, calls the handler and writes the
// answer, with nothing else on the side: no background read per request,
// no per-request context, no timer churn. Request heads are parsed from
// one buffer into one string, header names canonicalised in place, and
// answers whose length is known when the handler returns go out in one
// write with their Content-Length. That is where a gateway's CPU goes
// when the integration itself is cheap (RFC 9112 framing, RFC 9110
// semantics).
//
// What it does not do: TLS, HTTP/2, cancelling a request's context when
// the client goes away mid-request (API Gateway does not abort an
// integration on client disconnect either).
package httpd

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves HTTP/1.1 on the listeners given to Serve.
type Server struct {
	// Handler answers every request. A connection reuses its Request and
	// ResponseWriter, header maps included, for the next request, so a
	// handler may not use them once ServeHTTP has returned (net/http
	// asks the same of the ResponseWriter and the body); strings taken
	// out of them stay valid.
	Handler http.Handler
	// ReadTimeout bounds reading one request, head and body, from its
	// first byte; IdleTimeout bounds the wait for the next request on a
	// kept-alive connection. Both are enforced to within a second (the
	// deadline is refreshed lazily so a busy connection does not touch
	// timers on every request). Zero means 2 minutes.
	ReadTimeout, IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request head (request line, header fields
	// and chunked trailers); zero means 64 KiB. A larger head gets 431.
	MaxHeaderBytes int
	// Log receives connection-level problems (handler panics, malformed
	// requests at debug level). Nil discards them.
	Log *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	closing   atomic.Bool
	baseCtx   context.Context
	cancel    context.CancelFunc
	date      atomic.Pointer[dateLine]
	// clock is the wall clock in Unix nanoseconds, refreshed every
	// clockTick: connection deadlines (enforced to within a second) and
	// the Date header (one-second resolution) read it instead of asking
	// the system for the time several times per request.
	clock atomic.Int64
}

const clockTick = 100 * time.Millisecond

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = http.ErrServerClosed

const (
	defaultTimeout        = 2 * time.Minute
	defaultMaxHeaderBytes = 64 << 10
)

func (s *Server) init() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		s.conns = map[*conn]struct{}{}
		s.listeners = map[net.Listener]struct{}{}
		s.baseCtx, s.cancel = context.WithCancel(context.Background())
		s.clock.Store(time.Now().UnixNano())
		go s.tick(s.baseCtx)
	}
}

// tick keeps s.clock current until the server is closed.
func (s *Server) tick(ctx context.Context) {
	t := time.NewTicker(clockTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.clock.Store(time.Now().UnixNano())
		}
	}
}

// now is the coarse wall clock (at most clockTick behind).
func (s *Server) now() time.Time { return time.Unix(0, s.clock.Load()) }

func (s *Server) readTimeout() time.Duration {
	if s.ReadTimeout > 0 {
		return s.ReadTimeout
	}
	return defaultTimeout
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return defaultTimeout
}

func (s *Server) maxHeaderBytes() int {
	if s.MaxHeaderBytes > 0 {
		return s.MaxHeaderBytes
	}
	return defaultMaxHeaderBytes
}

// Serve accepts connections on ln and serves each on its own goroutine
// until Shutdown or Close, then returns ErrServerClosed. Other accept
// errors end Serve after temporary ones have been retried.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	if s.closing.Load() {
		return ErrServerClosed
	}
	s.mu.Lock()
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTooManyFiles) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logf(slog.LevelWarn, "accept failed; retrying", "err", err, "in", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		c := s.newConn(nc)
		if c == nil {
			nc.Close()
			return ErrServerClosed
		}
		go c.serve()
	}
}

func (s *Server) newConn(nc net.Conn) *conn {
	if tc, ok := nc.(*net.TCPConn); ok {
		// Keep-alive probes find peers that vanished without a FIN.
		_ = tc.SetKeepAlive(true)
	}
	c := &conn{srv: s, nc: nc, remote: nc.RemoteAddr().String()}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return nil
	}
	s.conns[c] = struct{}{}
	return c
}

func (s *Server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Shutdown stops accepting, closes idle connections, and waits for the
// requests in flight to finish (their connections close once answered)
// or for ctx to end, whichever comes first; then it closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.closing.Store(true)
	s.closeListeners()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.closeIdle() == 0 {
			s.cancel()
			return nil
		}
		select {
		case <-ctx.Done():
			s.Close()
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.init()
	s.closing.Store(true)
	s.closeListeners()
	s.mu.Lock()
	for c := range s.conns {
		c.nc.Close()
	}
	s.mu.Unlock()
	s.cancel()
	return nil
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		ln.Close()
	}
}

// closeIdle closes the connections waiting for a request and returns how
// many connections remain.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			c.nc.Close()
		}
	}
	return len(s.conns)
}

func (s *Server) logf(level slog.Level, msg string, args ...any) {
	if s.Log != nil {
		s.Log.Log(context.Background(), level, msg, args...)
	}
}

// dateLine caches the Date header of the current second.
type dateLine struct {
	sec  int64
	text string
}

func (s *Server) dateHeader(now time.Time) string {
	sec := now.Unix()
	if d := s.date.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &dateLine{sec: sec, text: now.UTC().Format(http.TimeFormat)}
	s.date.Store(d)
	return d.text
}
