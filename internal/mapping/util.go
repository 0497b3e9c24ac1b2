package mapping

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/portico-dev/portico/internal/jsonpath"
	"github.com/portico-dev/portico/internal/vtl"
)

// Util is $util (vtl.md §3). It is stateless; the zero value is ready.
type Util struct{}

var _ vtl.CallWriter = Util{}

// AppendCall implements vtl.CallWriter: $util.escapeJavaScript rendered
// in text is escaped straight into the output.
func (Util) AppendCall(b []byte, name string, args []any) ([]byte, bool, error) {
	if name != "escapeJavaScript" || len(args) != 1 {
		return b, false, nil
	}
	return appendEscapeJavaScriptCall(nil, b, args)
}

var _ vtl.WriteBinder = Util{}

// BindWrite implements vtl.WriteBinder for $util.escapeJavaScript.
func (Util) BindWrite(name string, nargs int) func(recv any, b []byte, args []any) ([]byte, bool, error) {
	if name != "escapeJavaScript" || nargs != 1 {
		return nil
	}
	return appendEscapeJavaScriptCall
}

// appendEscapeJavaScriptCall appends $util.escapeJavaScript(args[0])
// to b, nothing for a null argument (the call's null result).
func appendEscapeJavaScriptCall(_ any, b []byte, args []any) ([]byte, bool, error) {
	if args[0] == nil {
		return b, false, nil
	}
	return appendEscapeJavaScript(b, javaString(args[0])), true, nil
}

// Property implements vtl.Object; $util has no properties.
func (Util) Property(string) (any, bool) { return nil, false }

// Call implements vtl.Object. A null argument yields null.
func (Util) Call(name string, args []any) (any, error) {
	if len(args) != 1 {
		return nil, vtl.ErrNoMethod
	}
	if args[0] == nil {
		switch name {
		case "escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode", "base64Decode":
			return nil, nil
		}
		return nil, vtl.ErrNoMethod
	}
	s := javaString(args[0])
	switch name {
	case "escapeJavaScript":
		return boxed(EscapeJavaScript(s), args[0]), nil
	case "parseJson":
		v, err := jsonpath.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("$util.parseJson: %w", err)
		}
		return v, nil
	case "urlEncode":
		return boxed(URLEncode(s), args[0]), nil
	case "urlDecode":
		d, err := URLDecode(s)
		if err != nil {
			return nil, err
		}
		return boxed(d, args[0]), nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("$util.base64Decode: %w", err)
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return nil, vtl.ErrNoMethod
}

const upperHex = "0123456789ABCDEF"

// EscapeJavaScript is $util.escapeJavaScript (vtl.md §3): \ " ' / and
// \b \f \n \r \t escaped with a backslash, other control characters and
// every character from U+007F up as \uXXXX (upper-case hex, UTF-16 code
// units).
func EscapeJavaScript(s string) string {
	i := jsPlain(s)
	if i == len(s) {
		return s
	}
	return string(appendEscapeJavaScript(make([]byte, 0, len(s)+len(s)/4+8), s))
}

