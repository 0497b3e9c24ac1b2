package httpd

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/portico-dev/portico/internal/httpwire"
)

var errTooManyFiles = syscall.EMFILE

// Connection states, for Shutdown: only an idle connection (waiting for
// the first byte of its next request) may be closed under a client.
const (
	stateIdle int32 = iota
	stateActive
	stateClosed
	stateHijacked
)

const (
	bufSize = 4 << 10
	// maxDrain is how much of a request body the handler left unread is
	// read and discarded to keep the connection; more closes it.
	maxDrain = 256 << 10
	// deadlineSlack is how stale a read deadline may get before it is
	// refreshed.
	deadlineSlack = time.Second
)

type conn struct {
	srv    *Server
	nc     net.Conn
	remote string
	state  atomic.Int32
	br     *bufio.Reader
	bw     *bufio.Writer
	ctx    context.Context
	// tmpl carries the connection's context; every request starts as a
	// copy of it.
	tmpl *http.Request
	// cur is the answer being written; hdr is the header map answers
	// reuse.
	cur *response
	hdr http.Header
	// linger: the client may still be sending (an unread body, a request
	// refused mid-stream); close gently so it reads the answer first.
	linger bool
	// deadline is the read deadline currently set on nc.
	deadline time.Time
	// head is the scratch buffer a request head is assembled in, hs the
	// storage its header map is built in, and req the request reused
	// from one request to the next.
	head []byte
	hs   httpwire.Scratch
	req  *request
	// pending holds the start of a response body until its length is
	// known or it outgrows the buffer.
	pending []byte
}

func (c *conn) serve() {
	var cancel context.CancelFunc
	c.ctx, cancel = context.WithCancel(c.srv.baseCtx)
	defer func() {
		cancel()
		c.srv.forget(c)
		switch {
		case c.state.Load() == stateHijacked:
		case c.linger:
			c.lingerClose()
		default:
			c.nc.Close()
		}
	}()
	c.tmpl = (&http.Request{}).WithContext(c.ctx)
	var rw io.ReadWriter = c.nc
	if raw := httpwire.NewRawIO(c.nc); raw != nil {
		rw = raw
	}
	c.br = bufio.NewReaderSize(rw, bufSize)
	c.bw = bufio.NewWriterSize(rw, bufSize)
	for {
		if !c.state.CompareAndSwap(stateActive, stateIdle) && c.state.Load() != stateIdle {
			return
		}
		if c.srv.closing.Load() {
			return
		}
		c.refreshDeadline(c.srv.idleTimeout())
		if _, err := c.br.Peek(1); err != nil {
			return
		}
		if !c.state.CompareAndSwap(stateIdle, stateActive) {
			return // Shutdown closed it between requests
		}
		c.refreshDeadline(c.srv.readTimeout())
		if !c.serveOne() {
			return
		}
	}
}

// refreshDeadline makes the read deadline now+d, touching the timer only
// when the current one is off by more than deadlineSlack.
func (c *conn) refreshDeadline(d time.Duration) {
	want := c.srv.now().Add(d)
	if diff := want.Sub(c.deadline); diff > deadlineSlack || diff < -deadlineSlack {
		c.deadline = want
		_ = c.nc.SetReadDeadline(want)
	}
}

// serveOne reads, handles and answers one request; it reports whether
// the connection may carry another.
func (c *conn) serveOne() (keep bool) {
	req, herr := c.readRequest()
	if herr != nil {
		if herr.status != 0 {
			c.srv.logf(slog.LevelDebug, "bad request", "remote", c.remote, "err", herr.msg)
			c.writeError(herr.status, herr.msg)
			c.linger = true
		}
		return false
	}
	w := newResponse(c, req)
	if !c.callHandler(w, &req.r) {
		return false
	}
	if c.state.Load() == stateHijacked {
		return false
	}
	w.finish()
	if w.closeAfter || req.r.Close || c.srv.closing.Load() {
		c.linger = !req.body.done && req.body.mode != bodyNone
		return false
	}
	if !req.body.drain() {
		c.linger = true
		return false
	}
	return true
}

// lingerDelay bounds how long a closing connection keeps reading what
// the client still sends.
const lingerDelay = 500 * time.Millisecond

// lingerClose half-closes the connection and reads (discarding) what the
// client is still sending for a moment, so closing with unread input
// does not reset the connection before the client has read the answer
// (RFC 9112 §9.6).
func (c *conn) lingerClose() {
	if tc, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
		_ = c.nc.SetReadDeadline(time.Now().Add(lingerDelay))
		_, _ = io.CopyN(io.Discard, c.nc, 64<<20)
	}
	c.nc.Close()
}

// callHandler runs the handler and recovers its panics: a bug costs the
// request and its connection, never the process. It reports false when
// the connection must be dropped without an answer.
func (c *conn) callHandler(w *response, r *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				c.srv.logf(slog.LevelError, "handler panicked", "method", r.Method, "uri", r.RequestURI, "panic", v, "stack", string(debug.Stack()))
			}
			ok = false
		}
	}()
	c.srv.Handler.ServeHTTP(w, r)
	return true
}

// writeError answers a request that could not be read, then the
// connection closes (RFC 9112 §2.2: after a framing error the rest of
// the stream cannot be trusted).
func (c *conn) writeError(status int, msg string) {
	body := http.StatusText(status)
	if msg != "" {
		body += ": " + msg
	}
	c.bw.WriteString("HTTP/1.1 ")
	writeStatus(c.bw, status)
	c.bw.WriteString("Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ")
	writeInt(c.bw, len(body))
	c.bw.WriteString("\r\n\r\n")
	c.bw.WriteString(body)
	_ = c.bw.Flush()
}

// hijack hands the connection to the handler (WebSocket upgrades).
func (c *conn) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !c.state.CompareAndSwap(stateActive, stateHijacked) {
		return nil, nil, errors.New("httpd: connection not active")
	}
	if err := c.bw.Flush(); err != nil {
		return nil, nil, err
	}
	_ = c.nc.SetReadDeadline(time.Time{})
	return c.nc, bufio.NewReadWriter(c.br, bufio.NewWriterSize(c.nc, bufSize)), nil
}

// discard reads and drops up to n bytes of r, reporting whether r ended.
func discard(r io.Reader, n int64) bool {
	m, err := io.CopyN(io.Discard, r, n+1)
	return m <= n && (err == nil || err == io.EOF)
}
