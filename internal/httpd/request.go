package httpd

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/httpwire"
)

// request is one request and everything it needs, allocated together.
type request struct {
	// has: which framing fields the head holds (looked up only then).
	has  httpwire.Fields
	r    http.Request
	url  url.URL
	body body
	resp response
}

// headError is a request the server answers itself (status) or drops
// silently (status 0: the connection ended or timed out).
type headError struct {
	status int
	msg    string
}

func badRequest(msg string) *headError { return &headError{status: http.StatusBadRequest, msg: msg} }

// readRequest reads one request head and prepares its body.
func (c *conn) readRequest() (*request, *headError) {
	var err error
	c.head, err = httpwire.ReadHead(c.br, c.head, c.srv.maxHeaderBytes())
	if err == httpwire.ErrTooLarge {
		return nil, &headError{status: http.StatusRequestHeaderFieldsTooLarge}
	}
	if err != nil {
		return nil, &headError{} // the connection ended or timed out
	}
	head, err := c.hs.ParseRequest(c.head)
	if err != nil {
		return nil, badRequest(err.Error())
	}
	// Request line: method SP request-target SP HTTP-version (§3).
	line := head.Line
	method, rest, ok1 := strings.Cut(line, " ")
	target, version, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || method == "" || target == "" {
		return nil, badRequest("malformed request line")
	}
	if !httpwire.ValidFieldName(method) {
		return nil, badRequest("invalid method")
	}
	for i := 0; i < len(target); i++ {
		if b := target[i]; b <= ' ' || b == 0x7f {
			return nil, badRequest("invalid request target")
		}
	}
	var minor int
	switch version {
	case "HTTP/1.1":
		minor = 1
	case "HTTP/1.0":
		minor = 0
	default:
		if strings.HasPrefix(version, "HTTP/") {
			return nil, &headError{status: http.StatusHTTPVersionNotSupported}
		}
		return nil, badRequest("malformed HTTP version")
	}
	// The connection's request is reused for the next one: a handler may
	// not use its Request, Header included, once ServeHTTP has returned.
	q := c.req
	if q == nil {
		q = new(request)
		c.req = q
	} else {
		*q = request{}
	}
	r := &q.r
	*r = *c.tmpl
	r.Method = method
	r.RequestURI = target
	r.ProtoMajor, r.ProtoMinor = 1, minor
	r.Proto = "HTTP/1.1"
	if minor == 0 {
		r.Proto = "HTTP/1.0"
	}
	r.RemoteAddr = c.remote
	r.Header = head.Header
	q.has = head.Has
	if herr := q.setTarget(head.Host, head.Hosts); herr != nil {
		return nil, herr
	}
	if herr := q.setConnection(minor); herr != nil {
		return nil, herr
	}
	if herr := c.setBody(q); herr != nil {
		return nil, herr
	}
	q.resp.c, q.resp.req = c, q
	return q, nil
}

// setTarget parses the request target and settles Host (RFC 9112 §3.2)
// from the head's hosts Host fields, the first of them host.
func (q *request) setTarget(host string, hosts int) *headError {
	r := &q.r
	if hosts > 1 {
		return badRequest("too many Host headers")
	}
	if hosts == 0 && r.ProtoMinor == 1 {
		return badRequest("missing required Host header")
	}
	if hosts == 1 {
		r.Host = host
		if !validHost(r.Host) {
			return badRequest("malformed Host header")
		}
	}
	target := r.RequestURI
	if target == "*" {
		if r.Method != http.MethodOptions {
			return badRequest("invalid request target")
		}
		r.URL = &url.URL{Path: "*"}
		return nil
	}
	if path, query, ok := plainTarget(target); ok {
		q.url = url.URL{Path: path, RawQuery: query}
		r.URL = &q.url
		return nil
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return badRequest("invalid request target")
	}
	r.URL = u
	if u.Host != "" {
		r.Host = u.Host // absolute form wins over the Host field
	}
	return nil
}

// plainTarget splits an origin-form target whose path needs no
// unescaping and no re-escaping ("/a/b-c?x=%20") into the Path and
// RawQuery url.ParseRequestURI would give it, without allocating.
// Anything else takes the general parser.
func plainTarget(t string) (path, query string, ok bool) {
	if t == "" || t[0] != '/' {
		return "", "", false
	}
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '?':
			for _, b := range []byte(t[i+1:]) {
				if b <= ' ' || b == 0x7f || b == '#' {
					return "", "", false
				}
			}
			return t[:i], t[i+1:], true
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("/-._~$&+,;=:@", c) >= 0:
		default:
			return "", "", false
		}
	}
	return t, "", true
}

// setConnection decides persistence (RFC 9112 §9.3) and checks Expect.
func (q *request) setConnection(minor int) *headError {
	r := &q.r
	var conn []string
	if q.has&httpwire.HasConnection != 0 {
		conn = r.Header["Connection"]
	}
	switch {
	case httpwire.HasToken(conn, "close"):
		r.Close = true
	case minor == 0:
		r.Close = !httpwire.HasToken(conn, "keep-alive")
	}
	if q.has&httpwire.HasExpect == 0 {
		return nil
	}
	if ex := r.Header["Expect"]; len(ex) > 0 && minor == 1 {
		if len(ex) == 1 && strings.EqualFold(ex[0], "100-continue") {
			q.body.expectContinue = true
		} else {
			return &headError{status: http.StatusExpectationFailed}
		}
	}
	return nil
}

// setBody frames the request body (RFC 9112 §6): chunked, a length, or
// none. Both at once is refused as a smuggling attempt.
func (c *conn) setBody(q *request) *headError {
	r := &q.r
	b := &q.body
	b.c = c
	var te, cl []string
	var hasTE, hasCL bool
	if q.has&httpwire.HasTransferEncoding != 0 {
		te, hasTE = r.Header["Transfer-Encoding"]
	}
	if q.has&httpwire.HasContentLength != 0 {
		cl, hasCL = r.Header["Content-Length"]
	}
	if hasTE {
		if r.ProtoMinor == 0 {
			return badRequest("Transfer-Encoding in HTTP/1.0")
		}
		if hasCL {
			return badRequest("both Transfer-Encoding and Content-Length")
		}
		if len(te) != 1 || !strings.EqualFold(te[0], "chunked") {
			return &headError{status: http.StatusNotImplemented, msg: "unsupported transfer encoding"}
		}
		delete(r.Header, "Transfer-Encoding")
		b.mode = bodyChunked
		r.ContentLength = -1
		r.TransferEncoding = []string{"chunked"}
		r.Body = b
		return nil
	}
	if hasCL {
		n, ok := parseLength(cl[0])
		for _, v := range cl[1:] {
			if m, ok2 := parseLength(v); !ok2 || m != n {
				ok = false
			}
		}
		if !ok {
			return badRequest("invalid Content-Length")
		}
		r.ContentLength = n
		if n > 0 {
			b.mode = bodyFixed
			b.left = n
			r.Body = b
			return nil
		}
	}
	b.mode = bodyNone
	b.expectContinue = false
	r.Body = http.NoBody
	return nil
}

func parseLength(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// validHost accepts what may appear in a Host field: reg-name, IPv4,
// bracketed IPv6 and a port (RFC 9110 §7.2, RFC 3986 §3.2.2); it refuses
// whitespace, controls and delimiters that would confuse routing.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		b := h[i]
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:[]%", b) >= 0:
		default:
			return false
		}
	}
	return true
}
