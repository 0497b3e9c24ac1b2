package vtl

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// writerObj is a host object with a CallWriter: up($s) writes $s in
// upper case, num() is left to Call, boom() fails.
type writerObj struct{}

func (writerObj) Property(name string) (any, bool) {
	if name == "self" {
		return writerObj{}, true
	}
	return nil, false
}

func (writerObj) Call(name string, args []any) (any, error) {
	switch name {
	case "up":
		if len(args) == 1 {
			return strings.ToUpper(toString(args[0])), nil
		}
	case "num":
		return int64(len(args)), nil
	case "boom":
		return nil, errors.New("boom")
	}
	return nil, ErrNoMethod
}

func (writerObj) AppendCall(b []byte, name string, args []any) ([]byte, bool, error) {
	switch name {
	case "up":
		if len(args) == 1 && args[0] != nil {
			return append(b, strings.ToUpper(toString(args[0]))...), true, nil
		}
	case "boom":
		return b, false, errors.New("boom")
	}
	return b, false, nil
}

// boundObj is a Binder host object: its bound functions are its
// Property and Call, so compiled and tree renders agree.
type boundObj struct{ tag string }

func (o *boundObj) Property(name string) (any, bool) {
	if name == "tag" {
		return o.tag, true
	}
	return nil, false
}

func (o *boundObj) Call(name string, args []any) (any, error) {
	switch {
	case name == "greet" && len(args) == 1:
		return o.tag + ":" + toString(args[0]), nil
	case name == "fail":
		return nil, errors.New("failed " + o.tag)
	}
	return nil, ErrNoMethod
}

func (*boundObj) BindProperty(name string) func(recv any) (any, bool) {
	if name != "tag" {
		return nil
	}
	return func(recv any) (any, bool) { return recv.(*boundObj).Property(name) }
}

func (*boundObj) BindCall(name string, nargs int) func(recv any, args []any) (any, error) {
	if name == "nope" {
		return nil
	}
	return func(recv any, args []any) (any, error) { return recv.(*boundObj).Call(name, args) }
}

// compiledScope makes the oracle context with a CallWriter host object.
func compiledScope(t testing.TB) func() Scope {
	return func() Scope {
		sc := scopeFromJSON(t, oracleContext)
		sc["w"] = writerObj{}
		a, b := &boundObj{"a"}, &boundObj{"b"}
		sc["a"] = a
		sc["objs"] = NewList(a, b, writerObj{}, b, NewMap(0), "s", a)
		return sc
	}
}

// renderBoth renders tpl with its compiled form and with the node tree
// and fails when output or error differ. Each render gets a fresh scope
// from sc, as templates may change the values they are given.
func renderBoth(t *testing.T, tpl *Template, sc func() Scope, opt Options) {
	t.Helper()
	var a, b bytes.Buffer
	errA := tpl.Render(&a, sc(), opt)
	errB := tpl.render(&b, sc(), opt, true, nil)
	if a.String() != b.String() || errString(errA) != errString(errB) {
		t.Fatalf("compiled and tree renders differ for %q:\ncompiled %q, %v\ntree     %q, %v", tpl.src, a.String(), errA, b.String(), errB)
	}
	// A Renderer reused from a render of another template, and then
	// for this one again, renders the same.
	var rr Renderer
	var c bytes.Buffer
	_ = other.RenderWith(&c, sc(), opt, &rr)
	for range 2 {
		c.Reset()
		errC := tpl.RenderWith(&c, sc(), opt, &rr)
		if a.String() != c.String() || errString(errA) != errString(errC) {
			t.Fatalf("renders with a reused Renderer differ for %q:\n%q, %v\n%q, %v", tpl.src, a.String(), errA, c.String(), errC)
		}
	}
}

