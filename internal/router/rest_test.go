package router

import (
	"errors"
	"maps"
	"testing"
)

type restRoute struct {
	path    string
	methods []string
}

func buildREST(t testing.TB, routes []restRoute) *RESTTable[string] {
	t.Helper()
	b := NewRESTBuilder[string]()
	for _, r := range routes {
		if err := b.Add(r.path, r.methods, r.path); err != nil {
			t.Fatalf("Add(%q): %v", r.path, err)
		}
	}
	return b.Build()
}

// petsREST has no root greedy resource, so unmatched paths are NotFound.
var petsREST = []restRoute{
	{"/", []string{"GET"}},
	{"/pets", []string{"GET", "POST"}},
	{"/pets/{petId}", []string{"GET", "ANY"}},
	{"/pets/mine", []string{"GET"}},
	{"/pets/{petId}/toys", []string{"GET"}},
	{"/files/{proxy+}", []string{"ANY"}},
	{"/files/special", []string{"GET"}},
	{"/Case", []string{"GET"}},
	{"/a/b/c", []string{"GET"}},
	{"/a/{x}/d", []string{"GET"}},
}

// proxyREST adds a root greedy resource next to literal ones.
var proxyREST = []restRoute{
	{"/{proxy+}", []string{"GET"}},
	{"/pets", []string{"GET"}},
	{"/pets/{petId}", []string{"GET"}},
	{"/Case", []string{"GET"}},
}

