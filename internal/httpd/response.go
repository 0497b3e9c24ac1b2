package httpd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/httpwire"
)

type respMode uint8

const (
	modeFixed   respMode = iota + 1 // Content-Length framing
	modeChunked                     // chunked transfer coding
	modeRaw                         // delimited by closing (HTTP/1.0, length unknown)
	modeNoBody                      // HEAD, 1xx, 204, 304
)

// response is the http.ResponseWriter of one request. A body is held
// back until it outgrows the connection's buffer or the handler returns,
// so an answer of known size goes out with its Content-Length in one
// write; a larger one is chunked (RFC 9112 §7.1).
type response struct {
	c   *conn
	req *request
	h   http.Header

	status      int
	wroteHeader bool
	committed   bool
	hijacked    bool
	mode        respMode
	// declared is the Content-Length the answer carries, or -1.
	declared int64
	// written counts body bytes the handler wrote.
	written    int64
	closeAfter bool
}

var (
	_ http.ResponseWriter = (*response)(nil)
	_ http.Flusher        = (*response)(nil)
	_ http.Hijacker       = (*response)(nil)
)

func newResponse(c *conn, q *request) *response {
	w := &q.resp
	w.declared = -1
	c.cur = w
	c.pending = c.pending[:0]
	// The header map is the connection's, cleared for each answer: a
	// handler may not use its ResponseWriter, Header() included, once
	// ServeHTTP has returned (the net/http contract).
	if c.hdr == nil || len(c.hdr) > maxReusedHeader {
		c.hdr = make(http.Header, 8)
	} else {
		clear(c.hdr)
	}
	w.h = c.hdr
	return w
}

// maxReusedHeader bounds the header map a connection keeps between
// answers.
const maxReusedHeader = 64

func (w *response) Header() http.Header {
	if w.h == nil {
		w.h = make(http.Header, 4)
	}
	return w.h
}

func (w *response) WriteHeader(code int) {
	if w.hijacked || w.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		w.writeInterim(code)
		return
	}
	w.wroteHeader = true
	w.status = code
	if v := w.h["Content-Length"]; len(v) == 1 {
		if n, ok := parseLength(v[0]); ok {
			w.declared = n
		}
	}
}

// writeInterim sends a 1xx answer (RFC 9110 §15.2) with the header so far.
func (w *response) writeInterim(code int) {
	if w.committed {
		return
	}
	bw := w.c.bw
	bw.WriteString("HTTP/1.1 ")
	writeStatus(bw, code)
	writeHeader(bw, w.h)
	bw.WriteString("\r\n")
	_ = bw.Flush()
}

func (w *response) Write(p []byte) (int, error) {
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if !w.committed {
		c := w.c
		if w.declared < 0 && len(c.pending)+len(p) <= bufSize {
			c.pending = append(c.pending, p...)
			return len(p), nil
		}
		w.commit(-1, p)
		if err := w.writeBody(c.pending); err != nil {
			return 0, err
		}
		c.pending = c.pending[:0]
	}
	return len(p), w.writeBody(p)
}

func (w *response) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}

// writeBody writes p in the committed framing.
func (w *response) writeBody(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	bw := w.c.bw
	switch w.mode {
	case modeNoBody:
		return nil
	case modeFixed:
		if room := w.declared - w.written; int64(len(p)) > room {
			if room > 0 {
				bw.Write(p[:room])
				w.written += room
			}
			return http.ErrContentLength
		}
		w.written += int64(len(p))
		_, err := bw.Write(p)
		return err
	case modeChunked:
		w.written += int64(len(p))
		bw.WriteString(strconv.FormatInt(int64(len(p)), 16))
		bw.WriteString("\r\n")
		bw.Write(p)
		_, err := bw.WriteString("\r\n")
		return err
	default:
		w.written += int64(len(p))
		_, err := bw.Write(p)
		return err
	}
}

