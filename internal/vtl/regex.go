package vtl

import (
	"regexp"
	"strconv"
	"strings"
)

// javaRegex is a Java regular expression translated to RE2. err is set
// when the pattern uses what RE2 cannot do (backreferences, lookaround,
// possessive quantifiers) or does not compile; using it then fails the
// render, like Java's PatternSyntaxException.
type javaRegex struct {
	re   *regexp.Regexp
	full *regexp.Regexp // anchored, for matches()
	err  error
}

// repetition returns the {n}, {n,} or {n,m} quantifier at the start of
// s, or "" when s does not start with a valid one.
func repetition(s string) string {
	i := 1
	digits := func() int {
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return i - j
	}
	if digits() == 0 {
		return ""
	}
	if i < len(s) && s[i] == ',' {
		i++
		digits()
	}
	if i < len(s) && s[i] == '}' {
		return s[:i+1]
	}
	return ""
}

// maxRegexCache bounds the per-template cache of non-literal patterns.
const maxRegexCache = 256

func compileJavaRegex(pat string) *javaRegex {
	t, err := translateRegex(pat)
	if err != nil {
		return &javaRegex{err: err}
	}
	re, err := regexp.Compile(t)
	if err != nil {
		return &javaRegex{err: throw("PatternSyntaxException: " + err.Error())}
	}
	full, err := regexp.Compile(`\A(?:` + t + `)\z`)
	if err != nil {
		return &javaRegex{err: throw("PatternSyntaxException: " + err.Error())}
	}
	return &javaRegex{re: re, full: full}
}

// regex returns the compiled pattern: the one compiled at parse time for
// a literal argument, else one from the template's cache.
func (r *renderer) regex(p *refPart, pat string) (*javaRegex, error) {
	jr := p.re
	if jr == nil {
		if v, ok := r.t.reMu.Load(pat); ok {
			jr = v.(*javaRegex)
		} else {
			jr = compileJavaRegex(pat)
			if r.t.reSize.Add(1) <= maxRegexCache {
				r.t.reMu.Store(pat, jr)
			}
		}
	}
	if jr.err != nil {
		return nil, jr.err
	}
	return jr, nil
}

func unsupported(what, pat string) error {
	return throw("PatternSyntaxException: " + what + " is not supported: " + pat)
}

