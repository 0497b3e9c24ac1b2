// Package httpwire reads and checks HTTP/1.1 message heads (RFC 9112 §2,
// §5): the request or status line and the header section, for Portico's
// own server (internal/httpd) and upstream client
// (internal/integration/httpbackend).
//
// A head is read into a caller-owned buffer, its field names are
// canonicalised in place, and it becomes one string that every name and
// value shares, so a head of any size costs three allocations: the
// string, the header map and the values' backing array.
package httpwire

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

var (
	// ErrTooLarge: the head is longer than the limit.
	ErrTooLarge = errors.New("message head too large")
	// ErrMalformed wraps every syntax error in a head.
	ErrMalformed = errors.New("malformed message head")
)

type syntaxError string

func (e syntaxError) Error() string { return string(e) }
func (e syntaxError) Unwrap() error { return ErrMalformed }

// ReadHead appends to buf[:0] the lines of one message head, through the
// empty line that ends it, and returns the buffer. Empty lines before the
// first line are skipped (RFC 9112 §2.2); lines may end in CRLF or LF.
// Skipped lines count towards limit. An I/O error is returned as is
// (io.EOF when the stream ended before any byte of a head).
func ReadHead(br *bufio.Reader, buf []byte, limit int) ([]byte, error) {
	buf = buf[:0]
	lineStart, skipped := 0, 0
	for {
		line, err := br.ReadSlice('\n')
		if skipped+len(buf)+len(line) > limit {
			return buf, ErrTooLarge
		}
		buf = append(buf, line...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return buf, err
		}
		if l := buf[lineStart:]; len(l) == 1 || len(l) == 2 && l[0] == '\r' {
			if lineStart > 0 {
				return buf, nil
			}
			skipped += len(l)
			buf = buf[:0]
			continue
		}
		lineStart = len(buf)
	}
}

// Head is a parsed head: its first line (without the line end) and its
// fields, all sharing one string.
type Head struct {
	Line   string
	Header http.Header
	// Has tells which framing fields the head holds, so that readers look
	// them up only when present.
	Has Fields
	// Host is the first Host field's value and Hosts how many Host
	// fields there were, for heads parsed by ParseRequest, whose Header
	// leaves Host out (as net/http's Request does).
	Host  string
	Hosts int
}

// Fields is a set of the fields that frame a message.
type Fields uint8

// The framing fields Parse reports in Head.Has.
const (
	HasHost Fields = 1 << iota
	HasConnection
	HasExpect
	HasContentLength
	HasTransferEncoding
)

// framingField returns the bit of a canonical field name, or 0.
func framingField(k []byte) Fields {
	switch len(k) {
	case 4:
		if string(k) == "Host" {
			return HasHost
		}
	case 6:
		if string(k) == "Expect" {
			return HasExpect
		}
	case 10:
		if string(k) == "Connection" {
			return HasConnection
		}
	case 14:
		if string(k) == "Content-Length" {
			return HasContentLength
		}
	case 17:
		if string(k) == "Transfer-Encoding" {
			return HasTransferEncoding
		}
	}
	return 0
}

// field is a header field's name and value offsets in the head buffer.
type field struct{ k0, k1, v0, v1 int32 }

// Parse checks the header section of a head read by ReadHead and builds
// its Header: names must be tokens (no whitespace before the colon, RFC
// 9112 §5.1), values lose surrounding whitespace and may not hold
// control characters other than HTAB, obsolete line folding is refused
// (§5.2). Names are canonicalised (as textproto.CanonicalMIMEHeaderKey)
// in buf itself. Repeated fields keep their order.
func Parse(buf []byte) (Head, error) {
	return (*Scratch)(nil).Parse(buf)
}

// Scratch is storage a reader keeps from one head to the next: Parse
// refills its header map and values array instead of allocating new
// ones. A head's Header is then valid only until the next Parse with the
// same Scratch; its strings stay valid for good. The zero value is ready
// to use; a nil *Scratch allocates for every head.
type Scratch struct {
	h    http.Header
	vals []string
}

// Reuse limits: a Scratch does not keep the storage of an unusually
// large head.
const (
	maxScratchFields = 64
)

// Parse is the package's Parse, building the Header in s's storage.
func (s *Scratch) Parse(buf []byte) (Head, error) { return s.parse(buf, false) }

// ParseRequest is Parse for a request head: Host fields go to Head.Host
// and Head.Hosts instead of the Header.
func (s *Scratch) ParseRequest(buf []byte) (Head, error) { return s.parse(buf, true) }

