package vtl

import (
	"sort"
	"strconv"
	"strings"
)

// maxNesting bounds directive and expression nesting so that hostile
// templates cannot exhaust the stack while parsing.
const maxNesting = 500

// Parse compiles a template. A template that does not parse yields a
// *ParseError carrying line and column.
func Parse(src string) (*Template, error) {
	t := &Template{src: src}
	t.names = []string{"foreach", "velocityCount", "velocityHasNext"}
	t.lines = append(t.lines, 0)
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	p := &parser{src: src, lim: len(src), t: t, slots: map[string]int{}, macros: map[string]*macroDef{}}
	for i, n := range t.names {
		p.slots[n] = i
	}
	p.macroNames = scanMacroNames(src)
	nodes, term, err := p.parseBlock()
	if err != nil {
		return nil, err
	}
	if term != termEOF {
		return nil, p.errAt(p.termPos, `"#`+termNames[term]+`"`)
	}
	for _, c := range p.calls {
		c.def = p.macros[c.name]
	}
	t.nodes = nodes
	t.code = compileNodes(nodes)
	return t, nil
}

// scanMacroNames finds the names of the macros a template defines, so
// that calls placed before the definition are recognised (Velocity does).
func scanMacroNames(src string) map[string]bool {
	names := map[string]bool{}
	for i := 0; ; {
		j := strings.Index(src[i:], "macro")
		if j < 0 {
			return names
		}
		i += j + 5
		k := i - 5
		if !(k >= 1 && src[k-1] == '#') && !(k >= 2 && src[k-1] == '{' && src[k-2] == '#' && i < len(src) && src[i] == '}') {
			continue
		}
		q := i
		if q < len(src) && src[q] == '}' {
			q++
		}
		for q < len(src) && isSpace(src[q]) {
			q++
		}
		if q >= len(src) || src[q] != '(' {
			continue
		}
		q++
		for q < len(src) && isSpace(src[q]) {
			q++
		}
		s := q
		for q < len(src) && isWordChar(src[q]) {
			q++
		}
		if q > s && isLetter(src[s]) {
			names[src[s:q]] = true
		}
	}
}

type term int

const (
	termEOF term = iota
	termEnd
	termElse
	termElseif
)

var termNames = [...]string{"", "end", "else", "elseif"}

type parser struct {
	src        string
	pos        int
	lim        int
	t          *Template
	slots      map[string]int
	macros     map[string]*macroDef
	macroNames map[string]bool
	calls      []*macroCallNode
	depth      int
	termPos    int
	elseifCond expr
}

