package httpbackend

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/portico-dev/portico/internal/httpwire"
	"github.com/portico-dev/portico/internal/integration"
)

// h1 is Portico's upstream client for plain-HTTP backends: one goroutine
// per exchange (the caller's), pooled keep-alive connections, the request
// written and the response read in place. net/http's Transport hands
// every exchange to two more goroutines (its connection's read and write
// loops); on a loaded machine those hand-offs cost more than the rest of
// the proxy. TLS backends keep using net/http.
type h1 struct {
	dialer  *net.Dialer
	maxIdle int
	// idleFor drops pooled connections older than this, below the
	// keep-alive timeouts servers commonly use (Node.js: 5 s).
	idleFor time.Duration

	mu   sync.Mutex
	idle map[string]*idleList
	// last is the list of the address used last (under mu), so that
	// calls to one backend skip hashing its address.
	last *idleList
}

// idleList is the pooled connections to one address.
type idleList struct {
	addr  string
	conns []*h1Conn
}

// list returns addr's idle list, creating it; p.mu is held.
func (p *h1) list(addr string) *idleList {
	if l := p.last; l != nil && l.addr == addr {
		return l
	}
	l := p.idle[addr]
	if l == nil {
		l = &idleList{addr: strings.Clone(addr)}
		p.idle[l.addr] = l
	}
	p.last = l
	return l
}

type h1Conn struct {
	nc   net.Conn
	lr   *budgetReader
	br   *bufio.Reader
	bw   *bufio.Writer
	used time.Time
	// head is the buffer response heads are read into.
	head []byte
	// rdl and wdl are the read and write deadlines set on nc.
	rdl, wdl time.Time
}

// The integration timeout is enforced through the connection's
// deadlines, refreshed lazily so that a busy connection does not update
// its timers on every exchange: a read deadline already set within
// [dl, dl+slack] is kept, where slack is 1/64 of the timeout (a 29 s
// timeout fires at most 0.45 s late, a 50 ms one 0.8 ms late). A
// deadline from the caller's context is applied exactly. A write only
// blocks on a backend that stopped reading; its deadline is refreshed
// about once a second.
const writeSlack = time.Second

// setDeadline bounds the exchange by dl (zero: no bound), allowing the
// read deadline to fire up to slack later.
func (c *h1Conn) setDeadline(dl time.Time, slack time.Duration) {
	if keepWithin(&c.rdl, dl, slack) {
		_ = c.nc.SetReadDeadline(c.rdl)
	}
	if keepWithin(&c.wdl, dl, writeSlack) {
		_ = c.nc.SetWriteDeadline(c.wdl)
	}
}

// keepWithin keeps the deadline *cur within [dl, dl+slack] (or zero when
// dl is), moving it to dl+slack when it is outside; it reports whether it
// moved, so the caller updates the connection only then.
func keepWithin(cur *time.Time, dl time.Time, slack time.Duration) bool {
	switch {
	case dl.IsZero():
		if cur.IsZero() {
			return false
		}
		*cur = time.Time{}
	case cur.IsZero() || cur.Before(dl) || cur.Sub(dl) > slack:
		*cur = dl.Add(slack)
	default:
		return false
	}
	return true
}

// budgetReader bounds what one exchange may read from a backend: the
// largest payload plus room for headers and chunk framing, as net/http
// bounds response headers. A backend that sends more is cut off.
type budgetReader struct {
	r    io.Reader
	left int64
}

// exchangeBudget is what one response may take in total.
const exchangeBudget = integration.MaxPayload + 1<<20

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errors.New("backend response exceeds the size limit")
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func newH1(d *net.Dialer, maxIdle int) *h1 {
	return &h1{dialer: d, maxIdle: maxIdle, idleFor: 4 * time.Second, idle: map[string]*idleList{}}
}

// get returns a live pooled connection to addr, or dials one.
func (p *h1) get(ctx context.Context, addr string, now time.Time) (*h1Conn, bool, error) {
	for {
		p.mu.Lock()
		l := p.list(addr)
		if len(l.conns) == 0 {
			p.mu.Unlock()
			break
		}
		c := l.conns[len(l.conns)-1]
		l.conns[len(l.conns)-1] = nil
		l.conns = l.conns[:len(l.conns)-1]
		p.mu.Unlock()
		if now.Sub(c.used) < p.idleFor && c.alive(now) {
			return c, true, nil
		}
		c.nc.Close()
	}
	nc, err := p.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	var rw io.ReadWriter = nc
	if raw := httpwire.NewRawIO(nc); raw != nil {
		rw = raw
	}
	lr := &budgetReader{r: rw, left: exchangeBudget}
	return &h1Conn{nc: nc, lr: lr, br: bufio.NewReaderSize(lr, 16<<10), bw: bufio.NewWriterSize(rw, 16<<10)}, false, nil
}