func (s *Scratch) parse(buf []byte, request bool) (Head, error) {
	eol := indexLF(buf, 0)
	var arr [32]field
	fields := arr[:0]
	var has Fields
	var host field // the first Host field of a request
	hosts := 0
	for i := eol + 1; i < len(buf); {
		e := indexLF(buf, i)
		l := TrimCR(buf[i:e])
		start := i
		i = e + 1
		if len(l) == 0 {
			break
		}
		if l[0] == ' ' || l[0] == '\t' {
			return Head{}, syntaxError("obsolete line folding")
		}
		colon := bytes.IndexByte(l, ':')
		if colon <= 0 {
			return Head{}, syntaxError("malformed header field")
		}
		if !canonicalToken(l[:colon]) {
			return Head{}, syntaxError("invalid header field name")
		}
		ff := framingField(l[:colon])
		has |= ff
		v0, v1 := colon+1, len(l)
		for v0 < v1 && (l[v0] == ' ' || l[v0] == '\t') {
			v0++
		}
		for v1 > v0 && (l[v1-1] == ' ' || l[v1-1] == '\t') {
			v1--
		}
		for _, b := range l[v0:v1] {
			if badValueByte[b] {
				return Head{}, syntaxError("invalid header field value")
			}
		}
		f := field{int32(start), int32(start + colon), int32(start + v0), int32(start + v1)}
		if ff == HasHost && request {
			if hosts++; hosts == 1 {
				host = f
			}
			continue
		}
		fields = append(fields, f)
	}
	text := string(buf)
	var h http.Header
	var vals []string
	if s != nil && s.h != nil && len(fields) <= maxScratchFields {
		h = s.h
		clear(h)
	} else {
		h = make(http.Header, len(fields))
	}
	if s != nil && cap(s.vals) >= len(fields) {
		vals = s.vals[:len(fields)]
	} else {
		vals = make([]string, len(fields), max(len(fields), 8))
	}
	for j, f := range fields {
		k, v := text[f.k0:f.k1], text[f.v0:f.v1]
		// A repeated name is rare: for a small head, look for it among
		// the names before (no hashing) and insert the rest with one map
		// operation each; a large head pays the map lookup instead of a
		// quadratic scan.
		if repeated(text, fields[:j], f, len(fields) <= 16) {
			h[k] = append(h[k], v)
			continue
		}
		vals[j] = v
		h[k] = vals[j : j+1 : j+1]
	}
	if s != nil && len(fields) <= maxScratchFields {
		s.h, s.vals = h, vals
	}
	hd := Head{Line: strings.TrimSuffix(text[:eol], "\r"), Header: h, Has: has, Hosts: hosts}
	if hosts > 0 {
		hd.Host = text[host.v0:host.v1]
	}
	return hd, nil
}

// canonicalToken checks that k is a token and rewrites it in place the
// way textproto.CanonicalMIMEHeaderKey does.
func canonicalToken(k []byte) bool {
	upper := true
	for i, b := range k {
		if b >= 128 || !tokenTable[b] {
			return false
		}
		switch {
		case upper && 'a' <= b && b <= 'z':
			k[i] = b - ('a' - 'A')
		case !upper && 'A' <= b && b <= 'Z':
			k[i] = b + ('a' - 'A')
		}
		upper = b == '-'
	}
	return true
}

// badValueByte marks the bytes a field value may not hold: control
// characters other than HTAB, and DEL (RFC 9110 §5.5).
var badValueByte = func() (t [256]bool) {
	for b := range 0x20 {
		t[b] = b != '\t'
	}
	t[0x7f] = true
	return t
}()

// repeated reports whether f's name occurs among before (canonicalised
// names compare byte for byte). scan false means "maybe": the caller
// then appends to whatever the map holds, which is correct either way.
func repeated(text string, before []field, f field, scan bool) bool {
	if !scan {
		return true
	}
	k := text[f.k0:f.k1]
	for _, g := range before {
		if g.k1-g.k0 == f.k1-f.k0 && text[g.k0:g.k1] == k {
			return true
		}
	}
	return false
}

// IsTokenChar reports whether b may appear in a token (RFC 9110 §5.6.2).
func IsTokenChar(b byte) bool { return b < 128 && tokenTable[b] }

var tokenTable = [128]bool{
	'!': true, '#': true, '$': true, '%': true, '&': true, '\'': true, '*': true, '+': true, '-': true, '.': true,
	'^': true, '_': true, '`': true, '|': true, '~': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true, 'I': true, 'J': true,
	'K': true, 'L': true, 'M': true, 'N': true, 'O': true, 'P': true, 'Q': true, 'R': true, 'S': true, 'T': true,
	'U': true, 'V': true, 'W': true, 'X': true, 'Y': true, 'Z': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true, 'i': true, 'j': true,
	'k': true, 'l': true, 'm': true, 'n': true, 'o': true, 'p': true, 'q': true, 'r': true, 's': true, 't': true,
	'u': true, 'v': true, 'w': true, 'x': true, 'y': true, 'z': true,
}

// ValidFieldName reports whether k is a non-empty token.
func ValidFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !IsTokenChar(k[i]) {
			return false
		}
	}
	return true
}

// HasToken reports whether a comma-separated field (Connection,
// Transfer-Encoding) lists tok, case-insensitively.
func HasToken(vals []string, tok string) bool {
	for _, v := range vals {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(t), tok) {
				return true
			}
		}
	}
	return false
}

// contentLengths are the Content-Length values of bodies under 1 KiB.
var contentLengths = func() (t [1024][]string) {
	for i := range t {
		t[i] = []string{strconv.Itoa(i)}
	}
	return t
}()

// ContentLength returns the Content-Length header value for n bytes. For
// small bodies it is shared and read-only (header values are never
// changed in place), so answering does not allocate it.
func ContentLength(n int) []string {
	if n >= 0 && n < len(contentLengths) {
		return contentLengths[n]
	}
	return []string{strconv.Itoa(n)}
}

// HasLineBreak reports whether s holds CR, LF or NUL, the bytes that
// would let a header value split or truncate a message.
func HasLineBreak(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 {
			return true
		}
	}
	return false
}

func indexLF(b []byte, from int) int {
	if i := bytes.IndexByte(b[from:], '\n'); i >= 0 {
		return from + i
	}
	return len(b)
}

// TrimCR drops a line's trailing carriage return (lines may end in CRLF or
// a bare LF).
func TrimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