func TestRESTMatch(t *testing.T) {
	t.Parallel()
	pets, proxy := buildREST(t, petsREST), buildREST(t, proxyREST)
	for _, tc := range []struct {
		name         string
		tbl          *RESTTable[string]
		method, path string
		status       Status
		template     string // resource path
		via          string // Match.Method
		params       map[string]string
	}{
		{"root / matches the root resource", pets, "GET", "/", Found, "/", "GET", nil},
		{"empty path is the root", pets, "GET", "", Found, "/", "GET", nil},
		{"static beats param", pets, "GET", "/pets/mine", Found, "/pets/mine", "GET", nil},
		{"param matches one segment", pets, "GET", "/pets/42", Found, "/pets/{petId}", "GET", map[string]string{"petId": "42"}},
		{"static dead end backtracks to param", pets, "GET", "/pets/mine/toys", Found, "/pets/{petId}/toys", "GET", map[string]string{"petId": "mine"}},
		{"static dead end backtracks deeper", pets, "GET", "/a/b/d", Found, "/a/{x}/d", "GET", map[string]string{"x": "b"}},
		{"static branch wins when it reaches the end", pets, "GET", "/a/b/c", Found, "/a/b/c", "GET", nil},
		{"param beats greedy", proxy, "GET", "/pets/7", Found, "/pets/{petId}", "GET", map[string]string{"petId": "7"}},
		{"greedy takes what literals and params cannot", proxy, "GET", "/pets/7/x", Found, "/{proxy+}", "GET", map[string]string{"proxy": "pets/7/x"}},
		{"greedy spans segments", pets, "PUT", "/files/a/b/c", Found, "/files/{proxy+}", "ANY", map[string]string{"proxy": "a/b/c"}},
		{"static beats greedy", pets, "GET", "/files/special", Found, "/files/special", "GET", nil},
		{"resource is chosen before method: static sibling of greedy does not fall back", pets, "POST", "/files/special", NoMethod, "/files/special", "", nil},
		{"proxy+ does not match its parent", pets, "GET", "/files", NoMethod, "/files", "", nil},
		{"proxy+ at root does not match /", proxy, "GET", "/", NoMethod, "/", "", nil},
		{"ANY is the fallback for an absent method", pets, "POST", "/pets/42", Found, "/pets/{petId}", "ANY", map[string]string{"petId": "42"}},
		{"explicit method beats ANY", pets, "GET", "/pets/42", Found, "/pets/{petId}", "GET", map[string]string{"petId": "42"}},
		{"unknown request method uses ANY", pets, "PROPFIND", "/files/x", Found, "/files/{proxy+}", "ANY", map[string]string{"proxy": "x"}},
		{"request method ANY is not special", pets, "ANY", "/pets", NoMethod, "/pets", "", nil},
		{"resource matched but method not allowed", pets, "DELETE", "/pets", NoMethod, "/pets", "", nil},
		{"resource is chosen by path before method", proxy, "POST", "/pets", NoMethod, "/pets", "", nil},
		{"no resource matched", pets, "GET", "/nope", NotFound, "", "", nil},
		{"no resource matched deeper", pets, "GET", "/pets/1/toys/2", NotFound, "", "", nil},
		{"trailing slash is ignored", pets, "GET", "/pets/", Found, "/pets", "GET", nil},
		{"empty segments are ignored", pets, "GET", "//pets//42//", Found, "/pets/{petId}", "GET", map[string]string{"petId": "42"}},
		{"greedy value keeps inner empty segments, drops trailing slash", pets, "GET", "/files/a//b/", Found, "/files/{proxy+}", "ANY", map[string]string{"proxy": "a//b"}},
		{"percent-encoded param is decoded", pets, "GET", "/pets/a%20b", Found, "/pets/{petId}", "GET", map[string]string{"petId": "a b"}},
		{"percent-encoded slash stays in its segment", pets, "GET", "/pets/mine%2Ftoys", Found, "/pets/{petId}", "GET", map[string]string{"petId": "mine/toys"}},
		{"percent-encoded literal matches the literal", pets, "GET", "/pet%73/min%65", Found, "/pets/mine", "GET", nil},
		{"plus is not a space in paths", pets, "GET", "/pets/a+b", Found, "/pets/{petId}", "GET", map[string]string{"petId": "a+b"}},
		{"invalid escapes are kept", pets, "GET", "/pets/%zz%4", Found, "/pets/{petId}", "GET", map[string]string{"petId": "%zz%4"}},
		{"greedy value is decoded", pets, "GET", "/files/a%20b/c%2Fd", Found, "/files/{proxy+}", "ANY", map[string]string{"proxy": "a b/c/d"}},
		{"paths are case-sensitive", pets, "GET", "/case", NotFound, "", "", nil},
		{"paths are case-sensitive, exact case matches", pets, "GET", "/Case", Found, "/Case", "GET", nil},
		{"paths are case-sensitive, greedy takes other case", proxy, "GET", "/case", Found, "/{proxy+}", "GET", map[string]string{"proxy": "case"}},
		{"methods are case-sensitive", pets, "get", "/pets", NoMethod, "/pets", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ps Params
			m, st := tc.tbl.Match(tc.method, tc.path, &ps)
			if st != tc.status || m.Template != tc.template || m.Method != tc.via {
				t.Fatalf("Match(%s %q) = %v %q via %q, want %v %q via %q", tc.method, tc.path, st, m.Template, m.Method, tc.status, tc.template, tc.via)
			}
			if st == Found && m.Value != tc.template {
				t.Errorf("value %q, want %q", m.Value, tc.template)
			}
			if got := ps.Map(); !maps.Equal(got, tc.params) {
				t.Errorf("params %v, want %v", got, tc.params)
			}
		})
	}
}

func TestRESTAddRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		before  []string
		path    string
		methods []string
		want    string
	}{
		{"greedy resource cannot have children", nil, "/files/{proxy+}/x", nil,
			"Cannot create a child of a resource with a greedy path variable: {proxy+}"},
		{"only one variable sibling: param then param", []string{"/pets/{petId}"}, "/pets/{id}", nil,
			"A sibling ({petId}) of this resource already has a variable path part -- only one is allowed"},
		{"only one variable sibling: greedy then param", []string{"/files/{proxy+}"}, "/files/{id}", nil,
			"A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed"},
		{"only one variable sibling: param then greedy", []string{"/files/{id}"}, "/files/{proxy+}", nil,
			"A sibling ({id}) of this resource already has a variable path part -- only one is allowed"},
		{"path must start with slash", nil, "pets", nil, `router: add resource: path "pets" must start with /`},
		{"no empty path parts", nil, "/pets/", nil, `router: add resource: path "/pets/": empty path part`},
		{"no empty variable", nil, "/{}", nil, `router: add resource: path "/{}": invalid path variable "{}"`},
		{"no braces inside literals", nil, "/a{b}", nil, `router: add resource: path "/a{b}": invalid path part "a{b}"`},
		{"no duplicate variables", nil, "/{a}/{a}", nil, `router: add resource: path "/{a}/{a}": duplicate path variable {a}`},
		{"known methods only", nil, "/pets", []string{"FETCH"}, `router: add resource /pets: invalid method "FETCH"`},
		{"one integration per method", []string{"/pets"}, "/pets", []string{"GET"}, "router: add resource /pets: method GET already added"},
		{"one integration per method within a call", nil, "/toys", []string{"POST", "POST"}, "router: add resource /toys: method POST already added"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := NewRESTBuilder[int]()
			for _, p := range tc.before {
				if err := b.Add(p, []string{"GET"}, 1); err != nil {
					t.Fatal(err)
				}
			}
			err := b.Add(tc.path, tc.methods, 2)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Add(%q) = %v, want %q", tc.path, err, tc.want)
			}
		})
	}
}