// other is a template RenderWith renders before others with the same
// Renderer: it sets variables, loops and nests, leaving storage behind.
var other = func() *Template {
	t, err := Parse(`#set($a = [1, 2])#foreach($x in $a)#set($b = "$x")#foreach($y in $a)$y#end#end$b`)
	if err != nil {
		panic(err)
	}
	return t
}()

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// compiledCases are templates aimed at the compiled fast paths.
var compiledCases = []string{
	"$w.up('a') $w.up($s) $w.up($x) $!w.up($x) $w.num() $w.num(1, 2) $w.self.up('b') $w.nope()",
	"#if($w.up('x'))Y#end $w.boom()",
	"#set($q = $w.up('z'))$q #set($q = $x)$q",
	"#macro(m $a)[$a][$a.length()][$w.up($a)]#end#m($x)#m('v')#m($s)",
	"#define($d)D$s#end$d.toString() $d.length() $w.up($d) #foreach($i in [1..3])$d#end",
	"#foreach($i in $l)$i$foreach.hasNext$velocityCount #if(!$foreach.hasNext)end#end#end",
	"#foreach($k in $m.keySet())$k=$m.get($k) #end #foreach($v in $m)$v #end",
	"$m.nested.c[0] $m.nested.c[9] $l.get(7) $s.substring(20)",
	"\\$w.up('a') \\\\$w.up('a') \\$x $s$x${s}$!x",
	"#foreach($i in $s)x#end#foreach($i in $x)y#end#foreach($i in [3..1])$i#break#end",
	"#if($x)a#elseif($n == 5)b#else c#end #if(!$m)d#end #if($m.a && $n > 2)e#end",
	"#set($m.a = 7)$m.a #set($l[0] = 9)$l #set($l[10] = 1)",
	"$a.tag $a.greet('x') $a.greet() $a.nope() $a.nope $a.greet($a.tag).length() $a.fail()",
	"#foreach($o in $objs)[$o.tag|$o.greet($velocityCount)|$o.up('q')|$o.nope()]#end",
	"#foreach($o in $objs)#if($o.tag)T#end#end $objs.get(0).greet(1) #foreach($o in $objs)$o.fail()#end",
	// #foreach over a list: changes while it runs, #break, nesting,
	// null items, and the loop variable restored afterwards.
	"#set($z = [1, 2, 3])#foreach($i in $z)$i#if($i == 1)$z.remove(2)$z.remove(1)#end#end $z",
	"#set($z = [1, 2, 3])#foreach($i in $z)$i#if($i == 1)$z.remove(2)$z.remove(1)$z.remove(0)#end#end $z",
	"#set($z = [1, 2, 3])#foreach($i in $z)$i$z.add(9)#end $z",
	"#set($z = [1, 2, 3])#foreach($i in $z)$i#set($d = $z.remove(0))$d#end|$i|$z",
	"#set($z = [1, $x, 3])#set($i = 'kept')#foreach($i in $z)[$i]#foreach($j in $z)$j$foreach.hasNext#break#end#end $i",
	"#foreach($i in [])x#end#foreach($i in $l)#if($foreach.index == 1)#break#end$i#end",
	// The separator, property and bare-variable method fast paths, each
	// over what they do not take (a map's hasNext, null, a host object).
	"#set($h = {'hasNext': 'H'})#if($h.hasNext),#end#if($x.hasNext)X#end#foreach($i in $l)#if($foreach.hasNext),#end#end $h.hasNext $x.hasNext $a.tag $s.bytes",
	"$x.length() $!x.length() $s.length() #macro(n $p)[$p.length()|$p.tag|$p.hasNext]#end#n($x)#n($s)#n($a)",
	// Chains over roots that bind nothing: maps, lists, strings, null.
	"$m.nested.c.size() $l.get(0).toString().length() $s.substring(1).length() $x.a.b() $!x.a.b() #set($k = 'a')$m.get($k).toString()",
}

// TestCompiledMatchesTree checks that the compiled form renders exactly
// what the node tree renders (output and error), with and without
// API Gateway's null handling, over the differential and spec cases.
func TestCompiledMatchesTree(t *testing.T) {
	t.Parallel()
	var tpls []string
	tpls = append(tpls, compiledCases...)
	tpls = append(tpls, benchTemplate)
	for _, c := range handCases() {
		tpls = append(tpls, c.tpl)
	}
	for _, c := range generatedCases() {
		tpls = append(tpls, c.tpl)
	}
	for _, src := range tpls {
		tpl, err := Parse(src)
		if err != nil {
			continue
		}
		for _, opt := range []Options{{}, {NullAsEmpty: true}, {MaxOutput: 40, MaxIterations: 2}} {
			renderBoth(t, tpl, compiledScope(t), opt)
		}
	}
	for _, c := range specExamples {
		tpl, err := Parse(c.tpl)
		if err != nil {
			t.Fatal(err)
		}
		renderBoth(t, tpl, func() Scope { return exampleScope(t, c) }, Options{NullAsEmpty: true})
	}
}

// TestShortTextAtCapacity checks that texts of up to 16 bytes, written
// as two words into the output's spare room, render exactly whatever
// room the destination has left, and leave what it held before intact.
func TestShortTextAtCapacity(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 17; n++ {
		text := strings.Repeat("abcdefghijklmnopq", 2)[:n]
		for _, src := range []string{text + "${x}" + text, "#if(true)" + text + "#{end}" + text} {
			tpl, err := Parse(src)
			if err != nil {
				t.Fatal(err)
			}
			want := text + "X" + text
			if strings.HasPrefix(src, "#if") {
				want = text + text
			}
			for room := 0; room <= 40; room++ {
				var b bytes.Buffer
				b.Grow(3 + room)
				b.WriteString("pre")
				if err := tpl.Render(&b, MapScope{"x": "X"}, Options{}); err != nil {
					t.Fatal(err)
				}
				if got := b.String(); got != "pre"+want {
					t.Fatalf("%q with %d bytes of room renders %q, want %q", src, room, got, "pre"+want)
				}
			}
		}
	}
}
