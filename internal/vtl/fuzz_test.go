package vtl

import (
	"errors"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	for _, ex := range specExamples {
		f.Add(ex.tpl)
	}
	for _, c := range handCases() {
		f.Add(c.tpl)
	}
	f.Add(benchTemplate)
	for _, c := range compiledCases {
		f.Add(c)
	}
}

// FuzzParse: any input parses or fails with a positioned *ParseError.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		_, err := Parse(src)
		if err == nil {
			return
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %T %v is not a *ParseError", err, err)
		}
		if pe.Line < 1 || pe.Col < 1 {
			t.Fatalf("bad position %d:%d", pe.Line, pe.Col)
		}
	})
}

// FuzzRender: a parsed template renders within the limits, never panics,
// fails only with a *RenderError, and renders deterministically.
func FuzzRender(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := Parse(src)
		if err != nil {
			return
		}
		opt := Options{MaxOutput: 1 << 16, MaxTotalIterations: 20_000}
		out1, err1 := tpl.RenderString(scopeFromJSON(t, oracleContext), opt)
		out2, err2 := tpl.RenderString(scopeFromJSON(t, oracleContext), opt)
		if err1 != nil {
			var re *RenderError
			if !errors.As(err1, &re) {
				t.Fatalf("error %T %v is not a *RenderError", err1, err1)
			}
		}
		if (err1 == nil) != (err2 == nil) || out1 != out2 {
			t.Fatalf("render is not deterministic: %q/%v vs %q/%v", out1, err1, out2, err2)
		}
		// The compiled form renders what the node tree renders.
		renderBoth(t, tpl, compiledScope(t), opt)
		renderBoth(t, tpl, compiledScope(t), Options{NullAsEmpty: true, MaxOutput: 1 << 16, MaxTotalIterations: 20_000})
	})
}