// commit writes the status line and header. final is the body's whole
// length when the handler has returned, -1 otherwise; sniff is the start
// of the body for Content-Type detection.
func (w *response) commit(final int64, sniff []byte) {
	w.committed = true
	r := &w.req.r
	h := w.Header()
	delete(h, "Transfer-Encoding")
	switch {
	case !bodyAllowed(w.status):
		w.mode = modeNoBody
		if w.status != http.StatusNotModified {
			delete(h, "Content-Length")
		}
	case r.Method == http.MethodHead:
		w.mode = modeNoBody
		if w.declared < 0 && final > 0 {
			h["Content-Length"] = []string{strconv.FormatInt(final, 10)}
		}
	case w.declared >= 0:
		w.mode = modeFixed
	case final >= 0:
		w.mode, w.declared = modeFixed, final
		h["Content-Length"] = []string{strconv.FormatInt(final, 10)}
	case r.ProtoMinor >= 1:
		w.mode = modeChunked
		delete(h, "Content-Length")
		h["Transfer-Encoding"] = []string{"chunked"}
	default:
		w.mode = modeRaw
		w.closeAfter = true
	}
	if httpwire.HasToken(h["Connection"], "close") || !w.req.body.keepable() {
		w.closeAfter = true
	}
	if w.status != http.StatusSwitchingProtocols {
		switch {
		case w.closeAfter || r.Close || w.c.srv.closing.Load():
			w.closeAfter = true
			if !httpwire.HasToken(h["Connection"], "close") {
				h["Connection"] = []string{"close"}
			}
		case r.ProtoMinor == 0:
			h["Connection"] = []string{"keep-alive"}
		}
	}
	if _, ok := h["Content-Type"]; !ok && w.mode != modeNoBody && len(sniff) > 0 {
		h["Content-Type"] = []string{http.DetectContentType(sniff)}
	}
	bw := w.c.bw
	bw.WriteString("HTTP/1.1 ")
	writeStatus(bw, w.status)
	if _, ok := h["Date"]; !ok {
		bw.WriteString("Date: ")
		bw.WriteString(w.c.srv.dateHeader(w.c.srv.now()))
		bw.WriteString("\r\n")
	}
	writeHeader(bw, h)
	bw.WriteString("\r\n")
}

// finish completes the answer after the handler returned.
func (w *response) finish() {
	if w.hijacked {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	c := w.c
	if !w.committed {
		w.commit(int64(len(c.pending)), c.pending)
		if err := w.writeBody(c.pending); err != nil {
			w.closeAfter = true
		}
	}
	c.pending = c.pending[:0]
	switch w.mode {
	case modeChunked:
		c.bw.WriteString("0\r\n\r\n")
	case modeFixed:
		if w.written < w.declared {
			w.closeAfter = true // the client still waits for bytes
		}
	}
	if err := c.bw.Flush(); err != nil {
		w.closeAfter = true
	}
	if cap(c.pending) > 4*bufSize {
		c.pending = nil
	}
}

// Flush sends what has been written so far.
func (w *response) Flush() {
	if w.hijacked {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		c := w.c
		w.commit(-1, c.pending)
		_ = w.writeBody(c.pending)
		c.pending = c.pending[:0]
	}
	_ = w.c.bw.Flush()
}

// Hijack hands over the connection; a status already set (101 for an
// upgrade) is written first.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.hijacked {
		return nil, nil, http.ErrHijacked
	}
	if w.wroteHeader && !w.committed {
		w.commit(-1, nil)
	}
	nc, rw, err := w.c.hijack()
	if err == nil {
		w.hijacked = true
	}
	return nc, rw, err
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// writeStatus writes "NNN Reason\r\n".
func writeStatus(bw *bufio.Writer, code int) {
	writeInt(bw, code)
	bw.WriteByte(' ')
	if text := http.StatusText(code); text != "" {
		bw.WriteString(text)
	} else {
		bw.WriteString("status code ")
		writeInt(bw, code)
	}
	bw.WriteString("\r\n")
}

// writeInt writes a non-negative n in decimal, byte by byte so that
// nothing escapes to the heap.
func writeInt(bw *bufio.Writer, n int) {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	for _, c := range b[i:] {
		bw.WriteByte(c)
	}
}

// writeHeader writes the fields in name order. Names that are not tokens
// are skipped and CR/LF in values become spaces, so a handler cannot
// inject fields or split the answer.
func writeHeader(bw *bufio.Writer, h http.Header) {
	type field struct {
		k  string
		vs []string
	}
	var arr [24]field
	fs := arr[:0]
	for k, vs := range h {
		fs = append(fs, field{k, vs})
	}
	// Sorted by name, as net/http writes them; heads are short, so an
	// insertion sort.
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].k < fs[j-1].k; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
	for _, f := range fs {
		if !httpwire.ValidFieldName(f.k) {
			continue
		}
		for _, v := range f.vs {
			bw.WriteString(f.k)
			bw.WriteString(": ")
			if !cleanValue(v) {
				v = strings.NewReplacer("\r", " ", "\n", " ", "\x00", " ").Replace(v)
				v = strings.TrimSpace(v)
			}
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
}

// cleanValue reports whether v can be written as it is: no byte that
// would split or truncate the head, no surrounding whitespace.
func cleanValue(v string) bool {
	if v == "" {
		return true
	}
	if first, last := v[0], v[len(v)-1]; first <= ' ' || last <= ' ' {
		return false
	}
	for i := 1; i < len(v)-1; i++ {
		if c := v[i]; c < ' ' && (c == '\r' || c == '\n' || c == 0) {
			return false
		}
	}
	return true
}
