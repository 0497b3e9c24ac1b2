package router

import (
	"fmt"
	"strings"
	"testing"
)

// concrete turns a template into a request path that can only be served
// by that template: variables get values with braces, which no literal
// may contain, and '%' in literals is escaped.
func concrete(segs []tmplSeg) (path string, want map[string]string) {
	if len(segs) == 0 {
		return "/", nil
	}
	var b strings.Builder
	want = map[string]string{}
	for i, s := range segs {
		b.WriteByte('/')
		switch s.kind {
		case segStatic:
			b.WriteString(strings.ReplaceAll(s.text, "%", "%25"))
		case segParam:
			fmt.Fprintf(&b, "%%7Bv%d%%7D", i)
			want[s.text] = fmt.Sprintf("{v%d}", i)
		case segGreedy:
			b.WriteString("%7Bg%7D/%7Bh%7D")
			want[s.text] = "{g}/{h}"
		}
	}
	if len(want) == 0 {
		want = nil
	}
	return b.String(), want
}

func fuzzLines(s string) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > 32 {
		lines = lines[:32]
	}
	return lines
}

// FuzzREST builds a REST table from one resource path per line, then
// checks that arbitrary requests never panic and that every accepted
// resource is found by its own concrete path with the right parameters.
func FuzzREST(f *testing.F) {
	f.Add("/pets\n/pets/{petId}\n/pets/mine\n/files/{proxy+}", "GET", "/pets/mine/x")
	f.Add("/\n/{proxy+}\n/a/{b}/c", "POST", "//a/%2F/c/")
	f.Add("/a%20b\n/{x}/{y}/{z}", "ANY", "/a%20b")
	f.Fuzz(func(t *testing.T, routes, method, path string) {
		b := NewRESTBuilder[int]()
		var added []string
		for i, r := range fuzzLines(routes) {
			if b.Add(r, []string{"GET"}, i) == nil {
				added = append(added, r)
			}
		}
		tbl := b.Build()
		var ps Params
		if m, st := tbl.Match(method, path, &ps); st != NotFound {
			_, names, err := parseTemplate(m.Template)
			if err != nil || len(names) != ps.Len() {
				t.Fatalf("Match(%q) = %q with %d params: %v", path, m.Template, ps.Len(), err)
			}
		} else if ps.Len() != 0 {
			t.Fatalf("NotFound with %d params", ps.Len())
		}
		for _, r := range added {
			segs, _, _ := parseTemplate(r)
			p, want := concrete(segs)
			m, st := tbl.Match("GET", p, &ps)
			if st != Found || m.Template != r || !equalParams(&ps, want) {
				t.Fatalf("resource %q: Match(%q) = %v %q %v", r, p, st, m.Template, ps.Map())
			}
		}
	})
}

// FuzzHTTP does the same for HTTP API route keys, one per line.
func FuzzHTTP(f *testing.F) {
	f.Add("GET /pets/dog/1\nGET /pets/dog/{id}\nGET /pets/{proxy+}\nANY /{proxy+}\n$default", "GET", "/pets/cat/1")
	f.Add("GET /\nANY /a/{b}\nPOST /a/{c}/{proxy+}", "POST", "/a/x/y")
	f.Add("GET /{x}/b\nGET /a/{proxy+}", "DELETE", "/a/b/")
	f.Fuzz(func(t *testing.T, routes, method, path string) {
		b := NewHTTPBuilder[int]()
		var added []string
		for i, r := range fuzzLines(routes) {
			if b.Add(r, i) == nil {
				added = append(added, r)
			}
		}
		tbl := b.Build()
		var ps Params
		if m, ok := tbl.Match(method, path, &ps); ok && m.Template != DefaultRoute {
			_, p, _ := strings.Cut(m.Template, " ")
			_, names, err := parseTemplate(p)
			if err != nil || len(names) != ps.Len() {
				t.Fatalf("Match(%q) = %q with %d params: %v", path, m.Template, ps.Len(), err)
			}
		} else if ps.Len() != 0 {
			t.Fatalf("no route but %d params", ps.Len())
		}
		for _, r := range added {
			if r == DefaultRoute {
				continue
			}
			meth, p, _ := strings.Cut(r, " ")
			if meth == "ANY" {
				meth = "PROPFIND" // only ANY routes serve it
			}
			segs, _, _ := parseTemplate(p)
			cp, want := concrete(segs)
			m, ok := tbl.Match(meth, cp, &ps)
			greedy := len(segs) > 0 && segs[len(segs)-1].kind == segGreedy
			switch {
			case !ok || m.Template == DefaultRoute:
				t.Fatalf("route %q: Match(%s %q) found %q", r, meth, cp, m.Template)
			case !greedy && (m.Template != r || !equalParams(&ps, want)):
				t.Fatalf("route %q: Match(%s %q) = %q %v", r, meth, cp, m.Template, ps.Map())
			}
		}
	})
}

func equalParams(ps *Params, want map[string]string) bool {
	if ps.Len() != len(want) {
		return false
	}
	for k, v := range want {
		if got, ok := ps.Get(k); !ok || got != v {
			return false
		}
	}
	return true
}
