package mapping

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/bits"
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
	s := javaString(args[0])
	return appendEscapeJavaScript(b, s, jsPlain(s)), true, nil
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
	return string(appendEscapeJavaScript(make([]byte, 0, len(s)+len(s)/4+8), s, i))
}

// jsPlain returns the length of the prefix of s that EscapeJavaScript
// keeps as it is.
func jsPlain(s string) int {
	i := 0
	// Eight bytes at a time while they are there.
	for ; i+8 <= len(s); i += 8 {
		if m := jsSpecial8(s[i : i+8]); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) {
		c := s[i]
		if c < 0x20 || c >= 0x7F || c == '\\' || c == '"' || c == '\'' || c == '/' {
			break
		}
		i++
	}
	return i
}

// jsSpecial8 marks, in the high bit of each byte of the eight bytes w,
// the bytes EscapeJavaScript does not keep as they are: controls,
// U+007F and up, \ " ' and /. Marks above the lowest may be spurious
// (borrows), the lowest is exact.
func jsSpecial8(w string) uint64 {
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	eq := func(c uint64) uint64 {
		y := x ^ (ones * c)
		return (y - ones) &^ y
	}
	return ((x-ones*0x20)&^x | x | eq(0x7F) | eq('\\') | eq('"') | eq('\'') | eq('/')) & highs
}

// appendEscapeJavaScript appends EscapeJavaScript(s) to b, given the
// length i of s's plain prefix.
func appendEscapeJavaScript(b []byte, s string, i int) []byte {
	for {
		b = append(b, s[:i]...) // a run kept as it is
		s = s[i:]
		if s == "" {
			return b
		}
		r, size := rune(s[0]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s)
		}
		s = s[size:]
		switch r {
		case '\\', '"', '\'', '/':
			b = append(b, '\\', byte(r))
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				b = appendU(appendU(b, r1), r2)
			} else {
				b = appendU(b, r) // control characters, U+007F and up
			}
		}
		i = jsPlain(s)
	}
}

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', upperHex[r>>12&0xF], upperHex[r>>8&0xF], upperHex[r>>4&0xF], upperHex[r&0xF])
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
