package jsonpath

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/vtl"
)

// errFilterType is Jayway's NumberFormatException: a number compared with
// a literal that is not numeric. It makes the whole evaluation no match.
var errFilterType = errors.New("filter literal is not a number")

type expr interface {
	eval(cur, root any) (bool, error)
}

type andExpr struct{ l, r expr }
type orExpr struct{ l, r expr }
type notExpr struct{ e expr }
type existsExpr struct{ o operand }
type cmpExpr struct {
	op   string
	l, r operand
}

func (e andExpr) eval(cur, root any) (bool, error) {
	ok, err := e.l.eval(cur, root)
	if err != nil || !ok {
		return false, err
	}
	return e.r.eval(cur, root)
}

func (e orExpr) eval(cur, root any) (bool, error) {
	ok, err := e.l.eval(cur, root)
	if err != nil || ok {
		return ok, err
	}
	return e.r.eval(cur, root)
}

func (e notExpr) eval(cur, root any) (bool, error) {
	ok, err := e.e.eval(cur, root)
	return !ok, err
}

func (e existsExpr) eval(cur, root any) (bool, error) {
	v, ok := e.o.value(cur, root)
	return ok && v != nil, nil
}

// operand is a path (@... or $...) or a literal.
type operand struct {
	path   *Path // nil for literals
	rel    bool  // path starts at @
	lit    any
	re     *regexp.Regexp
	isLit  bool
	litStr string // Java toString of lit
}

func (o operand) value(cur, root any) (any, bool) {
	if o.path == nil {
		return o.lit, true
	}
	if o.rel {
		return o.path.Get(cur)
	}
	return o.path.Get(root)
}

func (e cmpExpr) eval(cur, root any) (bool, error) {
	l, lok := e.l.value(cur, root)
	if !lok {
		return false, nil
	}
	if e.op == "=~" {
		s, ok := l.(string)
		return ok && e.r.re != nil && e.r.re.MatchString(s), nil
	}
	r, rok := e.r.value(cur, root)
	if !rok {
		return false, nil
	}
	if e.r.isLit {
		return compareLit(l, e.op, r, e.r.litStr)
	}
	return compareValues(l, e.op, r), nil
}

// compareLit compares a document value with a literal the way Jayway
// 2.0 does (see the package comment).
func compareLit(actual any, op string, lit any, litStr string) (bool, error) {
	if lit == nil {
		switch op {
		case "==":
			return actual == nil, nil
		case "!=", ">", ">=":
			return actual != nil, nil
		}
		return false, nil
	}
	switch a := actual.(type) {
	case nil:
		return op == "!=", nil
	case *vtl.List, *vtl.Map:
		return false, nil
	case int64, float64:
		var n float64
		switch l := lit.(type) {
		case int64:
			n = float64(l)
		case float64:
			n = l
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(l), 64)
			if err != nil {
				return false, errFilterType
			}
			n = f
		default:
			return false, errFilterType
		}
		return ordered(cmpFloat(toFloat(a), n), op), nil
	default:
		return ordered(strings.Compare(javaString(a), litStr), op), nil
	}
}

