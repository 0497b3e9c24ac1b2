package router

import (
	"errors"
	"maps"
	"testing"
)

func buildHTTP(t testing.TB, keys ...string) *HTTPTable[string] {
	t.Helper()
	b := NewHTTPBuilder[string]()
	for _, k := range keys {
		if err := b.Add(k, k); err != nil {
			t.Fatalf("Add(%q): %v", k, err)
		}
	}
	return b.Build()
}

func TestHTTPMatch(t *testing.T) {
	t.Parallel()
	// The example of integrations-v2.md §7.3.
	doc := buildHTTP(t, "GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default")
	more := buildHTTP(t,
		"GET /", "GET /items", "ANY /items", "POST /pets/dog", "GET /pets/{name}",
		"GET /a/{proxy+}", "GET /{x}/b", "GET /deep/{proxy+}", "GET /deep/{id}/{proxy+}",
		"GET /users/{id}", "DELETE /users/{userId}", "GET /Case", "$default")
	bare := buildHTTP(t, "GET /pets", "GET /files/{proxy+}")
	for _, tc := range []struct {
		name         string
		tbl          *HTTPTable[string]
		method, path string
		route        string // "" means no match
		via          string
		params       map[string]string
	}{
		{"doc: full match", doc, "GET", "/pets/dog/1", "GET /pets/dog/1", "GET", nil},
		{"doc: literal beats variable, variable next", doc, "GET", "/pets/dog/2", "GET /pets/dog/{id}", "GET", map[string]string{"id": "2"}},
		{"doc: greedy when no full match", doc, "GET", "/pets/cat/1", "GET /pets/{proxy+}", "GET", map[string]string{"proxy": "cat/1"}},
		{"doc: ANY greedy catches other methods", doc, "POST", "/test/5", "ANY /{proxy+}", "ANY", map[string]string{"proxy": "test/5"}},
		{"greedy: longest literal prefix first", doc, "GET", "/pets/dog/1/x", "GET /pets/{proxy+}", "GET", map[string]string{"proxy": "dog/1/x"}},
		{"greedy: method must match, else a shorter prefix", doc, "DELETE", "/pets/dog/1", "ANY /{proxy+}", "ANY", map[string]string{"proxy": "pets/dog/1"}},
		{"$default last", doc, "GET", "/", "$default", "", nil},
		{"$default catches other methods on routed paths", more, "PUT", "/pets/dog", "$default", "", nil},
		{"root route", more, "GET", "/", "GET /", "GET", nil},
		{"method beats ANY", more, "GET", "/items", "GET /items", "GET", nil},
		{"ANY for other methods", more, "PATCH", "/items", "ANY /items", "ANY", nil},
		{"missing method falls back to a less specific route", more, "GET", "/pets/dog", "GET /pets/{name}", "GET", map[string]string{"name": "dog"}},
		{"full match beats greedy even with variables", more, "GET", "/a/b", "GET /{x}/b", "GET", map[string]string{"x": "a"}},
		{"greedy when the full match fails", more, "GET", "/a/c", "GET /a/{proxy+}", "GET", map[string]string{"proxy": "c"}},
		{"deeper greedy beats shallower greedy", more, "GET", "/deep/1/2/3", "GET /deep/{id}/{proxy+}", "GET", map[string]string{"id": "1", "proxy": "2/3"}},
		{"shallower greedy when deeper cannot apply", more, "GET", "/deep/1", "GET /deep/{proxy+}", "GET", map[string]string{"proxy": "1"}},
		{"variable names belong to each route", more, "GET", "/users/7", "GET /users/{id}", "GET", map[string]string{"id": "7"}},
		{"variable names belong to each route (other method)", more, "DELETE", "/users/7", "DELETE /users/{userId}", "DELETE", map[string]string{"userId": "7"}},
		{"trailing slash is ignored", more, "GET", "/items/", "GET /items", "GET", nil},
		{"percent-encoded segments are decoded", more, "GET", "/users/a%2Fb%20c", "GET /users/{id}", "GET", map[string]string{"id": "a/b c"}},
		{"percent-encoded literal matches", more, "GET", "/it%65ms", "GET /items", "GET", nil},
		{"paths are case-sensitive", more, "GET", "/case", "$default", "", nil},
		{"paths are case-sensitive, exact case", more, "GET", "/Case", "GET /Case", "GET", nil},
		{"no route and no $default is not found", bare, "GET", "/nope", "", "", nil},
		{"wrong method without ANY is not found", bare, "POST", "/pets", "", "", nil},
		{"greedy does not match its parent", bare, "GET", "/files", "", "", nil},
		{"greedy spans segments", bare, "GET", "/files/a/b/c", "GET /files/{proxy+}", "GET", map[string]string{"proxy": "a/b/c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ps Params
			m, ok := tc.tbl.Match(tc.method, tc.path, &ps)
			if ok != (tc.route != "") || m.Template != tc.route || m.Method != tc.via {
				t.Fatalf("Match(%s %q) = %q via %q ok=%v, want %q via %q", tc.method, tc.path, m.Template, m.Method, ok, tc.route, tc.via)
			}
			if ok && m.Value != tc.route {
				t.Errorf("value %q, want %q", m.Value, tc.route)
			}
			if got := ps.Map(); !maps.Equal(got, tc.params) {
				t.Errorf("params %v, want %v", got, tc.params)
			}
		})
	}
}

func TestHTTPAddRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, want string
		before          []string
	}{
		{"route key needs a method", "/pets", `router: invalid route key "/pets": want $default or "{METHOD} {path}"`, nil},
		{"route key method is upper case", "get /pets", `router: invalid route key "get /pets": want $default or "{METHOD} {path}"`, nil},
		{"route key path starts with slash", "GET pets", `router: invalid route key "GET pets": path "pets" must start with /`, nil},
		{"greedy only last", "GET /{proxy+}/x", `router: invalid route key "GET /{proxy+}/x": greedy path variable must be the last path part`, nil},
		{"reserved keys are not HTTP routes", "$connect", `router: invalid route key "$connect": want $default or "{METHOD} {path}"`, nil},
		{"one $default", "$default", "router: route $default already added", []string{"$default"}},
		{"same path shape and method conflict", "GET /pets/{name}", `router: route key "GET /pets/{name}" conflicts with "GET /pets/{id}"`, []string{"GET /pets/{id}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := NewHTTPBuilder[int]()
			for _, k := range tc.before {
				if err := b.Add(k, 1); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Add(tc.key, 2); err == nil || err.Error() != tc.want {
				t.Fatalf("Add(%q) = %v, want %q", tc.key, err, tc.want)
			}
		})
	}
	b := NewHTTPBuilder[int]()
	b.Build()
	if err := b.Add("GET /", 1); !errors.Is(err, ErrBuilt) {
		t.Fatalf("Add after Build = %v", err)
	}
}

func TestHTTPRoute(t *testing.T) {
	t.Parallel()
	tbl := buildHTTP(t, "GET /pets/{id}", "ANY /{proxy+}", "GET /pets", "$default")
	for _, k := range []string{"GET /pets/{id}", "ANY /{proxy+}", "GET /pets", "$default"} {
		if v, ok := tbl.Route(k); !ok || v != k {
			t.Errorf("Route(%q) = %q, %v", k, v, ok)
		}
	}
	for _, k := range []string{"GET /pets/{name}", "POST /pets", "GET /nope", "bad", "GET /{proxy+}"} {
		if v, ok := tbl.Route(k); ok {
			t.Errorf("Route(%q) = %q, want none", k, v)
		}
	}
	var nilTable *HTTPTable[int]
	if _, ok := nilTable.Match("GET", "/", nil); ok {
		t.Error("nil table matched")
	}
}

func TestKeysSelect(t *testing.T) {
	t.Parallel()
	k, err := NewKeys(map[string]string{"$connect": "c", "$disconnect": "d", "$default": "def", "join": "j", "chat/join": "cj"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, key, want, route string }{
		{"exact route key", "join", "j", "join"},
		{"exact route key with slash", "chat/join", "cj", "chat/join"},
		{"no match selects $default", "leave", "def", "$default"},
		{"empty result selects $default", "", "def", "$default"},
		{"route keys are exact (case)", "JOIN", "def", "$default"},
		{"messages never select $connect", "$connect", "def", "$default"},
		{"$default by name", "$default", "def", "$default"},
	} {
		if v, r, ok := k.Select(tc.key); !ok || v != tc.want || r != tc.route {
			t.Errorf("%s: Select(%q) = %q %q %v", tc.name, tc.key, v, r, ok)
		}
	}
	if v, ok := k.Route("$connect"); !ok || v != "c" {
		t.Errorf("Route($connect) = %q %v", v, ok)
	}
	if v, ok := k.Route("$default"); !ok || v != "def" {
		t.Errorf("Route($default) = %q %v", v, ok)
	}
	noDef, _ := NewKeys(map[string]int{"a": 1})
	if _, _, ok := noDef.Select("b"); ok {
		t.Error("no $default: selected something")
	}
	for _, bad := range []string{"$custom", ""} {
		if _, err := NewKeys(map[string]int{bad: 1}); err == nil {
			t.Errorf("NewKeys(%q) accepted", bad)
		}
	}
}
