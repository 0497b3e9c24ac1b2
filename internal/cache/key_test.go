package cache

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// req is a test Request view over parsed request parts.
type req struct {
	method string
	header http.Header
	query  url.Values
	path   map[string]string
}

func (r *req) Method() string            { return r.method }
func (r *req) Header(name string) string { return r.header.Get(name) }
func (r *req) Query(name string) string  { return r.query.Get(name) }
func (r *req) Path(name string) string   { return r.path[name] }

// newReq builds a request view from "METHOD /path?query" with header
// lines "Name: value" and path parameters "name=value".
func newReq(t testing.TB, line string, headers []string, path ...string) *req {
	t.Helper()
	method, target, _ := strings.Cut(line, " ")
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &req{method: method, header: http.Header{}, query: u.Query(), path: map[string]string{}}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.header.Add(k, strings.TrimSpace(v))
	}
	for _, p := range path {
		k, v, _ := strings.Cut(p, "=")
		r.path[k] = v
	}
	return r
}

func mustBuilder(t testing.TB, c KeyConfig) *KeyBuilder {
	t.Helper()
	b, err := NewKeyBuilder(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCacheKey(t *testing.T) {
	t.Parallel()
	typeKey := KeyConfig{Stage: "prod", Namespace: "abc123", Method: "GET", Parameters: []string{"method.request.querystring.type"}}
	for _, tc := range []struct {
		name       string
		a, b       KeyConfig
		ra, rb     *req
		sameResult bool
	}{
		{
			"parameters not listed do not differentiate entries (department)",
			typeKey, typeKey,
			newReq(t, "GET /users?type=admin&department=A", nil), newReq(t, "GET /users?type=admin&department=B", nil),
			true,
		},
		{
			"listed querystring parameter differentiates entries",
			typeKey, typeKey,
			newReq(t, "GET /users?type=admin", nil), newReq(t, "GET /users?type=guest", nil),
			false,
		},
		{
			"headers not listed do not differentiate entries",
			typeKey, typeKey,
			newReq(t, "GET /users?type=a", []string{"X-Trace: 1"}), newReq(t, "GET /users?type=a", []string{"X-Trace: 2"}),
			true,
		},
		{
			"listed header differentiates entries, name case-insensitive",
			KeyConfig{Stage: "prod", Namespace: "r1", Method: "GET", Parameters: []string{"method.request.header.x-tenant"}},
			KeyConfig{Stage: "prod", Namespace: "r1", Method: "GET", Parameters: []string{"method.request.header.X-Tenant"}},
			newReq(t, "GET /", []string{"x-tenant: a"}), newReq(t, "GET /", []string{"X-TENANT: b"}),
			false,
		},
		{
			"listed header with the same value shares, name case-insensitive",
			KeyConfig{Stage: "prod", Namespace: "r1", Method: "GET", Parameters: []string{"method.request.header.x-tenant"}},
			KeyConfig{Stage: "prod", Namespace: "r1", Method: "GET", Parameters: []string{"method.request.header.X-Tenant"}},
			newReq(t, "GET /", []string{"x-tenant: a"}), newReq(t, "GET /", []string{"X-TENANT: a"}),
			true,
		},
		{
			"listed path parameter differentiates entries",
			KeyConfig{Stage: "prod", Namespace: "r2", Method: "GET", Parameters: []string{"method.request.path.id"}},
			KeyConfig{Stage: "prod", Namespace: "r2", Method: "GET", Parameters: []string{"method.request.path.id"}},
			newReq(t, "GET /pets/1", nil, "id=1"), newReq(t, "GET /pets/2", nil, "id=2"),
			false,
		},
		{
			"path parameter not listed does not differentiate entries",
			KeyConfig{Stage: "prod", Namespace: "r2", Method: "GET"},
			KeyConfig{Stage: "prod", Namespace: "r2", Method: "GET"},
			newReq(t, "GET /pets/1", nil, "id=1"), newReq(t, "GET /pets/2", nil, "id=2"),
			true,
		},
		{
			"same cacheNamespace on two resources shares entries",
			KeyConfig{Stage: "prod", Namespace: "shared", Method: "GET", Parameters: []string{"method.request.path.id"}},
			KeyConfig{Stage: "prod", Namespace: "shared", Method: "GET", Parameters: []string{"method.request.path.id"}},
			newReq(t, "GET /pets/7", nil, "id=7"), newReq(t, "GET /animals/7", nil, "id=7"),
			true,
		},
		{
			"default namespace (resource id) keeps resources apart",
			KeyConfig{Stage: "prod", Namespace: "res111", Method: "GET"},
			KeyConfig{Stage: "prod", Namespace: "res222", Method: "GET"},
			newReq(t, "GET /a", nil), newReq(t, "GET /b", nil),
			false,
		},
		{
			"stages do not share entries",
			KeyConfig{Stage: "prod", Namespace: "r", Method: "GET"},
			KeyConfig{Stage: "dev", Namespace: "r", Method: "GET"},
			newReq(t, "GET /a", nil), newReq(t, "GET /a", nil),
			false,
		},
		{
			"ANY method: the request method is part of the key",
			KeyConfig{Stage: "prod", Namespace: "r", Method: "ANY"},
			KeyConfig{Stage: "prod", Namespace: "r", Method: "ANY"},
			newReq(t, "GET /a", nil), newReq(t, "POST /a", nil),
			false,
		},
		{
			"ANY method: same request method shares",
			KeyConfig{Stage: "prod", Namespace: "r", Method: "ANY"},
			KeyConfig{Stage: "prod", Namespace: "r", Method: "ANY"},
			newReq(t, "GET /a?x=1", nil), newReq(t, "GET /a?x=2", nil),
			true,
		},
		{
			"parameter order and duplicates do not matter",
			KeyConfig{Stage: "prod", Namespace: "r", Method: "GET", Parameters: []string{"method.request.querystring.a", "method.request.header.b"}},
			KeyConfig{Stage: "prod", Namespace: "r", Method: "GET", Parameters: []string{"method.request.header.b", "method.request.querystring.a", "method.request.querystring.a"}},
			newReq(t, "GET /?a=1", []string{"b: 2"}), newReq(t, "GET /?a=1", []string{"b: 2"}),
			true,
		},
		{
			"same value from a different source does not collide",
			KeyConfig{Stage: "prod", Namespace: "r", Method: "GET", Parameters: []string{"method.request.querystring.id"}},
			KeyConfig{Stage: "prod", Namespace: "r", Method: "GET", Parameters: []string{"method.request.path.id"}},
			newReq(t, "GET /?id=1", nil, "id=1"), newReq(t, "GET /?id=1", nil, "id=1"),
			false,
		},
		{
			"values cannot be shifted across fields",
			KeyConfig{Stage: "pro", Namespace: "dr", Method: "GET"},
			KeyConfig{Stage: "prod", Namespace: "r", Method: "GET"},
			newReq(t, "GET /", nil), newReq(t, "GET /", nil),
			false,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ka := mustBuilder(t, tc.a).Build(tc.ra)
			kb := mustBuilder(t, tc.b).Build(tc.rb)
			if (ka == kb) != tc.sameResult {
				t.Fatalf("keys %q and %q: equal = %v, want %v", ka, kb, ka == kb, tc.sameResult)
			}
		})
	}
}

// Unlisted parameters share one entry end to end: the second request is
// a hit on the first one's response.
func TestUnlistedParamsShareEntry(t *testing.T) {
	t.Parallel()
	b := mustBuilder(t, KeyConfig{Stage: "prod", Namespace: "users", Method: "GET", Parameters: []string{"method.request.querystring.type"}})
	m := NewMemory(1 << 20)
	m.Put(b.Build(newReq(t, "GET /users?type=admin&department=A", nil)), entry("A"), time.Minute)
	e, ok := m.Get(b.Build(newReq(t, "GET /users?type=admin&department=B", nil)), time.Now())
	if !ok || string(e.Body) != "A" {
		t.Fatalf("department=B did not hit department=A's entry: %v %v", e, ok)
	}
	if _, ok := m.Get(b.Build(newReq(t, "GET /users?type=guest&department=A", nil)), time.Now()); ok {
		t.Fatal("type=guest hit type=admin's entry")
	}
}

func TestParseParam(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Param
		ok   bool
	}{
		{"method.request.querystring.type", Param{FromQuery, "type"}, true},
		{"method.request.header.x-api-tenant", Param{FromHeader, "X-Api-Tenant"}, true},
		{"method.request.path.id", Param{FromPath, "id"}, true},
		{"method.request.querystring.a.b", Param{FromQuery, "a.b"}, true},
		{"method.request.body.id", Param{}, false},
		{"method.request.multivaluequerystring.type", Param{}, false},
		{"integration.request.querystring.type", Param{}, false},
		{"method.request.path.", Param{}, false},
		{"method.request.path", Param{}, false},
		{"", Param{}, false},
	} {
		t.Run("cacheKeyParameters entry "+tc.in, func(t *testing.T) {
			got, err := ParseParam(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseParam(%q) = %+v, %v; want %+v ok=%v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
	if _, err := NewKeyBuilder(KeyConfig{Parameters: []string{"method.request.body"}}); err == nil {
		t.Fatal("NewKeyBuilder accepted a bad parameter")
	}
}

func TestKeyAllocations(t *testing.T) {
	b := mustBuilder(t, KeyConfig{Stage: "prod", Namespace: "abc123", Method: "ANY", Parameters: []string{
		"method.request.querystring.type", "method.request.header.X-Tenant", "method.request.path.id"}})
	r := newReq(t, "GET /pets/42?type=admin", []string{"X-Tenant: acme"}, "id=42")
	if n := testing.AllocsPerRun(1000, func() { _ = b.Build(r) }); n > 1 {
		t.Fatalf("Build allocates %v times, want at most 1 (the key string)", n)
	}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(1000, func() { buf = b.Append(buf[:0], r) }); n != 0 {
		t.Fatalf("Append allocates %v times, want 0", n)
	}
	long := newReq(t, "GET /?type="+strings.Repeat("x", 1000), nil)
	if k := b.Build(long); !strings.Contains(k.String(), strings.Repeat("x", 1000)) {
		t.Fatal("long value lost")
	}
}

func BenchmarkKey(b *testing.B) {
	kb := mustBuilder(b, KeyConfig{Stage: "prod", Namespace: "abc123", Method: "GET", Parameters: []string{
		"method.request.querystring.type", "method.request.header.X-Tenant", "method.request.path.id"}})
	r := newReq(b, "GET /pets/42?type=admin&department=A", []string{"X-Tenant: acme"}, "id=42")
	b.ReportAllocs()
	for b.Loop() {
		_ = kb.Build(r)
	}
}

func FuzzParseParam(f *testing.F) {
	for _, s := range []string{"method.request.querystring.type", "method.request.header.x", "method.request.path.id", "method.request.", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseParam(s)
		if err != nil {
			return
		}
		if p.Name == "" || p.Source < FromQuery || p.Source > FromPath {
			t.Fatalf("ParseParam(%q) = %+v", s, p)
		}
	})
}

// FuzzKey checks the key encoding is injective: two requests share a
// key exactly when every keyed value is equal.
func FuzzKey(f *testing.F) {
	f.Add("prod", "abc", "GET", "admin", "acme", "1", "GET", "admin", "acme", "1")
	f.Add("prod", "abc", "ANY", "a", "", "", "POST", "a", "", "")
	f.Add("p", "", "ANY", "\x01", "\x02", "", "GET", "", "\x01\x02", "")
	f.Fuzz(func(t *testing.T, stage, ns, method, q1, h1, p1, m2, q2, h2, p2 string) {
		kb, err := NewKeyBuilder(KeyConfig{Stage: stage, Namespace: ns, Method: method, Parameters: []string{
			"method.request.querystring.q", "method.request.header.h", "method.request.path.p"}})
		if err != nil {
			t.Fatal(err)
		}
		r1 := &req{method: "GET", header: http.Header{"H": {h1}}, query: url.Values{"q": {q1}}, path: map[string]string{"p": p1}}
		r2 := &req{method: m2, header: http.Header{"H": {h2}}, query: url.Values{"q": {q2}}, path: map[string]string{"p": p2}}
		same := q1 == q2 && h1 == h2 && p1 == p2 && (method != "ANY" || m2 == "GET")
		if k1, k2 := kb.Build(r1), kb.Build(r2); (k1 == k2) != same {
			t.Fatalf("keys %q %q equal=%v, want %v", k1, k2, k1 == k2, same)
		}
	})
}