// compareValues compares two document values (path == path): numbers
// numerically, everything else by equal type and text.
func compareValues(l any, op string, r any) bool {
	ln, lnum := number(l)
	rn, rnum := number(r)
	if lnum && rnum {
		return ordered(cmpFloat(ln, rn), op)
	}
	switch lv := l.(type) {
	case string:
		if rv, ok := r.(string); ok {
			return ordered(strings.Compare(lv, rv), op)
		}
	case bool:
		if rv, ok := r.(bool); ok && (op == "==" || op == "!=") {
			return (lv == rv) == (op == "==")
		}
	case nil:
		if op == "==" || op == "!=" {
			return (r == nil) == (op == "==")
		}
		return false
	}
	return op == "!="
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func toFloat(v any) float64 { f, _ := number(v); return f }

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ordered(c int, op string) bool {
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// javaString is String.valueOf for scalar values.
func javaString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return string(AppendJavaDouble(nil, x))
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// Filter grammar:
//
//	or   = and { "||" and }
//	and  = not { "&&" not }
//	not  = "!" not | "(" or ")" | cmp
//	cmp  = operand [ op operand ]
func (c *compiler) orExpr() (expr, error) {
	l, err := c.andExpr()
	if err != nil {
		return nil, err
	}
	for {
		c.ws()
		if !strings.HasPrefix(c.s[c.i:], "||") {
			return l, nil
		}
		c.i += 2
		r, err := c.andExpr()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
}

func (c *compiler) andExpr() (expr, error) {
	l, err := c.notExpr()
	if err != nil {
		return nil, err
	}
	for {
		c.ws()
		if !strings.HasPrefix(c.s[c.i:], "&&") {
			return l, nil
		}
		c.i += 2
		r, err := c.notExpr()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
}

func (c *compiler) notExpr() (expr, error) {
	c.ws()
	if c.eof() {
		return nil, errors.New("unterminated filter")
	}
	switch c.s[c.i] {
	case '!':
		if !strings.HasPrefix(c.s[c.i:], "!=") {
			c.i++
			e, err := c.notExpr()
			if err != nil {
				return nil, err
			}
			return notExpr{e}, nil
		}
	case '(':
		c.i++
		e, err := c.orExpr()
		if err != nil {
			return nil, err
		}
		c.ws()
		if c.eof() || c.s[c.i] != ')' {
			return nil, errors.New("expected ')'")
		}
		c.i++
		return e, nil
	}
	return c.cmp()
}

var cmpOps = []string{"==", "!=", "<=", ">=", "=~", "<", ">"}

func (c *compiler) cmp() (expr, error) {
	l, err := c.operand(false)
	if err != nil {
		return nil, err
	}
	c.ws()
	op := ""
	for _, o := range cmpOps {
		if strings.HasPrefix(c.s[c.i:], o) {
			op = o
			break
		}
	}
	if op == "" {
		if l.path == nil {
			return nil, errors.New("filter needs a comparison or a path")
		}
		return existsExpr{l}, nil
	}
	c.i += len(op)
	r, err := c.operand(op == "=~")
	if err != nil {
		return nil, err
	}
	if op == "=~" {
		if l.path == nil || r.re == nil {
			return nil, errors.New("=~ needs a path on the left and /regex/ on the right")
		}
		return cmpExpr{op: op, l: l, r: r}, nil
	}
	if l.path == nil && r.path == nil {
		return nil, errors.New("comparison needs a path")
	}
	if l.path == nil { // literal op path → path mirrored-op literal
		l, r = r, l
		op = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}[op]
	}
	return cmpExpr{op: op, l: l, r: r}, nil
}

func (c *compiler) operand(regex bool) (operand, error) {
	c.ws()
	if c.eof() {
		return operand{}, errors.New("unterminated filter")
	}
	switch ch := c.s[c.i]; {
	case ch == '@' || ch == '$':
		c.i++
		segs, err := c.segments(true)
		if err != nil {
			return operand{}, err
		}
		return operand{path: &Path{segs: segs, definite: definite(segs)}, rel: ch == '@'}, nil
	case ch == '\'' || ch == '"':
		s, err := c.stringLit(ch)
		if err != nil {
			return operand{}, err
		}
		return lit(s), nil
	case ch == '/' && regex:
		end := c.i + 1
		for end < len(c.s) && c.s[end] != '/' {
			if c.s[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(c.s) {
			return operand{}, errors.New("unterminated regex")
		}
		pat := c.s[c.i+1 : end]
		c.i = end + 1
		flags := ""
		for !c.eof() && strings.IndexByte("imsx", c.s[c.i]) >= 0 {
			if c.s[c.i] != 'x' {
				flags += string(c.s[c.i])
			}
			c.i++
		}
		if flags != "" {
			pat = "(?" + flags + ")" + pat
		}
		re, err := regexp.Compile(`^(?:` + pat + `)$`)
		if err != nil {
			return operand{}, fmt.Errorf("bad regex: %v", err)
		}
		return operand{re: re, isLit: true}, nil
	case ch == '-' || (ch >= '0' && ch <= '9'):
		start := c.i
		c.i++
		for !c.eof() && strings.IndexByte("0123456789.eE+-", c.s[c.i]) >= 0 {
			c.i++
		}
		txt := c.s[start:c.i]
		if n, err := strconv.ParseInt(txt, 10, 64); err == nil {
			return lit(n), nil
		}
		f, err := strconv.ParseFloat(txt, 64)
		if err != nil {
			return operand{}, fmt.Errorf("bad number %q", txt)
		}
		return lit(f), nil
	default:
		for _, w := range []struct {
			s string
			v any
		}{{"true", true}, {"false", false}, {"null", nil}} {
			if strings.HasPrefix(c.s[c.i:], w.s) {
				c.i += len(w.s)
				return lit(w.v), nil
			}
		}
	}
	return operand{}, fmt.Errorf("unexpected %q in filter", c.s[c.i])
}

func lit(v any) operand {
	return operand{lit: v, isLit: true, litStr: javaString(v)}
}

func (c *compiler) stringLit(q byte) (string, error) {
	c.i++
	var b strings.Builder
	for !c.eof() {
		ch := c.s[c.i]
		if ch == '\\' && c.i+1 < len(c.s) {
			b.WriteByte(c.s[c.i+1])
			c.i += 2
			continue
		}
		c.i++
		if ch == q {
			return b.String(), nil
		}
		b.WriteByte(ch)
	}
	return "", errors.New("unterminated string literal")
}