func isLetter(c byte) bool    { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isIdentChar(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c == '-' }
func isWordChar(c byte) bool  { return isLetter(c) || isDigit(c) || c == '_' }
func isSpace(c byte) bool     { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) slot(name string) int {
	if s, ok := p.slots[name]; ok {
		return s
	}
	s := len(p.t.names)
	p.t.names = append(p.t.names, name)
	p.slots[name] = s
	return s
}

func (t *Template) position(off int) pos {
	i := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return pos{int32(i + 1), int32(off - t.lines[i] + 1)}
}

func (p *parser) posAt(off int) pos { return p.t.position(off) }

func (p *parser) errAt(off int, what string) error {
	ps := p.posAt(off)
	return &ParseError{Line: int(ps.line), Col: int(ps.col), Msg: what}
}

// errHere reports the token at the current position.
func (p *parser) errHere() error {
	if p.pos >= p.lim {
		return p.errAt(p.pos, "<EOF>")
	}
	e := p.pos + 1
	for e < p.lim && e-p.pos < 20 && !isSpace(p.src[e]) && isIdentChar(p.src[e]) == isIdentChar(p.src[p.pos]) {
		e++
	}
	return p.errAt(p.pos, strconv.Quote(p.src[p.pos:e]))
}

// gobbleNewline consumes trailing spaces/tabs and one newline after a
// directive, if the rest of the line is blank (Velocity 1.7).
func (p *parser) gobbleNewline() {
	i := p.pos
	for i < p.lim && (p.src[i] == ' ' || p.src[i] == '\t') {
		i++
	}
	switch {
	case i < p.lim && p.src[i] == '\n':
		p.pos = i + 1
	case i < p.lim && p.src[i] == '\r':
		if i+1 < p.lim && p.src[i+1] == '\n' {
			p.pos = i + 2
		} else {
			p.pos = i + 1
		}
	}
}

// parseBlock parses nodes until #end, #else, #elseif or the end of input.
func (p *parser) parseBlock() ([]node, term, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, 0, p.errAt(p.pos, `"nesting too deep"`)
	}
	var nodes []node
	textStart := p.pos
	propEnd := -1 // end of the last reference if it ended in a .property
	refEnd := -1  // end of the last reference
	// armed: the last token was a #set that directly followed a reference;
	// Velocity 1.7's lexer then gives the next #set the blanks before it.
	armed := false
	var acc []byte // text not yet emitted as a node
	flushedAt := 0 // len(acc) at the last flush: text added since is escape output
	flush := func(end int) {
		if end > textStart {
			acc = append(acc, p.src[textStart:end]...)
		}
		flushedAt = len(acc)
	}
	emit := func(n node) {
		if len(acc) > 0 {
			nodes = append(nodes, &textNode{string(acc)})
			acc = acc[:0]
			flushedAt = 0
		}
		if n != nil {
			nodes = append(nodes, n)
		}
	}
	for p.pos < p.lim {
		c := p.src[p.pos]
		switch c {
		case '$':
			if p.pos+1 == p.lim && p.lim == len(p.src) {
				// Velocity 1.7: a template ending in "$" is a lexical error.
				return nil, 0, p.errAt(p.pos+1, "<EOF>")
			}
			start := p.pos
			ref, ok, err := p.parseRef()
			if err != nil {
				return nil, 0, err
			}
			if !ok {
				p.pos = start + 1
				continue
			}
			flush(start)
			emit(&refNode{ref: ref})
			textStart = p.pos
			refEnd, armed = p.pos, false
			if n := len(ref.parts); n > 0 && ref.parts[n-1].kind != partProp && !strings.HasSuffix(ref.src, "}") {
				armed = true
			}
			if start == propEnd && len(ref.parts) == 0 && p.pos < p.lim && p.src[p.pos] == '(' {
				// Velocity 1.7 lexes "$a.b$c(" as a method call on $c.
				p.pos++
				if _, err := p.parseExpr(); err != nil {
					return nil, 0, err
				}
				return nil, 0, p.errHere()
			}
			lastProp := len(ref.parts) > 0 && ref.parts[len(ref.parts)-1].kind == partProp
			if lastProp && !strings.HasSuffix(ref.src, "}") || start == propEnd && len(ref.parts) == 0 && strings.HasSuffix(ref.src, "}") {
				propEnd = p.pos
			}
		case '\\':
			start := p.pos
			n := 0
			for p.pos < p.lim && p.src[p.pos] == '\\' {
				p.pos++
				n++
			}
			if p.pos < p.lim && p.src[p.pos] == '$' {
				save := p.pos
				ref, ok, err := p.parseRef()
				if err != nil {
					return nil, 0, err
				}
				if ok {
					flush(start)
					emit(&refNode{ref: ref, bs: n})
					textStart = p.pos
					continue
				}
				p.pos = save
				continue
			}
			if p.pos < p.lim && p.src[p.pos] == '#' {
				if w, wend := p.directiveWord(p.pos); isDirectiveName(w) {
					flush(start)
					acc = append(acc, strings.Repeat(`\`, n/2)...)
					if n%2 == 1 {
						// Escaped directive: its word is plain text.
						acc = append(acc, p.src[p.pos:wend]...)
						p.pos = wend
						textStart = p.pos
						flush(p.pos) // an escaped directive is a token of its own
						continue
					}
					textStart = p.pos
					continue
				}
			}
		case '#':
			if p.pos+1 >= p.lim {
				p.pos++
				continue
			}
			start := p.pos
			switch p.src[p.pos+1] {
			case '#':
				if p.pos == propEnd {
					// Velocity 1.7 lexes "##" right after $a.b as text.
					p.pos += 2
					continue
				}
				flush(start)
				armed = false
				e := strings.IndexByte(p.src[p.pos:p.lim], '\n')
				if e < 0 {
					p.pos = p.lim
				} else {
					p.pos += e + 1
				}
				textStart = p.pos
				continue
			case '*':
				flush(start)
				armed = armed && start == textStart || start == refEnd
				adj := start == propEnd
				e := strings.Index(p.src[p.pos+2:p.lim], "*#")
				if e < 0 {
					p.pos = p.lim
				} else {
					p.pos += 2 + e + 2
				}
				textStart = p.pos
				if adj {
					propEnd = p.pos
				}
				continue
			case '[':
				if p.pos+2 < p.lim && p.src[p.pos+2] == '[' {
					flush(start)
					e := strings.Index(p.src[p.pos+3:p.lim], "]]#")
					if e < 0 {
						return nil, 0, p.errAt(p.lim, "<EOF>")
					}
					acc = append(acc, p.src[p.pos+3:p.pos+3+e]...)
					p.pos += 3 + e + 3
					textStart = p.pos
					continue
				}
			}
			w, wend := p.directiveWord(p.pos)
			if w == "" {
				p.pos++
				continue
			}
			switch w {
			case "end", "else":
				flush(start)
				emit(nil)
				p.termPos = start
				p.pos = wend
				p.gobbleNewline()
				if w == "end" {
					return nodes, termEnd, nil
				}
				return nodes, termElse, nil
			case "elseif":
				flush(start)
				emit(nil)
				p.termPos = start
				p.pos = wend
				cond, err := p.parseParenExpr()
				if err != nil {
					return nil, 0, err
				}
				p.elseifCond = cond
				return nodes, termElseif, nil
			case "set":
				// Leading blanks since the last token belong to #set.
				end := start
				for end > textStart && (p.src[end-1] == ' ' || p.src[end-1] == '\t') {
					end--
				}
				onlyBlanks := end == textStart && len(acc) == flushedAt
				if armed && end > textStart && isWord(p.src[textStart:end]) || onlyBlanks {
					flush(end)
				} else {
					flush(start)
				}
				armed = onlyBlanks && (textStart == refEnd || armed)
				afterProp := onlyBlanks && textStart == propEnd
				p.pos = wend
				n, err := p.parseSet(start)
				if err != nil {
					return nil, 0, err
				}
				emit(n)
				textStart = p.pos
				if afterProp {
					propEnd = p.pos
				}
				continue
			}
			flush(start)
			armed = false
			n, err := p.parseDirective(w, start, wend)
			if err != nil {
				return nil, 0, err
			}
			if tn, ok := n.(*textNode); ok {
				acc = append(acc, tn.s...)
				flushedAt = len(acc)
			} else if n != nil {
				emit(n)
			}
			textStart = p.pos
			continue
		default:
			p.pos++
			continue
		}
	}
	flush(p.lim)
	emit(nil)
	return nodes, termEOF, nil
}

// isWord reports whether s is one word of identifier characters.
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

func isDirectiveName(w string) bool {
	switch w {
	case "set", "if", "elseif", "else", "end", "foreach", "define", "macro", "break", "stop", "include", "parse", "evaluate":
		return true
	}
	return false
}

// directiveWord reads #word or #{word} at off; it returns "" when there is none.
func (p *parser) directiveWord(off int) (string, int) {
	i := off + 1
	braced := i < p.lim && p.src[i] == '{'
	if braced {
		i++
	}
	s := i
	if i >= p.lim || !isLetter(p.src[i]) {
		return "", off
	}
	for i < p.lim && isWordChar(p.src[i]) {
		i++
	}
	w := p.src[s:i]
	if braced {
		if i >= p.lim || p.src[i] != '}' {
			return "", off
		}
		i++
	}
	return w, i
}

func (p *parser) skipSpace() {
	for p.pos < p.lim && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func (p *parser) skipBlanks() {
	for p.pos < p.lim && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *parser) expect(c byte) error {
	p.skipSpace()
	if p.pos >= p.lim || p.src[p.pos] != c {
		return p.errHere()
	}
	p.pos++
	return nil
}

func (p *parser) parseParenExpr() (expr, error) {
	p.skipBlanks()
	if err := p.expect('('); err != nil {
		return nil, err
	}
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	p.gobbleNewline()
	return e, nil
}

func (p *parser) parseSet(start int) (node, error) {
	for p.pos < p.lim && p.src[p.pos] == ' ' {
		p.pos++
	}
	if p.pos >= p.lim || p.src[p.pos] != '(' {
		return nil, p.errHere()
	}
	p.pos++
	p.skipSpace()
	if p.pos >= p.lim || p.src[p.pos] != '$' {
		return nil, p.errHere()
	}
	ref, ok, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errHere()
	}
	if err := p.expect('='); err != nil {
		return nil, err
	}
	val, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	p.gobbleNewline()
	return &setNode{pos: p.posAt(start), target: ref, val: val}, nil
}

func (p *parser) parseDirective(w string, start, wend int) (node, error) {
	p.pos = wend
	switch w {
	case "if":
		cond, err := p.parseParenExpr()
		if err != nil {
			return nil, err
		}
		n := &ifNode{}
		for {
			body, tm, err := p.parseBlock()
			if err != nil {
				return nil, err
			}
			n.conds = append(n.conds, cond)
			n.blocks = append(n.blocks, body)
			switch tm {
			case termEOF:
				return nil, p.errAt(p.lim, "<EOF>")
			case termEnd:
				return n, nil
			case termElseif:
				cond = p.elseifCond
				continue
			case termElse:
				els, err := p.parseEndBlock()
				if err != nil {
					return nil, err
				}
				n.els, n.hasEls = els, true
				return n, nil
			}
		}
	case "foreach":
		p.skipBlanks()
		if err := p.expect('('); err != nil {
			return nil, err
		}
		p.skipSpace()
		ref, err := p.parseVarRef()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:p.lim], "in") || p.pos+2 >= p.lim || isIdentChar(p.src[p.pos+2]) {
			return nil, p.errHere()
		}
		p.pos += 2
		src, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		p.gobbleNewline()
		body, err := p.parseEndBlock()
		if err != nil {
			return nil, err
		}
		return &foreachNode{pos: p.posAt(start), slot: ref.slot, src: src, body: body}, nil
	case "define":
		p.skipBlanks()
		if err := p.expect('('); err != nil {
			return nil, err
		}
		p.skipSpace()
		ref, err := p.parseVarRef()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		p.gobbleNewline()
		body, err := p.parseEndBlock()
		if err != nil {
			return nil, err
		}
		return &defineNode{slot: ref.slot, body: body}, nil
	case "macro":
		p.skipBlanks()
		if err := p.expect('('); err != nil {
			return nil, err
		}
		p.skipSpace()
		s := p.pos
		for p.pos < p.lim && isWordChar(p.src[p.pos]) {
			p.pos++
		}
		if s == p.pos || !isLetter(p.src[s]) {
			return nil, p.errHere()
		}
		def := &macroDef{name: p.src[s:p.pos]}
		for {
			p.skipSpace()
			if p.pos < p.lim && p.src[p.pos] == ',' {
				p.pos++
				p.skipSpace()
			}
			if p.pos < p.lim && p.src[p.pos] == ')' {
				p.pos++
				break
			}
			ref, err := p.parseVarRef()
			if err != nil {
				return nil, err
			}
			def.params = append(def.params, ref.slot)
		}
		p.gobbleNewline()
		body, err := p.parseEndBlock()
		if err != nil {
			return nil, err
		}
		def.body = body
		if _, dup := p.macros[def.name]; !dup {
			p.macros[def.name] = def
		}
		return nil, nil
	case "break":
		save := p.pos
		p.skipBlanks()
		if p.pos < p.lim && p.src[p.pos] == '(' {
			// #break($scope): the argument must be a reference.
			p.pos++
			p.skipSpace()
			as := p.pos
			if p.pos >= p.lim || p.src[p.pos] != '$' {
				return nil, p.errAt(as, `"Invalid arg #0 in directive #break"`)
			}
			if _, ok, err := p.parseRef(); err != nil || !ok {
				return nil, p.errAt(as, `"Invalid arg #0 in directive #break"`)
			}
			if err := p.expect(')'); err != nil {
				return nil, err
			}
			return breakNode{}, nil
		}
		p.pos = save
		return breakNode{}, nil
	case "stop":
		return stopNode{}, nil
	case "include", "parse", "evaluate":
		return nil, p.errAt(start, `"#`+w+`" (not supported)`)
	}
	// A macro call, or text when there is no such macro.
	save := p.pos
	p.skipBlanks()
	if p.pos >= p.lim || p.src[p.pos] != '(' {
		p.pos = save
		if p.macroNames[w] {
			n := &macroCallNode{pos: p.posAt(start), name: w, literal: p.src[start:save]}
			p.calls = append(p.calls, n)
			return n, nil
		}
		return &textNode{p.src[start:save]}, nil
	}
	p.pos++
	n := &macroCallNode{pos: p.posAt(start), name: w}
	for {
		p.skipSpace()
		if p.pos < p.lim && p.src[p.pos] == ',' {
			p.pos++
			p.skipSpace()
		}
		if p.pos < p.lim && p.src[p.pos] == ')' {
			p.pos++
			break
		}
		as := p.pos
		a, err := p.parsePrimary()
		if err != nil {
			if !p.macroNames[w] {
				p.pos = save
				return &textNode{p.src[start:save]}, nil
			}
			return nil, err
		}
		n.args = append(n.args, a)
		n.argSrc = append(n.argSrc, &nullArg{p.src[as:p.pos]})
	}
	n.literal = p.src[start:p.pos]
	if !p.macroNames[w] {
		return &textNode{n.literal}, nil
	}
	p.gobbleNewline()
	p.calls = append(p.calls, n)
	return n, nil
}

// parseVarRef parses a plain variable reference ($name, no properties or
// calls) at p.pos, as #foreach, #define and #macro take.
func (p *parser) parseVarRef() (*refExpr, error) {
	if p.pos >= p.lim || p.src[p.pos] != '$' {
		return nil, p.errHere()
	}
	ref, ok, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if !ok || len(ref.parts) > 0 {
		return nil, p.errHere()
	}
	return ref, nil
}

func (p *parser) parseEndBlock() ([]node, error) {
	body, tm, err := p.parseBlock()
	if err != nil {
		return nil, err
	}
	if tm != termEnd {
		if tm == termEOF {
			return nil, p.errAt(p.lim, "<EOF>")
		}
		return nil, p.errAt(p.termPos, `"#`+termNames[tm]+`"`)
	}
	return body, nil
}

// parseRef parses a reference at p.pos (which holds '$'). ok is false
// when the '$' does not start a reference.
func (p *parser) parseRef() (*refExpr, bool, error) {
	start := p.pos
	i := p.pos + 1
	quiet, formal := false, false
	if i < p.lim && p.src[i] == '!' {
		quiet = true
		i++
	}
	if i < p.lim && p.src[i] == '{' {
		formal = true
		i++
	}
	if i >= p.lim || !isLetter(p.src[i]) {
		return nil, false, nil
	}
	s := i
	for i < p.lim && isIdentChar(p.src[i]) {
		i++
	}
	ref := &refExpr{pos: p.posAt(start), name: p.src[s:i], quiet: quiet}
	ref.slot = p.slot(ref.name)
	p.pos = i
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, false, p.errAt(p.pos, `"nesting too deep"`)
	}
	for p.pos < p.lim {
		c := p.src[p.pos]
		if c == '.' && p.pos+1 < p.lim && isLetter(p.src[p.pos+1]) {
			ns := p.pos + 1
			j := ns
			for j < p.lim && isIdentChar(p.src[j]) {
				j++
			}
			part := refPart{name: p.src[ns:j], pos: p.posAt(ns)}
			p.pos = j
			if p.pos < p.lim && p.src[p.pos] == '(' {
				p.pos++
				part.kind = partMethod
				part.id = methodID(part.name)
				for {
					p.skipSpace()
					if p.pos < p.lim && p.src[p.pos] == ')' && len(part.args) == 0 {
						p.pos++
						break
					}
					a, err := p.parseExpr()
					if err != nil {
						return nil, false, err
					}
					part.args = append(part.args, a)
					p.skipSpace()
					if p.pos < p.lim && p.src[p.pos] == ',' {
						p.pos++
						continue
					}
					if err := p.expect(')'); err != nil {
						return nil, false, err
					}
					break
				}
				if len(part.args) > 0 {
					if lit, ok := part.args[0].(*litExpr); ok {
						if pat, ok := lit.v.(string); ok {
							switch part.id {
							case mReplaceAll, mReplaceFirst, mMatches, mSplit:
								part.re = compileJavaRegex(pat)
							}
						}
					}
				}
			} else {
				part.kind = partProp
				part.id = methodID(part.name)
			}
			ref.parts = append(ref.parts, part)
			continue
		}
		if c == '[' {
			ps := p.pos
			p.pos++
			idx, err := p.parseExpr()
			if err != nil {
				return nil, false, err
			}
			if err := p.expect(']'); err != nil {
				return nil, false, err
			}
			ref.parts = append(ref.parts, refPart{kind: partIndex, index: idx, pos: p.posAt(ps)})
			continue
		}
		break
	}
	if formal {
		if p.pos >= p.lim || p.src[p.pos] != '}' {
			return nil, false, p.errHere()
		}
		p.pos++
	}
	ref.src = p.src[start:p.pos]
	return ref, true, nil
}

// Expressions.

func (p *parser) parseExpr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, p.errAt(p.pos, `"nesting too deep"`)
	}
	return p.parseOr()
}

// matchOp reports whether the symbol or word operator op is next.
func (p *parser) matchOp(sym, word string) bool {
	p.skipSpace()
	rest := p.src[p.pos:p.lim]
	if sym != "" && strings.HasPrefix(rest, sym) {
		p.pos += len(sym)
		return true
	}
	if word != "" && strings.HasPrefix(rest, word) && (len(rest) == len(word) || !isIdentChar(rest[len(word)])) {
		p.pos += len(word)
		return true
	}
	return false
}

// binLevel is one precedence level of binary operators, loosest first
// (Velocity 1.7: || then && then == != then < > <= >= then + - then * / %).
type binLevel []struct {
	sym, word string
	op        binOp
}

var binLevels = []binLevel{
	{{"||", "or", opOr}},
	{{"&&", "and", opAnd}},
	{{"==", "eq", opEq}, {"!=", "ne", opNe}},
	// <= and >= before < and >, so the longer symbol wins.
	{{"<=", "le", opLe}, {">=", "ge", opGe}, {"<", "lt", opLt}, {">", "gt", opGt}},
	{{"+", "", opAdd}, {"-", "", opSub}},
	{{"*", "", opMul}, {"/", "", opDiv}, {"%", "", opMod}},
}

func (p *parser) parseOr() (expr, error) { return p.parseLevel(0) }

// parseLevel parses a left-associative chain of level i's operators over
// operands of the next level (unary expressions after the last).
func (p *parser) parseLevel(i int) (expr, error) {
	operand := func() (expr, error) {
		if i+1 < len(binLevels) {
			return p.parseLevel(i + 1)
		}
		return p.parseUnary()
	}
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		if binLevels[i][0].op == opAdd {
			p.skipSpace()
			if p.pos < p.lim && p.src[p.pos] == '-' && p.pos+1 < p.lim && isDigit(p.src[p.pos+1]) {
				// Velocity lexes "-1" as one literal: "5 -1" does not parse.
				return nil, p.errHere()
			}
		}
		s := p.pos
		op, found := binOp(0), false
		for _, o := range binLevels[i] {
			if p.matchOp(o.sym, o.word) {
				op, found = o.op, true
				break
			}
		}
		if !found {
			return l, nil
		}
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = &binExpr{pos: p.posAt(s), op: op, l: l, r: r}
	}
}

func (p *parser) parseUnary() (expr, error) {
	p.skipSpace()
	if p.pos < p.lim && p.src[p.pos] == '!' && !(p.pos+1 < p.lim && p.src[p.pos+1] == '=') {
		p.pos++
		x, err := p.parseUnaryNested()
		if err != nil {
			return nil, err
		}
		return &notExpr{x}, nil
	}
	if p.matchOp("", "not") {
		x, err := p.parseUnaryNested()
		if err != nil {
			return nil, err
		}
		return &notExpr{x}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parseUnaryNested() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, p.errAt(p.pos, `"nesting too deep"`)
	}
	return p.parseUnary()
}

func (p *parser) parsePrimary() (expr, error) {
	p.skipSpace()
	if p.pos >= p.lim {
		return nil, p.errHere()
	}
	s := p.pos
	c := p.src[p.pos]
	switch {
	case c == '$':
		ref, ok, err := p.parseRef()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errHere()
		}
		return ref, nil
	case c == '"' || c == '\'':
		e := strings.IndexByte(p.src[p.pos+1:p.lim], c)
		if e < 0 {
			return nil, p.errAt(p.lim, "<EOF>")
		}
		body := p.src[p.pos+1 : p.pos+1+e]
		bs := p.pos + 1
		p.pos += e + 2
		if c == '\'' || !strings.ContainsAny(body, "$#") {
			return &litExpr{body}, nil
		}
		sub := &parser{src: p.src, pos: bs, lim: bs + len(body), t: p.t, slots: p.slots, macros: p.macros, macroNames: p.macroNames, depth: p.depth}
		nodes, tm, err := sub.parseBlock()
		if err != nil {
			return nil, err
		}
		if tm != termEOF {
			return nil, p.errAt(sub.termPos, `"#`+termNames[tm]+`"`)
		}
		p.calls = append(p.calls, sub.calls...)
		if len(nodes) == 1 {
			if tn, ok := nodes[0].(*textNode); ok {
				return &litExpr{tn.s}, nil
			}
		}
		return &interpExpr{nodes: nodes}, nil
	case c == '[':
		p.pos++
		p.skipSpace()
		if p.pos < p.lim && p.src[p.pos] == ']' {
			p.pos++
			return &listExpr{}, nil
		}
		first, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if strings.HasPrefix(p.src[p.pos:p.lim], "..") {
			p.pos += 2
			to, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if err := p.expect(']'); err != nil {
				return nil, err
			}
			return &rangeExpr{pos: p.posAt(s), from: first, to: to}, nil
		}
		l := &listExpr{elems: []expr{first}}
		for {
			p.skipSpace()
			if p.pos < p.lim && p.src[p.pos] == ',' {
				p.pos++
				e, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				l.elems = append(l.elems, e)
				continue
			}
			if err := p.expect(']'); err != nil {
				return nil, err
			}
			return l, nil
		}
	case c == '{':
		p.pos++
		p.skipSpace()
		m := &mapExpr{}
		if p.pos < p.lim && p.src[p.pos] == '}' {
			p.pos++
			return m, nil
		}
		for {
			k, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if err := p.expect(':'); err != nil {
				return nil, err
			}
			v, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			m.keys = append(m.keys, k)
			m.vals = append(m.vals, v)
			p.skipSpace()
			if p.pos < p.lim && p.src[p.pos] == ',' {
				p.pos++
				continue
			}
			if err := p.expect('}'); err != nil {
				return nil, err
			}
			return m, nil
		}
	case c == '(':
		p.pos++
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return e, nil
	case isDigit(c) || c == '-' && p.pos+1 < p.lim && isDigit(p.src[p.pos+1]):
		return p.parseNumber()
	case p.matchOp("", "true"):
		return &litExpr{true}, nil
	case p.matchOp("", "false"):
		return &litExpr{false}, nil
	}
	return nil, p.errHere()
}

func (p *parser) parseNumber() (expr, error) {
	s := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	for p.pos < p.lim && isDigit(p.src[p.pos]) {
		p.pos++
	}
	isFloat := false
	if p.pos+1 < p.lim && p.src[p.pos] == '.' && isDigit(p.src[p.pos+1]) {
		isFloat = true
		p.pos++
		for p.pos < p.lim && isDigit(p.src[p.pos]) {
			p.pos++
		}
	}
	if p.pos < p.lim && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		j := p.pos + 1
		if j < p.lim && (p.src[j] == '+' || p.src[j] == '-') {
			j++
		}
		if j < p.lim && isDigit(p.src[j]) {
			isFloat = true
			for j < p.lim && isDigit(p.src[j]) {
				j++
			}
			p.pos = j
		}
	}
	lit := p.src[s:p.pos]
	if isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, p.errAt(s, strconv.Quote(lit))
		}
		return &litExpr{f}, nil
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		b, ok := parseBig(lit)
		if !ok {
			return nil, p.errAt(s, strconv.Quote(lit))
		}
		return &litExpr{b}, nil
	}
	return &litExpr{n}, nil
}
