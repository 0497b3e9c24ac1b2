package httpd

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/portico-dev/portico/internal/httpwire"
)

type bodyMode uint8

const (
	bodyNone bodyMode = iota
	bodyFixed
	bodyChunked
)

// body reads a request body as its framing says (RFC 9112 §6, §7.1).
type body struct {
	c    *conn
	mode bodyMode
	// left is what remains of a fixed body or of the current chunk.
	left int64
	// inChunk: left counts the current chunk's data; done: the body
	// (and, for chunked, its trailer section) has been read.
	inChunk, done bool
	// expectContinue: the client waits for 100 Continue before sending
	// the body (RFC 9110 §10.1.1); it is sent on the first Read.
	expectContinue bool
	// sentContinue: the interim answer went out.
	sentContinue bool
	closed       bool
	err          error
}

var (
	errBodyClosed  = errors.New("http: invalid Read on closed Body")
	errChunkSyntax = errors.New("httpd: malformed chunked encoding")
)

func (b *body) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errBodyClosed
	}
	if b.err != nil {
		return 0, b.err
	}
	if b.expectContinue && !b.sentContinue {
		b.sentContinue = true
		if !b.c.continueAllowed() {
			b.err = io.ErrUnexpectedEOF
			return 0, b.err
		}
		b.c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
		if err := b.c.bw.Flush(); err != nil {
			b.err = err
			return 0, err
		}
	}
	n, err := b.read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

func (b *body) read(p []byte) (int, error) {
	switch b.mode {
	case bodyFixed:
		if b.left == 0 {
			b.done = true
			return 0, io.EOF
		}
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
		n, err := b.c.br.Read(p)
		b.left -= int64(n)
		if err == io.EOF {
			return n, io.ErrUnexpectedEOF
		}
		if b.left == 0 {
			b.done = true
			if err == nil {
				err = io.EOF
			}
		}
		return n, err
	case bodyChunked:
		return b.readChunked(p)
	}
	return 0, io.EOF
}

func (b *body) readChunked(p []byte) (int, error) {
	for {
		if b.done {
			return 0, io.EOF
		}
		if b.inChunk && b.left > 0 {
			if int64(len(p)) > b.left {
				p = p[:b.left]
			}
			n, err := b.c.br.Read(p)
			b.left -= int64(n)
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			if err == nil && b.left == 0 {
				err = b.chunkEnd()
			}
			return n, err
		}
		if b.inChunk {
			// a zero-length read landed exactly on the chunk end
			if err := b.chunkEnd(); err != nil {
				return 0, err
			}
		}
		size, err := b.chunkSize()
		if err != nil {
			return 0, err
		}
		if size == 0 {
			if err := b.trailers(); err != nil {
				return 0, err
			}
			b.done = true
			return 0, io.EOF
		}
		b.inChunk, b.left = true, size
		if len(p) == 0 {
			return 0, nil
		}
	}
}

// chunkEnd reads the CRLF after a chunk's data.
func (b *body) chunkEnd() error {
	b.inChunk = false
	line, err := b.c.br.ReadSlice('\n')
	if err != nil {
		return unexpected(err)
	}
	if len(httpwire.TrimCR(line[:len(line)-1])) != 0 {
		return errChunkSyntax
	}
	return nil
}

// chunkSize reads "hex-size [; extensions] CRLF".
func (b *body) chunkSize() (int64, error) {
	line, err := b.c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return 0, errChunkSyntax // a size line longer than the buffer
	}
	if err != nil {
		return 0, unexpected(err)
	}
	line = httpwire.TrimCR(line[:len(line)-1])
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
		line = line[:len(line)-1]
	}
	if len(line) == 0 || len(line) > 15 {
		return 0, errChunkSyntax
	}
	var n int64
	for _, c := range line {
		switch {
		case '0' <= c && c <= '9':
			n = n<<4 | int64(c-'0')
		case 'a' <= c && c <= 'f':
			n = n<<4 | int64(c-'a'+10)
		case 'A' <= c && c <= 'F':
			n = n<<4 | int64(c-'A'+10)
		default:
			return 0, errChunkSyntax
		}
	}
	return n, nil
}

// trailers reads and drops the trailer section, bounded like a head.
func (b *body) trailers() error {
	total := 0
	for {
		line, err := b.c.br.ReadSlice('\n')
		total += len(line)
		if total > b.c.srv.maxHeaderBytes() {
			return errChunkSyntax
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return unexpected(err)
		}
		if len(httpwire.TrimCR(line[:len(line)-1])) == 0 {
			return nil
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Close marks the body closed; what is left is drained (or the
// connection closed) once the answer is written.
func (b *body) Close() error {
	b.closed = true
	return nil
}

// drain reads what the handler left of the body so the next request can
// be read; it reports false when the connection cannot be kept.
func (b *body) drain() bool {
	if b.mode == bodyNone || b.done || !b.keepable() {
		return b.keepable()
	}
	b.closed = false
	rest := &bodyReader{b}
	return discard(rest, maxDrain)
}

// keepable reports, when the answer starts, whether the connection can
// still carry another request after this one: not after a broken body,
// a body the client was told to wait with, or more unread body than
// drain would read (net/http decides the same way).
func (b *body) keepable() bool {
	switch {
	case b.mode == bodyNone || b.done:
		return b.err == nil
	case b.err != nil:
		return false
	case b.expectContinue && !b.sentContinue:
		return false
	case b.mode == bodyFixed && b.left > maxDrain:
		return false
	}
	return true
}

// bodyReader reads a body bypassing the 100-continue logic.
type bodyReader struct{ b *body }

func (r *bodyReader) Read(p []byte) (int, error) { return r.b.read(p) }

var _ io.ReadCloser = (*body)(nil)

// continueAllowed reports whether an interim 100 answer may still be
// written: not once the final answer has started.
func (c *conn) continueAllowed() bool {
	return c.cur == nil || !c.cur.committed
}