// alive reports whether the peer has not closed an idle connection: no
// bytes (nor EOF) may be waiting on it. A connection idle for less than
// freshFor is trusted without a look: servers close idle connections
// after seconds, and a request that still meets a closed connection is
// retried by roundTrip when that is safe.
func (c *h1Conn) alive(now time.Time) bool {
	if c.br.Buffered() > 0 {
		return false
	}
	if now.Sub(c.used) < freshFor {
		return true
	}
	rc, err := c.nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Nothing to read (EAGAIN) is the only healthy answer: data or EOF
		// on an idle connection means the server is done with it.
		ok = rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK
		return true
	})
	return err == nil && ok
}

// freshFor is how long after its last exchange a pooled connection is
// reused without checking it.
const freshFor = 100 * time.Millisecond

// put pools c after an exchange that started at now.
func (p *h1) put(addr string, c *h1Conn, now time.Time) {
	c.used = now
	p.mu.Lock()
	if l := p.list(addr); len(l.conns) < p.maxIdle {
		l.conns = append(l.conns, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	c.nc.Close()
}

func (p *h1) closeIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for addr, l := range p.idle {
		for _, c := range l.conns {
			c.nc.Close()
		}
		delete(p.idle, addr)
	}
	p.last = nil
}

// errNothingSent marks a failure before the request left: safe to retry.
// errNoResponse marks a failure before any byte of the answer arrived.
var (
	errNothingSent = errors.New("request not sent")
	errNoResponse  = errors.New("no response")
)

// roundTrip sends one request to addr ("host:port") with requestURI and
// the Host header host, and reads the whole response.
func (p *h1) roundTrip(ctx context.Context, req *integration.Request, addr, host, requestURI string, bufs *sync.Pool) (*integration.Response, error) {
	for attempt := 0; ; attempt++ {
		now := time.Now()
		c, reused, err := p.get(ctx, addr, now)
		if err != nil {
			return nil, err
		}
		resp, keep, err := p.exchange(ctx, c, req, host, requestURI, bufs, now)
		if err == nil {
			if keep {
				p.put(addr, c, now)
			} else {
				c.nc.Close()
			}
			return resp, nil
		}
		c.nc.Close()
		// A reused connection the peer had just closed: try once more on a
		// new one if nothing was sent, or if no answer came and the method
		// is replayable (what net/http's Transport does too).
		if reused && attempt == 0 && ctx.Err() == nil && !isTimeout(err) &&
			(errors.Is(err, errNothingSent) || (replayable(req.Method) && errors.Is(err, errNoResponse))) {
			continue
		}
		return nil, err
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func replayable(m string) bool { return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" }

// exchange writes req and reads the response on c. keep reports whether
// c may be reused.
func (p *h1) exchange(ctx context.Context, c *h1Conn, req *integration.Request, host, requestURI string, bufs *sync.Pool, now time.Time) (*integration.Response, bool, error) {
	// The integration timeout is the connection's deadline: no timer or
	// goroutine per exchange. A client that goes away does not cut the
	// backend call short (API Gateway completes it too); the timeout
	// bounds it.
	var dl time.Time
	var slack time.Duration
	if req.Timeout > 0 {
		dl, slack = now.Add(req.Timeout), req.Timeout/64
	}
	if cd, ok := ctx.Deadline(); ok && (dl.IsZero() || cd.Before(dl)) {
		dl, slack = cd, 0
	}
	c.setDeadline(dl, slack)
	c.lr.left = exchangeBudget
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("%w: %w", errNothingSent, err)
	}

	if err := writeRequest(c.bw, req, host, requestURI); err != nil {
		return nil, false, fmt.Errorf("%w: %w", errNothingSent, err)
	}
	if err := c.bw.Flush(); err != nil {
		return nil, false, fmt.Errorf("%w: %w", errNothingSent, err)
	}
	for first := true; ; first = false {
		var err error
		c.head, err = httpwire.ReadHead(c.br, c.head, maxResponseHead)
		if err != nil {
			if first && len(c.head) == 0 && c.br.Buffered() == 0 && err != httpwire.ErrTooLarge {
				return nil, false, fmt.Errorf("%w: %w", errNoResponse, err)
			}
			return nil, false, fmt.Errorf("reading the response head: %w", err)
		}
		var hs *httpwire.Scratch
		if req.Scratch != nil {
			hs = &req.Scratch.Head
		}
		head, err := hs.Parse(c.head)
		if err != nil {
			return nil, false, fmt.Errorf("malformed HTTP response headers: %w", err)
		}
		line := head.Line
		proto, rest, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(proto, "HTTP/1.") || len(rest) < 3 || len(rest) > 3 && rest[3] != ' ' {
			return nil, false, fmt.Errorf("malformed HTTP status line %q", line)
		}
		code, err := strconv.Atoi(rest[:3])
		if err != nil || code < 100 || code > 999 {
			return nil, false, fmt.Errorf("malformed HTTP status code %q", rest[:3])
		}
		if code >= 100 && code < 200 && code != 101 {
			continue // informational: the real response follows
		}
		h := head.Header
		var conn []string
		if head.Has&httpwire.HasConnection != 0 {
			conn = h["Connection"]
		}
		keep := proto == "HTTP/1.1" && !httpwire.HasToken(conn, "close") || proto == "HTTP/1.0" && httpwire.HasToken(conn, "keep-alive")
		if code == 101 {
			keep = false // the connection now speaks another protocol
		}
		body, bodyKeep, err := readBody(c.br, h, head.Has, req.Method, code, bufs, req.Scratch)
		if err != nil {
			return nil, false, err
		}
		if head.Has&httpwire.HasTransferEncoding != 0 {
			delete(h, "Transfer-Encoding")
		}
		var resp *integration.Response
		if req.Scratch != nil {
			resp = &req.Scratch.Response
		} else {
			resp = new(integration.Response)
		}
		*resp = integration.Response{StatusCode: code, Header: h, Body: body}
		return resp, keep && bodyKeep, nil
	}
}

// maxResponseHead bounds a response's status line and header section,
// as net/http's Transport does by default.
const maxResponseHead = 1 << 20

var crlf = []byte("\r\n")

func writeRequest(w *bufio.Writer, req *integration.Request, host, requestURI string) error {
	w.WriteString(req.Method)
	w.WriteByte(' ')
	w.WriteString(requestURI)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(host)
	w.Write(crlf)
	for k, vs := range req.Header {
		if integration.NotForwarded(k) || req.Overridden(k) {
			continue
		}
		for _, v := range vs {
			writeField(w, k, v)
		}
	}
	for _, f := range req.Extra {
		if !integration.NotForwarded(f.Name) {
			writeField(w, f.Name, f.Value)
		}
	}
	if len(req.Body) > 0 || req.Method == "POST" || req.Method == "PUT" || req.Method == "PATCH" {
		w.WriteString("Content-Length: ")
		w.WriteString(strconv.Itoa(len(req.Body)))
		w.Write(crlf)
	}
	w.Write(crlf)
	_, err := w.Write(req.Body)
	return err
}

// writeField writes one field, leaving out what could not be sent as it
// is: a name that is not a token, a value that would split the request.
func writeField(w *bufio.Writer, k, v string) {
	if !httpwire.ValidFieldName(k) || httpwire.HasLineBreak(v) {
		return
	}
	w.WriteString(k)
	w.WriteString(": ")
	w.WriteString(v)
	w.Write(crlf)
}

var errTooLarge = errors.New("backend response exceeds 10 MB")

// readBody reads a response body by its framing (RFC 9112 §6.3); keep is
// false when the body ran to the end of the connection.
func readBody(br *bufio.Reader, h http.Header, has httpwire.Fields, method string, code int, bufs *sync.Pool, scratch *integration.Scratch) ([]byte, bool, error) {
	if method == "HEAD" || code == 204 || code == 304 || code < 200 {
		return nil, true, nil
	}
	var te, cls []string
	if has&httpwire.HasTransferEncoding != 0 {
		te = h["Transfer-Encoding"]
	}
	if has&httpwire.HasContentLength != 0 {
		cls = h["Content-Length"]
	}
	if len(te) > 0 {
		if !httpwire.HasToken(te, "chunked") {
			return nil, false, fmt.Errorf("unsupported transfer encoding %v", te)
		}
		buf := bufs.Get().(*bytes.Buffer)
		defer bufs.Put(buf)
		buf.Reset()
		n, err := buf.ReadFrom(io.LimitReader(httputil.NewChunkedReader(br), integration.MaxPayload+1))
		if err != nil {
			return nil, false, err
		}
		if n > integration.MaxPayload {
			return nil, false, errTooLarge
		}
		// Trailers end with an empty line.
		tp := textproto.NewReader(br)
		if _, err := tp.ReadMIMEHeader(); err != nil {
			return nil, false, err
		}
		return bytes.Clone(buf.Bytes()), true, nil
	}
	if len(cls) > 0 && cls[0] != "" {
		cl := cls[0]
		n, err := strconv.ParseInt(cl, 10, 64) // httpwire trimmed it
		if err != nil || n < 0 {
			return nil, false, fmt.Errorf("malformed Content-Length %q", cl)
		}
		if n > integration.MaxPayload {
			return nil, false, errTooLarge
		}
		body := scratch.BodyBuf(int(n))
		if _, err := io.ReadFull(br, body); err != nil {
			return nil, false, err
		}
		return body, true, nil
	}
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	n, err := buf.ReadFrom(io.LimitReader(br, integration.MaxPayload+1))
	if err != nil {
		return nil, false, err
	}
	if n > integration.MaxPayload {
		return nil, false, errTooLarge
	}
	return bytes.Clone(buf.Bytes()), false, nil
}
