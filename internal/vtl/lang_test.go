package vtl

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func render(t testing.TB, tpl string, sc Scope, opt Options) (string, error) {
	t.Helper()
	p, err := Parse(tpl)
	if err != nil {
		return "", err
	}
	return p.RenderString(sc, opt)
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	sc := scopeFromJSON(t, oracleContext)
	for _, tc := range []struct {
		name, tpl, want string
		aws             bool // Options.NullAsEmpty
	}{
		{"§1.2 null reference renders empty (API Gateway)", `"$x" "$!x" "${m.nope}" "$s.foo()"`, `"" "" "" ""`, true},
		{"stock Velocity null reference renders its source", `"$x" "$!x" "${m.nope}" "$s.foo()"`, `"$x" "" "${m.nope}" "$s.foo()"`, false},
		{"§1.1 #set null leaves variable unchanged", `#set($a = 1)#set($a = $nope)$a`, `1`, true},
		{"§1.1 hyphen in identifiers", `$m.partition-key`, `pk`, true},
		{"§1.1 index notation", `$l[0]$l[-1]$m['b']${m['a']}`, `13x1`, true},
		{"§1.1 foreach helpers", `#foreach($i in $l)$foreach.index$foreach.count$foreach.hasNext$velocityCount #end`, `01true1 12true2 23false3 `, true},
		{"§1.1 define block", `#define($d)<$s>#end$d$d`, `<Hello World><Hello World>`, true},
		{"§1.1 macro with arguments", `#macro(tag $n $v)<$n>$v</$n>#end#tag('b' $s)`, `<b>Hello World</b>`, true},
		{"§1.1 escapes", `\$s \#if`, `$s #if`, true},
		{"§1.1 comments", "a## x\nb#* y *#c", "abc", true},
		{"§1.1 unparsed content", `#[[$s #if]]#`, `$s #if`, true},
		{"§1.2 integers print as integers, decimals as Double.toString", `#set($x = 10 / 4)#set($y = 10 / 4.0)$d $f $tiny $huge $x $y`, `1001.0 1.5 1.0E-4 1.0E10 2 2.5`, true},
		{"§1.2 maps and lists print Java-style", `$m.nested $mixed`, `{c=[10, 20]} [1, two, 3.5, true, [4], {k=v}]`, true},
		{"§1.1 == compares numbers numerically and others by toString", `#if(5 == 5.0)a#end#if("5" == $n)b#end#if($l == "[1, 2, 3]")c#end`, `abc`, true},
		{"§1.1 word operators", `#if($n gt 4 and not $no)y#end`, `y`, true},
		{"§1.1 string concatenation", `#set($x = $s + "!" + 1)$x`, `Hello World!1`, true},
		{"§1.2 #set line produces nothing", "  #set($a = 1)\nx", "x", true},
		{"§1.2 #if line keeps indentation, drops newline", "  #if(true)\ny\n  #end\n", "  y\n  ", true},
		{"§1.2 mid-line directive consumes nothing", "a #if(true) b #end c", "a  b  c", true},
		{"Java regex replaceAll with groups", `$s.replaceAll("(\w+) (\w+)", "$2, $1")`, `World, Hello`, true},
		{"Java regex literal dollar in replacement", `$s.replaceAll("o", "\$")`, `Hell$ W$rld`, true},
		{"Java split drops trailing empty strings", `$csv.split(",").size() $csv.split(",", -1).size()`, `4 6`, true},
		{"UTF-16 string indexes", `$u.length() $u.substring(1, 3) $u.indexOf("w")`, `11 él 6`, true},
		{"list and map mutation", `#set($x = $l.add(9))#set($y = $m.put("new", 1))$l $m.new`, `[1, 2, 3, 9] 1`, true},
		{"#set into map property", `#set($m.nested.d = "v")$m.nested`, `{c=[10, 20], d=v}`, true},
		{"#stop ends rendering", `a#stop b`, `a`, true},
		{"#break leaves the loop", `#foreach($i in [1..9])$i#if($i == 2)#break#end#end`, `12`, true},
		{"integer overflow promotes", `#set($x = 9223372036854775807 + 1)$x`, `9223372036854775808`, true},
		{"division by zero is null", `#set($x = 1)#set($x = 1 / 0)$x`, `1`, true},
		{"entrySet entries", `#foreach($e in $m.nested.entrySet())$e.key=$e.value#end`, `c=[10, 20]`, true},
		{"formal directives", `#{if}(true)a#{else}b#{end}`, `a`, true},
		{"ranges", `#foreach($i in [3..1])$i#end[1..3]`, `321[1..3]`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := scopeFromJSON(t, oracleContext) // fresh: some cases mutate
			got, err := render(t, tc.tpl, sc, Options{NullAsEmpty: tc.aws})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	_ = sc
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, tpl string
		line, col int
	}{
		{"unclosed #if reports end of input", "a\n#if(true)\nb", 3, 2},
		{"stray #end", "x\n  #end", 2, 3},
		{"bad expression", "#set($a = )", 1, 11},
		{"unclosed method call", "$s.sub(1", 1, 9},
		{"#include is not supported", "#include('x')", 1, 1},
		{"5 -1 is a Velocity lexing error", "#set($a = 5 -1)", 1, 13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.tpl)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *ParseError", err)
			}
			if pe.Line != tc.line || pe.Col != tc.col {
				t.Errorf("at %d:%d, want %d:%d (%v)", pe.Line, pe.Col, tc.line, tc.col, err)
			}
			if !strings.Contains(err.Error(), "at line") {
				t.Errorf("message %q lacks position", err)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	sc := scopeFromJSON(t, oracleContext)
	for _, tc := range []struct {
		name, tpl string
		line, col int
	}{
		{"method exception (substring out of range)", "\n  $s.substring(5, 1)", 2, 6},
		{"list index out of range", "$l[7]", 1, 3},
		{"Java backreference is not supported by RE2", `$s.replaceAll("(l)\1", "x")`, 1, 4},
		{"lookahead is not supported", `$s.matches("(?=H).*")`, 1, 4},
		{"illegal group reference", `$s.replaceAll("l", "$9")`, 1, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, tc.tpl, sc, Options{})
			var re *RenderError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want *RenderError", err)
			}
			if re.Line != tc.line || re.Col != tc.col {
				t.Errorf("at %d:%d, want %d:%d (%v)", re.Line, re.Col, tc.line, tc.col, err)
			}
		})
	}
}

