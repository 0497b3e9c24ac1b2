package lambda

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"time"
)

// Ids need uniqueness, not secrecy: math/rand/v2's runtime-seeded
// ChaCha8 generator is used, which costs no system call.

// random fills b from the runtime's generator.
func random(b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, rand.Uint64())
		b = b[8:]
	}
	if len(b) > 0 {
		var t [8]byte
		binary.LittleEndian.PutUint64(t[:], rand.Uint64())
		copy(b, t[:])
	}
}

// newRequestID returns a random (version 4) UUID, Lambda's request id form.
func newRequestID() string {
	var b [16]byte
	random(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// newTraceID returns an X-Ray trace header value
// "Root=1-{8 hex epoch seconds}-{24 hex};Parent={16 hex};Sampled=0".
func newTraceID(now time.Time) string {
	var b [20]byte
	random(b[:])
	buf := make([]byte, 0, 80)
	buf = append(buf, "Root=1-"...)
	ts := strconv.FormatInt(now.Unix(), 16)
	for i := len(ts); i < 8; i++ {
		buf = append(buf, '0')
	}
	buf = append(buf, ts...)
	buf = append(buf, '-')
	buf = hex.AppendEncode(buf, b[:12])
	buf = append(buf, ";Parent="...)
	buf = hex.AppendEncode(buf, b[12:])
	buf = append(buf, ";Sampled=0"...)
	return string(buf)
}

// newLogStream returns a log stream name as Lambda forms it,
// "YYYY/MM/DD/[version]{32 hex}".
func newLogStream(now time.Time, version string) string {
	var b [16]byte
	random(b[:])
	return now.UTC().Format("2006/01/02") + "/[" + version + "]" + hex.EncodeToString(b[:])
}
