package router

import (
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"
)

// benchREST builds a REST table from n Add calls shaped like real APIs
// (collections, items, sub-collections, a greedy resource) and returns
// request paths that hit the deepest resources.
func benchREST(tb testing.TB, n int) (*RESTTable[int], []string) {
	tb.Helper()
	b := NewRESTBuilder[int]()
	for i := range n {
		svc := i / 4
		var p string
		switch i % 4 {
		case 0:
			p = fmt.Sprintf("/svc%d", svc)
		case 1:
			p = fmt.Sprintf("/svc%d/items", svc)
		case 2:
			p = fmt.Sprintf("/svc%d/items/{id}", svc)
		case 3:
			p = fmt.Sprintf("/svc%d/items/{id}/tags/{tag}", svc)
		}
		if err := b.Add(p, []string{"GET", "POST"}, i); err != nil {
			tb.Fatal(err)
		}
	}
	if err := b.Add("/static/{proxy+}", []string{"ANY"}, -1); err != nil {
		tb.Fatal(err)
	}
	var paths []string
	for i := 0; i < 64; i++ {
		svc := (i * 7919) % max(n/4, 1)
		paths = append(paths, fmt.Sprintf("/svc%d/items/%d/tags/t%d", svc, i, i))
	}
	return b.Build(), paths
}

// benchHTTP does the same for HTTP API route keys.
func benchHTTP(tb testing.TB, n int) (*HTTPTable[int], []string) {
	tb.Helper()
	b := NewHTTPBuilder[int]()
	for i := range n {
		svc := i / 4
		var k string
		switch i % 4 {
		case 0:
			k = fmt.Sprintf("GET /svc%d", svc)
		case 1:
			k = fmt.Sprintf("ANY /svc%d/items", svc)
		case 2:
			k = fmt.Sprintf("GET /svc%d/items/{id}", svc)
		case 3:
			k = fmt.Sprintf("GET /svc%d/items/{id}/tags/{tag}", svc)
		}
		if err := b.Add(k, i); err != nil {
			tb.Fatal(err)
		}
	}
	for _, k := range []string{"ANY /{proxy+}", "$default"} {
		if err := b.Add(k, -1); err != nil {
			tb.Fatal(err)
		}
	}
	var paths []string
	for i := 0; i < 64; i++ {
		svc := (i * 7919) % max(n/4, 1)
		paths = append(paths, fmt.Sprintf("/svc%d/items/%d/tags/t%d", svc, i, i))
	}
	return b.Build(), paths
}

func benchMatchREST(b *testing.B, n int) {
	tbl, paths := benchREST(b, n)
	loopREST(b, tbl, paths)
}

func loopREST(b *testing.B, tbl *RESTTable[int], paths []string) {
	var ps Params
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, st := tbl.Match("GET", paths[i&63], &ps); st != Found {
			b.Fatal("no match")
		}
		i++
	}
}

func benchMatchHTTP(b *testing.B, n int) {
	tbl, paths := benchHTTP(b, n)
	loopHTTP(b, tbl, paths)
}

func loopHTTP(b *testing.B, tbl *HTTPTable[int], paths []string) {
	var ps Params
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if m, ok := tbl.Match("GET", paths[i&63], &ps); !ok || m.Value < 0 {
			b.Fatal("no match")
		}
		i++
	}
}

func BenchmarkMatchREST10(b *testing.B)    { benchMatchREST(b, 10) }
func BenchmarkMatchREST1000(b *testing.B)  { benchMatchREST(b, 1000) }
func BenchmarkMatchREST10000(b *testing.B) { benchMatchREST(b, 10000) }
func BenchmarkMatchHTTP10(b *testing.B)    { benchMatchHTTP(b, 10) }
func BenchmarkMatchHTTP5000(b *testing.B)  { benchMatchHTTP(b, 5000) }

// The hot path allocates nothing when no parameter needs decoding:
// parameters go into the caller's Params.
func TestMatchAllocs(t *testing.T) {
	rest, restPaths := benchREST(t, 1000)
	http, httpPaths := benchHTTP(t, 1000)
	var ps Params
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"REST with params", func() { rest.Match("GET", restPaths[3], &ps) }},
		{"REST greedy", func() { rest.Match("PUT", "/static/a/b/c", &ps) }},
		{"REST not found", func() { rest.Match("GET", "/nope/x", &ps) }},
		{"HTTP with params", func() { http.Match("GET", httpPaths[5], &ps) }},
		{"HTTP greedy", func() { http.Match("POST", "/x/y/z", &ps) }},
	} {
		if n := testing.AllocsPerRun(200, tc.fn); n != 0 {
			t.Errorf("%s: %v allocs per Match, want 0", tc.name, n)
		}
	}
}

// Lookup cost must not grow with the number of resources: the median
// time per Match on 10,000 resources stays within 2x (plus slack for a
// noisy machine) of the one on 10.
func TestMatchScales(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	if f := flag.Lookup("test.benchtime"); f != nil {
		old := f.Value.String()
		if err := f.Value.Set("150ms"); err == nil {
			defer f.Value.Set(old)
		}
	}
	// Tables are built once; testing.Benchmark calls each function
	// several times while it sizes b.N.
	rest := func(n int) func(*testing.B) {
		tbl, paths := benchREST(t, n)
		return func(b *testing.B) { loopREST(b, tbl, paths) }
	}
	http := func(n int) func(*testing.B) {
		tbl, paths := benchHTTP(t, n)
		return func(b *testing.B) { loopHTTP(b, tbl, paths) }
	}
	for _, tc := range []struct {
		name       string
		small, big func(*testing.B)
	}{
		{"REST 10 vs 10000", rest(10), rest(10000)},
		{"HTTP 10 vs 5000", http(10), http(5000)},
	} {
		var small, big []time.Duration
		for range 5 { // interleaved so drift hits both alike
			small = append(small, nsPerOp(testing.Benchmark(tc.small)))
			big = append(big, nsPerOp(testing.Benchmark(tc.big)))
		}
		s, g := median(small), median(big)
		ratio := float64(g) / float64(s)
		t.Logf("%s: median %v vs %v per Match, ratio %.2f", tc.name, s, g, ratio)
		if ratio > 2.2 {
			t.Errorf("%s: large table is %.2fx slower (%v vs %v), want <= 2x", tc.name, ratio, g, s)
		}
	}
}

func nsPerOp(r testing.BenchmarkResult) time.Duration {
	if r.N == 0 {
		return 0
	}
	return r.T / time.Duration(r.N)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
