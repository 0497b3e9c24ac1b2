package router

import (
	"fmt"
	"strings"
	"testing"
)

// Paths deeper than the inline capacity spill into a reused slice.
func TestParamsSpill(t *testing.T) {
	t.Parallel()
	const depth = 12
	var tmpl, path strings.Builder
	for i := range depth {
		fmt.Fprintf(&tmpl, "/{p%d}", i)
		fmt.Fprintf(&path, "/v%d", i)
	}
	b := NewRESTBuilder[int]()
	if err := b.Add(tmpl.String(), []string{"GET"}, 1); err != nil {
		t.Fatal(err)
	}
	// A sibling dead end forces backtracking across the spill boundary.
	if err := b.Add("/v0/v1/v2/v3/v4/v5/v6/v7/v8/v9/x", []string{"GET"}, 2); err != nil {
		t.Fatal(err)
	}
	tbl := b.Build()
	var ps Params
	for range 2 { // reuse keeps the result right
		m, st := tbl.Match("GET", path.String(), &ps)
		if st != Found || m.Value != 1 || ps.Len() != depth {
			t.Fatalf("got %v %v len %d", m, st, ps.Len())
		}
		for i := range depth {
			want := Param{Name: fmt.Sprintf("p%d", i), Value: fmt.Sprintf("v%d", i)}
			if got := ps.At(i); got != want {
				t.Errorf("At(%d) = %v, want %v", i, got, want)
			}
		}
	}
	if v, ok := ps.Get("p11"); !ok || v != "v11" {
		t.Errorf("Get(p11) = %q %v", v, ok)
	}
	if _, ok := ps.Get("nope"); ok {
		t.Error("Get(nope) found")
	}
	n := 0
	for name, v := range ps.All() {
		if name != fmt.Sprintf("p%d", n) || v != fmt.Sprintf("v%d", n) {
			t.Errorf("All %d: %s=%s", n, name, v)
		}
		n++
		if n == 3 {
			break
		}
	}
	ps.Reset()
	if ps.Len() != 0 || ps.Map() != nil {
		t.Error("Reset left parameters")
	}
	defer func() {
		if recover() == nil {
			t.Error("At out of range did not panic")
		}
	}()
	ps.At(0)
}

func TestUnescape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "abc", "abc"},
		{"space", "a%20b", "a b"},
		{"lower and upper hex", "%2f%2F", "//"},
		{"utf-8", "%C3%A9", "é"},
		{"plus stays", "a+b", "a+b"},
		{"truncated escape kept", "a%2", "a%2"},
		{"lone percent kept", "%", "%"},
		{"bad hex kept", "%g0x", "%g0x"},
	} {
		if got := unescape(tc.in); got != tc.want {
			t.Errorf("%s: unescape(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