// translateRegex rewrites Java regex syntax into RE2 syntax.
//
// Known differences that remain: Java's "$" also matches before a final
// line terminator; "." in Java also excludes \r and \u0085; and in
// replaceAll/split Java allows an empty match right after a non-empty
// one ("x|y".replaceAll("x*", "-") is "--|-y-" in Java, "-|-y-" here).
func translateRegex(p string) (string, error) {
	var b strings.Builder
	inClass := false
	nested := 0 // depth of Java nested classes inside the current class
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\\':
			if i+1 >= len(p) {
				return "", throw("PatternSyntaxException: Unexpected internal error near index " + strconv.Itoa(len(p)) + ": " + p)
			}
			d := p[i+1]
			i++
			switch {
			case d == 'Q':
				e := strings.Index(p[i+1:], `\E`)
				lit := p[i+1:]
				if e >= 0 {
					lit = p[i+1 : i+1+e]
					i += e + 2
				} else {
					i = len(p)
				}
				if inClass {
					for _, r := range lit {
						b.WriteString(regexp.QuoteMeta(string(r)))
					}
				} else {
					b.WriteString(regexp.QuoteMeta(lit))
				}
			case d >= '1' && d <= '9' && !inClass, d == 'k':
				return "", unsupported("a backreference", p)
			case d == 'u' && i+4 < len(p):
				b.WriteString(`\x{` + p[i+1:i+5] + `}`)
				i += 4
			case d == '0':
				j := i + 1
				for j < len(p) && j < i+4 && p[j] >= '0' && p[j] <= '7' {
					j++
				}
				n, err := strconv.ParseInt(p[i+1:j], 8, 32)
				if err != nil {
					return "", throw("PatternSyntaxException: Illegal octal escape sequence: " + p)
				}
				b.WriteString(`\x{` + strconv.FormatInt(n, 16) + `}`)
				i = j - 1
			case d == 'e':
				b.WriteString(`\x{1B}`)
			case d == 'Z' || d == 'G' || d == 'R' || d == 'X' || d == 'h' || d == 'H' || d == 'V':
				return "", unsupported(`\`+string(d), p)
			case d == 'p' || d == 'P':
				name := ""
				if i+1 < len(p) && p[i+1] == '{' {
					e := strings.IndexByte(p[i+1:], '}')
					if e < 0 {
						return "", throw("PatternSyntaxException: Unclosed character family: " + p)
					}
					name = p[i+2 : i+1+e]
					i += e + 1
				} else if i+1 < len(p) {
					name = p[i+1 : i+2]
					i++
				}
				t, ok := posixClass(name, d == 'P')
				if !ok {
					return "", unsupported(`\p{`+name+`}`, p)
				}
				b.WriteString(t)
			case isLetter(d) || isDigit(d):
				b.WriteByte('\\')
				b.WriteByte(d)
			default:
				// Java lets any other character be escaped; RE2 only punctuation.
				if d < 0x80 {
					b.WriteString(regexp.QuoteMeta(string(d)))
				} else {
					b.WriteByte(d)
				}
			}
		case '[':
			if inClass {
				// A Java nested class is a union: flatten it, unless negated.
				if i+1 < len(p) && p[i+1] == '^' {
					return "", unsupported("a negated nested character class", p)
				}
				nested++
				continue
			}
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
		case ']':
			if nested > 0 {
				nested--
				continue
			}
			inClass = false
			b.WriteByte(c)
		case '{':
			if inClass {
				b.WriteByte(c)
				continue
			}
			m := repetition(p[i:])
			if m == "" {
				return "", throw("PatternSyntaxException: Illegal repetition near index " + strconv.Itoa(i) + ": " + p)
			}
			b.WriteString(m)
			i += len(m) - 1
			if i+1 < len(p) && p[i+1] == '+' {
				return "", unsupported("a possessive quantifier", p)
			}
		case '&':
			if inClass && i+1 < len(p) && p[i+1] == '&' {
				return "", unsupported("class intersection", p)
			}
			b.WriteByte(c)
		case '(':
			if !inClass && i+1 < len(p) && p[i+1] == '?' {
				rest := p[i+2:]
				switch {
				case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"),
					strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
					return "", unsupported("lookaround", p)
				case strings.HasPrefix(rest, ">"):
					return "", unsupported("an atomic group", p)
				case strings.HasPrefix(rest, "<"):
					b.WriteString("(?P<")
					i += 2
					continue
				}
				j := 0
				for j < len(rest) && strings.IndexByte("imsuxdU-", rest[j]) >= 0 {
					if rest[j] == 'x' || rest[j] == 'U' || rest[j] == 'd' {
						return "", unsupported("flag "+string(rest[j]), p)
					}
					j++
				}
				flags := strings.ReplaceAll(rest[:j], "u", "")
				b.WriteString("(?" + flags)
				i += 1 + j
				continue
			}
			b.WriteByte(c)
		case '*', '+', '?':
			b.WriteByte(c)
			if !inClass && i+1 < len(p) && p[i+1] == '+' {
				return "", unsupported("a possessive quantifier", p)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func posixClass(name string, neg bool) (string, bool) {
	cls := map[string]string{
		"Lower": "a-z", "Upper": "A-Z", "ASCII": `\x00-\x7F`, "Alpha": "a-zA-Z",
		"Digit": "0-9", "Alnum": "a-zA-Z0-9", "Punct": "!-/:-@\\[-`{-~",
		"Graph": "!-~", "Print": " -~", "Blank": ` \t`, "Cntrl": `\x00-\x1F\x7F`,
		"XDigit": "0-9a-fA-F", "Space": ` \t\n\x0B\f\r`,
	}
	if c, ok := cls[name]; ok {
		if neg {
			return "[^" + c + "]", true
		}
		return "[" + c + "]", true
	}
	n := strings.TrimPrefix(strings.TrimPrefix(name, "Is"), "In")
	if _, err := regexp.Compile(`\p{` + n + `}`); err == nil {
		if neg {
			return `\P{` + n + `}`, true
		}
		return `\p{` + n + `}`, true
	}
	return "", false
}

func (j *javaRegex) matches(s string) bool { return j.full.MatchString(s) }

// expandTemplate translates a Java replacement string ($1, ${name}, \x)
// into regexp's Expand template.
func (j *javaRegex) expandTemplate(repl string) (string, bool, error) {
	if strings.IndexByte(repl, '$') < 0 && strings.IndexByte(repl, '\\') < 0 {
		return repl, true, nil
	}
	var b strings.Builder
	n := j.re.NumSubexp()
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return "", false, throw("IllegalArgumentException: character to be escaped is missing")
			}
			if repl[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(repl[i])
			}
		case '$':
			i++
			if i >= len(repl) {
				return "", false, throw("IllegalArgumentException: Illegal group reference: group index is missing")
			}
			if repl[i] == '{' {
				e := strings.IndexByte(repl[i:], '}')
				if e < 0 {
					return "", false, throw("IllegalArgumentException: named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+e]
				if j.re.SubexpIndex(name) < 0 {
					return "", false, throw("IllegalArgumentException: No group with name {" + name + "}")
				}
				b.WriteString("${" + name + "}")
				i += e
				continue
			}
			if !isDigit(repl[i]) {
				return "", false, throw("IllegalArgumentException: Illegal group reference")
			}
			g := int(repl[i] - '0')
			if g > n {
				return "", false, throw("IndexOutOfBoundsException: No group " + strconv.Itoa(g))
			}
			for i+1 < len(repl) && isDigit(repl[i+1]) {
				ng := g*10 + int(repl[i+1]-'0')
				if ng > n {
					break
				}
				g = ng
				i++
			}
			b.WriteString("${" + strconv.Itoa(g) + "}")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), false, nil
}

func (j *javaRegex) replace(s, repl string, all bool) (any, error) {
	tmpl, literal, err := j.expandTemplate(repl)
	if err != nil {
		return nil, err
	}
	if all {
		if literal {
			return j.re.ReplaceAllLiteralString(s, tmpl), nil
		}
		return j.re.ReplaceAllString(s, tmpl), nil
	}
	m := j.re.FindStringSubmatchIndex(s)
	if m == nil {
		return s, nil
	}
	var out []byte
	out = append(out, s[:m[0]]...)
	if literal {
		out = append(out, tmpl...)
	} else {
		out = j.re.ExpandString(out, tmpl, s, m)
	}
	out = append(out, s[m[1]:]...)
	return string(out), nil
}

// split is String.split(regex, limit).
func (j *javaRegex) split(s string, limit int) (any, error) {
	if s == "" {
		return &List{Items: []any{""}}, nil
	}
	var parts []any
	start := 0
	for _, m := range j.re.FindAllStringIndex(s, -1) {
		if limit > 0 && len(parts) == limit-1 {
			break
		}
		if m[1] == 0 {
			continue // a zero-width match at the start yields no leading empty string
		}
		if m[0] == m[1] && m[0] >= len(s) {
			break
		}
		parts = append(parts, s[start:m[0]])
		start = m[1]
	}
	parts = append(parts, s[start:])
	if limit == 0 {
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
	}
	return &List{Items: parts}, nil
}