func TestRESTSameVariableSharesNode(t *testing.T) {
	t.Parallel()
	b := NewRESTBuilder[int]()
	for i, p := range []string{"/pets/{petId}", "/pets/{petId}/toys", "/files/{proxy+}", "/files/{proxy+}", "/files/x"} {
		if err := b.Add(p, nil, i); err != nil {
			t.Fatalf("Add(%q): %v", p, err)
		}
	}
	if err := b.Add("/files/{proxy+}", []string{"GET"}, 9); err != nil {
		t.Fatal(err)
	}
	tbl := b.Build()
	if err := b.Add("/x", nil, 0); !errors.Is(err, ErrBuilt) {
		t.Fatalf("Add after Build = %v, want ErrBuilt", err)
	}
	m, st := tbl.Match("GET", "/files/q", nil)
	if st != Found || m.Value != 9 {
		t.Fatalf("got %v %v", m, st)
	}
}

func TestRESTNilAndEmpty(t *testing.T) {
	t.Parallel()
	var nilTable *RESTTable[int]
	if _, st := nilTable.Match("GET", "/", nil); st != NotFound {
		t.Fatalf("nil table: %v", st)
	}
	empty := NewRESTBuilder[int]().Build()
	if m, st := empty.Match("GET", "/", nil); st != NoMethod || m.Template != "/" {
		t.Fatalf("empty table root: %v %v", m, st)
	}
	if _, st := empty.Match("GET", "/x", nil); st != NotFound {
		t.Fatalf("empty table /x: %v", st)
	}
	for st, want := range map[Status]string{NotFound: "NotFound", NoMethod: "NoMethod", Found: "Found"} {
		if st.String() != want {
			t.Errorf("%d.String() = %q", st, st.String())
		}
	}
}

// A wide tree exercises the map form of literal children.
func TestRESTWideFanout(t *testing.T) {
	t.Parallel()
	tbl, paths := benchREST(t, 500)
	for i, p := range paths {
		var ps Params
		if _, st := tbl.Match("GET", p, &ps); st != Found {
			t.Fatalf("path %d %q: %v", i, p, st)
		}
	}
}

// A failed Add leaves no method behind.
func TestRESTFailedAddIsAtomic(t *testing.T) {
	t.Parallel()
	b := NewRESTBuilder[int]()
	if err := b.Add("/toys", []string{"POST", "GET", "POST"}, 1); err == nil {
		t.Fatal("duplicate methods accepted")
	}
	if _, st := b.Build().Match("POST", "/toys", nil); st != NoMethod {
		t.Fatalf("POST /toys after failed Add: %v, want NoMethod", st)
	}
}

// Template literals are decoded text: a literal '%' is matched by "%25".
func TestRESTLiteralIsDecodedText(t *testing.T) {
	t.Parallel()
	tbl := buildREST(t, []restRoute{{"/100%", []string{"GET"}}})
	for path, want := range map[string]Status{"/100%25": Found, "/100%": Found, "/100%2": NotFound} {
		if _, st := tbl.Match("GET", path, nil); st != want {
			t.Errorf("Match(%q) = %v, want %v", path, st, want)
		}
	}
}
