package pipeline

import (
	"fmt"
	"net/url"
	"strings"
)

// uriTemplate is an integration uri compiled once: literal text,
// {name} placeholders filled from integration.request.path.name, and
// ${stageVariables.name} references (integrations-v1.md §3.1).
type uriTemplate struct {
	parts []uriPart
}

type uriPart struct {
	kind  byte // 'l' literal, 'p' path placeholder, 's' stage variable
	text  string
	query bool // the part lies in the query string
}

func compileURI(raw string) (*uriTemplate, error) {
	t := &uriTemplate{}
	inQuery := false
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, uriPart{kind: 'l', text: lit.String(), query: inQuery})
			lit.Reset()
		}
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case strings.HasPrefix(raw[i:], "${stageVariables."):
			end := strings.IndexByte(raw[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated stage variable in %q", raw)
			}
			flush()
			t.parts = append(t.parts, uriPart{kind: 's', text: raw[i+len("${stageVariables.") : i+end], query: inQuery})
			i += end + 1
		case c == '{':
			end := strings.IndexByte(raw[i:], '}')
			if end < 0 {
				lit.WriteByte(c)
				i++
				continue
			}
			flush()
			name := strings.TrimSuffix(raw[i+1:i+end], "+")
			t.parts = append(t.parts, uriPart{kind: 'p', text: name, query: inQuery})
			i += end + 1
		default:
			if c == '?' {
				inQuery = true
			}
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return t, nil
}

// placeholders lists the {name} placeholders.
func (t *uriTemplate) placeholders() []string {
	var out []string
	for _, p := range t.parts {
		if p.kind == 'p' {
			out = append(out, p.text)
		}
	}
	return out
}

// render fills the template. path gives placeholder values (decoded; they
// are escaped here, keeping '/' of greedy values); vars gives stage
// variables (inserted as written: they may hold a whole host).
func (t *uriTemplate) render(b *strings.Builder, path func(string) string, vars map[string]string) {
	for _, p := range t.parts {
		switch p.kind {
		case 'l':
			b.WriteString(p.text)
		case 's':
			b.WriteString(vars[p.text])
		case 'p':
			v := path(p.text)
			if p.query {
				b.WriteString(url.QueryEscape(v))
				continue
			}
			for i, seg := range strings.Split(v, "/") {
				if i > 0 {
					b.WriteByte('/')
				}
				b.WriteString(url.PathEscape(seg))
			}
		}
	}
}