// jsPlain returns the length of the prefix of s that EscapeJavaScript
// keeps as it is.
func jsPlain(s string) int {
	i := 0
	// Eight bytes at a time while they are there.
	for ; i+8 <= len(s); i += 8 {
		if m := jsSpecialWord(word8(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && !jsSpecial(s[i]) {
		i++
	}
	return i
}

// jsSpecial reports whether EscapeJavaScript escapes the byte c (or the
// character it starts).
func jsSpecial(c byte) bool { return jsSpecials[c] }

// jsSpecials marks the bytes jsSpecial reports.
var jsSpecials = func() (t [256]bool) {
	for c := range t {
		t[c] = c < 0x20 || c >= 0x7F || c == '\\' || c == '"' || c == '\'' || c == '/'
	}
	return t
}()

// word8 returns the eight bytes of s from i on, the first in the low
// byte (one load: the compiler combines the byte loads).
func word8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// jsSpecialWord marks, in the high bit of each byte of the eight bytes
// x (the first in the low byte), the bytes jsSpecial reports. Marks
// above the lowest may be spurious (borrows), the lowest is exact.
func jsSpecialWord(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	eq := func(c uint64) uint64 {
		y := x ^ (ones * c)
		return (y - ones) &^ y
	}
	return ((x-ones*0x20)&^x | x | eq(0x7F) | eq('\\') | eq('"') | eq('\'') | eq('/')) & highs
}

// jsSpecialExact is jsSpecialWord with every mark exact: a byte's mark
// does not depend on the bytes below it.
func jsSpecialExact(x uint64) uint64 {
	const ones, lo7, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	zero := func(y uint64) uint64 { return ^(((y & lo7) + lo7) | y) }
	below20 := ^(((x & lo7) + ones*0x60) | x)
	return (x | below20 | zero(x^ones*0x7F) | zero(x^ones*'\\') | zero(x^ones*'"') | zero(x^ones*'\'') | zero(x^ones*'/')) & highs
}

// appendEscapeJavaScript appends EscapeJavaScript(s) to b, eight bytes
// at a time: each word is copied whole into b's spare room and kept up
// to its first special byte, and the last bytes are read as the word
// that ends s.
func appendEscapeJavaScript(b []byte, s string) []byte {
	b = slices.Grow(b, len(s)+8)
	n := len(b)
	out := b[:cap(b)]
	for j := 0; j < len(s); {
		var m uint64
		switch {
		case j+8 <= len(s) && n+8 <= len(out):
			w := word8(s, j)
			binary.LittleEndian.PutUint64(out[n:], w)
			m = jsSpecialWord(w)
		case len(s) >= 8 && n+8 <= len(out):
			// The bytes already kept are shifted out of the word, so its
			// marks must be exact.
			skip := 8 * (j - (len(s) - 8))
			w := word8(s, len(s)-8)
			binary.LittleEndian.PutUint64(out[n:], w>>skip)
			if m = jsSpecialExact(w) >> skip; m == 0 {
				n, j = n+len(s)-j, len(s)
				continue
			}
		default:
			if c := s[j]; !jsSpecial(c) {
				if n == len(out) {
					b = append(b[:n], c)
					out = b[:cap(b)]
				} else {
					out[n] = c
				}
				n, j = n+1, j+1
				continue
			}
			m = 0x80 // s[j] is special
		}
		if m == 0 {
			n, j = n+8, j+8
			continue
		}
		k := bits.TrailingZeros64(m) >> 3
		n, j = n+k, j+k
		if len(out)-n < maxEscape+8 {
			b = slices.Grow(b[:n], maxEscape+8+len(s)-j)
			out = b[:cap(b)]
		}
		if c := s[j]; c == '"' || c == '/' || c == '\\' || c == '\'' {
			out[n], out[n+1] = '\\', c
			n, j = n+2, j+1
			continue
		}
		var size int
		n, size = putEscape(out, n, s[j:])
		j += size
	}
	return b[:n]
}

// maxEscape is the longest escape of one character: two \uXXXX.
const maxEscape = 12

// putEscape writes the escape of the special character s starts with
// at out[n:], which has room for it, and returns the index after it and
// the length of the character in s.
func putEscape(out []byte, n int, s string) (int, int) {
	r, size := rune(s[0]), 1
	if r >= utf8.RuneSelf {
		r, size = utf8.DecodeRuneInString(s)
	}
	var c byte
	switch r {
	case '\\', '"', '\'', '/':
		c = byte(r)
	case '\b':
		c = 'b'
	case '\f':
		c = 'f'
	case '\n':
		c = 'n'
	case '\r':
		c = 'r'
	case '\t':
		c = 't'
	default:
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			return putU(out, putU(out, n, r1), r2), size
		}
		return putU(out, n, r), size // control characters, U+007F and up
	}
	out[n], out[n+1] = '\\', c
	return n + 2, size
}

// putU writes r as \uXXXX at out[n:] and returns the index after it.
func putU(out []byte, n int, r rune) int {
	_ = out[n+5]
	out[n], out[n+1] = '\\', 'u'
	out[n+2], out[n+3], out[n+4], out[n+5] = upperHex[r>>12&0xF], upperHex[r>>8&0xF], upperHex[r>>4&0xF], upperHex[r&0xF]
	return n + 6
}

// URLEncode is $util.urlEncode: application/x-www-form-urlencoded UTF-8
// (Java URLEncoder): A-Z a-z 0-9 . - * _ kept, space → +, the rest %XX.
func URLEncode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '*', c == '_':
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)*3), s[:i]...)
		}
		if c == ' ' {
			b = append(b, '+')
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&0xF])
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// errURLDecode is Java's IllegalArgumentException from URLDecoder.
var errURLDecode = errors.New("$util.urlDecode: illegal escape")

// URLDecode is $util.urlDecode: + → space, %XX decoded as UTF-8. A
// malformed escape fails the render, as URLDecoder throws.
func URLDecode(s string) (string, error) {
	if !strings.ContainsAny(s, "+%") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", errURLDecode
			}
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return string(b), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// javaString is String.valueOf(v): Java's printing of the vtl values
// (maps as {k=v, ...}, lists as [a, b]).
func javaString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return string(appendJava(nil, v, 0))
}

func appendJava(b []byte, v any, depth int) []byte {
	if depth > 100 {
		return append(b, "..."...)
	}
	switch x := v.(type) {
	case string:
		return append(b, x...)
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return jsonpath.AppendJavaDouble(b, x)
	case *vtl.List:
		b = append(b, '[')
		for i, it := range x.Items {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendJava(b, it, depth+1)
		}
		return append(b, ']')
	case *vtl.Map:
		b = append(b, '{')
		for i, k := range x.Keys() {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, k...)
			b = append(b, '=')
			e, _ := x.Get(k)
			b = appendJava(b, e, depth+1)
		}
		return append(b, '}')
	case fmt.Stringer:
		return append(b, x.String()...)
	}
	return fmt.Append(b, v)
}