// Limits (issue item 4): runaway templates fail fast with an error.
func TestLimits(t *testing.T) {
	t.Parallel()
	sc := MapScope{"big": NewList(make([]any, 1001)...)}
	for _, tc := range []struct {
		name, tpl string
		want      error
	}{
		{"§1.1 #foreach over 1000 iterations fails", "#foreach($i in [1..1001])#end", ErrIterationLimit},
		{"§1.1 #foreach over a 1001-element list fails", "#foreach($i in $big)#end", ErrIterationLimit},
		{"nested loops bounded in total", "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end", ErrIterationLimit},
		{"infinite macro recursion", "#macro(r)#r()#end#r()", ErrDepthLimit},
		{"self-referencing #define", "#define($d)$d#end$d", ErrDepthLimit},
		{"output size", "#set($s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')#foreach($a in [1..1000])#foreach($b in [1..1000])$s#end#end", ErrOutputLimit},
		{"string doubling", "#set($s = 'xx')#foreach($i in [1..100])#set($s = $s + $s)#end", ErrOutputLimit},
		{"huge range as a value", "#set($r = [1..100000000])", ErrIterationLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := render(t, tc.tpl, sc, Options{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// Exactly 1000 iterations are allowed.
	if _, err := render(t, "#foreach($i in [1..1000])#end", sc, Options{}); err != nil {
		t.Errorf("1000 iterations: %v", err)
	}
}

// Templates are immutable after Parse: concurrent renders do not interfere.
func TestConcurrentRender(t *testing.T) {
	t.Parallel()
	tpl, err := Parse(benchTemplate)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tpl.RenderString(newBenchScope(t), Options{NullAsEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := newBenchScope(t)
			var b bytes.Buffer
			for range 200 {
				b.Reset()
				if err := tpl.Render(&b, sc, Options{NullAsEmpty: true}); err != nil {
					t.Error(err)
					return
				}
				if b.String() != want {
					t.Errorf("concurrent output differs")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestGrowthLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, tpl string }{
		{"string doubled with concat", "#set($s = 'ab')#foreach($i in [1..200])#set($s = $s.concat($s))#end"},
		{"list appended to itself", "#set($l = [1])#foreach($i in [1..200])#set($x = $l.addAll($l))#end"},
		{"mutually nested lists print bounded", "#set($a = [])#set($b = [])#set($x = $a.add($b))#set($x = $a.add($b))#set($x = $b.add($a))#set($x = $b.add($a))$a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := render(t, tc.tpl, MapScope{}, Options{})
			if !errors.Is(err, ErrOutputLimit) {
				t.Fatalf("got %v, want ErrOutputLimit", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// §1.2: templates up to 300 KB parse quickly, whatever their shape.
func TestParseLargeTemplates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, src string }{
		{"escaped directives", strings.Repeat(`\#if `, 60_000)},
		{"references", strings.Repeat(`$a.b[0] `, 37_000)},
		{"deep nesting fails cleanly", strings.Repeat(`#if(true)`, 30_000)},
		{"deep expression nesting fails cleanly", "#set($a = " + strings.Repeat("(", 100_000)},
		{"many macros", strings.Repeat(`#macro(m$a)x#end#m()`, 10_000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			tpl, err := Parse(tc.src)
			if err == nil {
				_, err = tpl.RenderString(MapScope{}, Options{})
				_ = err
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
