package vtl

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// maxPrintDepth bounds the nesting printed for self-referencing lists and
// maps; maxPrint bounds the bytes one value prints (the render's output
// limit then fails the render).
const (
	maxPrintDepth = 100
	maxPrint      = 16 << 20
)

// appendValue appends v as Java's String.valueOf would print it.
func appendValue(b []byte, v any, depth int) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return append(b, x...)
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return appendDouble(b, x)
	case *big.Int:
		return x.Append(b, 10)
	case *List:
		if depth > maxPrintDepth {
			return append(b, "..."...)
		}
		b = append(b, '[')
		for i, it := range x.Items {
			if len(b) > maxPrint {
				break
			}
			if i > 0 {
				b = append(b, ", "...)
			}
			if l, ok := it.(*List); ok && l == x {
				b = append(b, "(this Collection)"...)
				continue
			}
			b = appendValue(b, it, depth+1)
		}
		return append(b, ']')
	case *Map:
		if depth > maxPrintDepth {
			return append(b, "..."...)
		}
		b = append(b, '{')
		for i, k := range x.keys {
			if len(b) > maxPrint {
				break
			}
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, k...)
			b = append(b, '=')
			if m, ok := x.vs[i].(*Map); ok && m == x {
				b = append(b, "(this Map)"...)
				continue
			}
			b = appendValue(b, x.vs[i], depth+1)
		}
		return append(b, '}')
	case Entry:
		b = append(b, x.Key...)
		b = append(b, '=')
		return appendValue(b, x.Value, depth+1)
	case *loop:
		return append(b, "org.apache.velocity.runtime.directive.ForeachScope"...)
	case fmt.Stringer:
		return append(b, x.String()...)
	default:
		return fmt.Append(b, v)
	}
}

// toString converts v as Java's toString would; strings are returned
// without copying.
func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return string(appendValue(nil, v, 0))
}

// appendDouble appends f as Java's Double.toString prints it: decimal
// notation with at least one fractional digit for 1e-3 <= |f| < 1e7,
// otherwise computerized scientific notation (1.0E10, 1.5E-4).
func appendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		start := len(b)
		b = strconv.AppendFloat(b, f, 'f', -1, 64)
		for _, c := range b[start:] {
			if c == '.' {
				return b
			}
		}
		return append(b, ".0"...)
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64) // -d.ddde±dd
	mant, exp := e, []byte(nil)
	for i, c := range e {
		if c == 'e' {
			mant, exp = e[:i], e[i+1:]
			break
		}
	}
	b = append(b, mant...)
	hasDot := false
	for _, c := range mant {
		if c == '.' {
			hasDot = true
		}
	}
	if !hasDot {
		b = append(b, ".0"...)
	}
	b = append(b, 'E')
	if exp[0] == '-' {
		b = append(b, '-')
	}
	exp = exp[1:]
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	return append(b, exp...)
}

// ToString returns v as Java's String.valueOf prints it: integers plain,
// decimals as Double.toString (1001.0, 1.0E10), lists [a, b], maps
// {k=v, k2=v2}, null as "null". Host code uses it to stringify values
// the way templates see them.
func ToString(v any) string { return toString(v) }
