package vtl

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The differential test renders a corpus in this engine and in Apache
// Velocity 1.7 (tools/vtloracle) and requires identical output. It needs
// java and the Debian "velocity" package (jars in /usr/share/java); set
// VTL_ORACLE_CLASSPATH to use other jars. VTL_ORACLE_FUZZ=N additionally
// renders N random templates and reports the first divergence, minimised.

type oracle struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func oracleClasspath() (string, string) {
	if cp := os.Getenv("VTL_ORACLE_CLASSPATH"); cp != "" {
		return cp, ""
	}
	dir := "/usr/share/java"
	var parts []string
	for _, jar := range []string{"velocity.jar", "commons-collections3.jar", "commons-lang.jar"} {
		p := filepath.Join(dir, jar)
		if _, err := os.Stat(p); err != nil {
			return "", p + " is missing (apt-get install -y velocity)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ":"), ""
}

func startOracle(t testing.TB) *oracle {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("differential test skipped: java is not installed (apt-get install -y openjdk-17-jdk-headless velocity)")
	}
	if mods, err := exec.Command(java, "--list-modules").Output(); err != nil || !strings.Contains(string(mods), "jdk.compiler") {
		t.Skip("differential test skipped: java cannot run source files (install a JDK: apt-get install -y openjdk-17-jdk-headless)")
	}
	cp, missing := oracleClasspath()
	if missing != "" {
		t.Skip("differential test skipped: " + missing)
	}
	src, err := filepath.Abs("../../tools/vtloracle/Oracle.java")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(java, "-Xshare:auto", "-cp", cp, src, "-serve")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &oracle{cmd: cmd, in: in, out: bufio.NewReader(out)}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Wait()
	})
	return o
}

// render returns Velocity's output, or ok=false when Velocity failed.
func (o *oracle) render(t testing.TB, tpl, ctx string) (string, bool) {
	t.Helper()
	if _, err := fmt.Fprintf(o.in, "%d %d\n%s%s", len(tpl), len(ctx), tpl, ctx); err != nil {
		t.Fatalf("oracle write: %v", err)
	}
	hdr, err := o.out.ReadString('\n')
	if err != nil {
		t.Fatalf("oracle read: %v", err)
	}
	f := strings.Fields(hdr)
	if len(f) != 2 {
		t.Fatalf("oracle header %q", hdr)
	}
	n, _ := strconv.Atoi(f[1])
	buf := make([]byte, n)
	if _, err := io.ReadFull(o.out, buf); err != nil {
		t.Fatalf("oracle read body: %v", err)
	}
	return string(buf), f[0] == "OK"
}

// oracleContext is the JSON context every corpus case renders against.
const oracleContext = `{"s":"Hello World","n":5,"f":1.5,"z":0,"l":[1,2,3],"m":{"a":1,"b":"x","partition-key":"pk","nested":{"c":[10,20]}},` +
	`"e":"","t":true,"no":false,"big":2147483647,"neg":-7,"u":"héllo wörld","csv":"a,b,,c,,","sp":"  pad  ",` +
	`"items":[{"name":"apple","qty":1},{"name":"banana","qty":2,"price":0.19}],"d":1001.0,"tiny":0.0001,"huge":1.0E10,"mixed":[1,"two",3.5,true,[4],{"k":"v"}]}`

type diffCase struct{ name, tpl string }

func handCases() []diffCase {
	raw := []string{
		// references
		"$s ${s} $!s $!{s} $x ${x} $!x $!{x}",
		"$m.a $m.partition-key $m.nested.c $m.nested.c[1] $m['b'] $m.nope $m.nested.nope.deeper",
		"$s-x $s_x ${s}-x $s. $s.( text $ $5 $_x #5 # #x",
		"$l[0] $l[-1] $l[2] $m.nested.c[-2]",
		"$items[1].name $items[0].qty $items.size() $items[1].price",
		"\\$x \\$s \\\\$s \\\\$x \\\\\\$s \\#if \\\\#if(true)y#end \\#set($q = 1)$q",
		"a\\b \\\\ c\\d \\n $s\\",
		// comments and unparsed
		"## comment\na ## trailing\nb #* block *#\nc",
		"a#[[ $s #if(true) ]]#b",
		"x #* multi\nline *# y",
		// set and whitespace
		"a\n  #set($x = 1)\nb",
		"a  #set($x = 1) b",
		"  #set($x = 1)\nb",
		"$s  #set($x = 1)\nb",
		"#if(true)x#end  #set($x = 1)\nb",
		"a\n\t#set($x = 1)  \nb",
		"#set($x=1)#set($y=2)\na",
		"#set($x=1) \na",
		"#set($x = 1)\n  #set($y = 2)\n  #set($z = 3)\n  ok",
		"#set ($x = 1)$x",
		"#set($x = 1)\r\n$x\r\n",
		// if/else
		"a\n#if(true)  \nb\n#end  \nc",
		"a #if(true) b #else c #end d",
		"#if(false)\nx\n#else  \ny\n#end\nz",
		"x\n  #if(true)\n  y\n  #end",
		"#if(true) #end x",
		"#if ($t)sp#end #if($t) #end|",
		"#if($n > 3 && $s == \"Hello World\")A#end #if($n lt 3 or $t)B#end #if(!$t)C#elseif(not $t)D#else E#end",
		"#if($e)empty-true#end #if($undefined)u#end #if(0)zero#end #if(\"\")str#end #if($z)z#end #if($no)no#end",
		"#{if}(true)yes#{else}no#{end}",
		"#if(false)a#elseif(false)b#elseif(true)c#{else}d#end",
		"#if($n == 5)\n  five\n#elseif($n == 6)\n  six\n#else\n  other\n#end\n",
		// foreach
		"#foreach($i in [1..3])$i $foreach.index $foreach.count $foreach.hasNext $foreach.first $foreach.last $velocityCount;#end",
		"#foreach($i in $l)\n  - $i\n#end\ndone",
		"#foreach($i in [1..2])\n  #set($y = $i)\n  v=$y\n#end",
		"#foreach($i in [1..5])$i#if($i == 3)#break#end#end",
		"#foreach($k in $m)$k,#end #foreach($k in $s)$k,#end #foreach($k in $n)$k,#end #foreach($k in $undefined)$k,#end",
		"#set($i = 5)#foreach($i in [1..2])$i#end $i",
		"#foreach($i in [1..2])#foreach($j in [1..2])$foreach.parent.index$foreach.index #end#end",
		"#foreach($i in [1..3])$velocityHasNext #end",
		"#foreach($i in [3..1])$i#end #foreach($i in [0..0])$i#end #foreach($i in [-2..2])$i,#end",
		"#foreach($e in $m.entrySet())$e.key=$e.value;#end",
		"#foreach($k in $m.keySet())$k:$m.get($k) #end",
		"#foreach($it in $items)\n{\"name\": \"$it.name\"}#if($foreach.hasNext),#end\n#end\n",
		"#foreach($x in $mixed)$x|#end",
		// macros and define
		"#macro(m $a $b)[$a|$b]#end#m(1 2) #m(\"x\", $s)",
		"#m()#macro(m)M#end#m()",
		"#macro(m $a)[$a]#end#m($undefined) #m() #m(1 2)",
		"#macro(m $a)#set($a = 2)#set($g = 3)#end#set($a = 1)#m($a)$a $g",
		"#macro(m)M#end\n  #m()\nx",
		"#macro(m)M#end\n#m()   \nx",
		"#macro(rec $n)#if($n > 0)$n #set($k = $n - 1)#rec($k)#end#end#rec(3)",
		"#define($d)D$s#end$d $d",
		"#define($d)\nline\n#end[$d]",
		"#foo bar #foo() #foo(1) #foo($s)",
		"a#break\nb",
		"a#stop b",
		"#endif x #elsex",
		// literals
		"#set($x = \"a$s y\")$x #set($y = 'x$s')$y #set($z = \"#if(true)T#end\")$z",
		"#set($x = \"a\\nb\")$x|#set($y = 'c\\td')$y",
		"#set($mm = {\"k\": [1, \"x\"], \"j\": {}})$mm #set($l2 = [])$l2 $l2.size() #set($m2 = {})$m2",
		"#set($r = [3..1])$r #set($r2 = [1..$n])$r2",
		"#set($x = true)$x #set($y = false)$y #set($z = [true, 1, 2.5, 'q'])$z",
		"#set($m.z = 5)$m #set($l[0] = 9)$l",
		// arithmetic
		"#set($x = 7/2)$x #set($y = 7 % 3)$y #set($z = 1/0)$z #set($w = 7.0/2)$w $f",
		"#set($a = 2147483647 + 1)$a #set($b = 9223372036854775807 + 1)$b #set($c = 1.0E10)$c #set($d = 0.001)$d #set($e = 0.0001)$e #set($g=10000000.0)$g",
		"#set($d = 0.1 + 0.2)$d #set($e = 1e3)$e #set($f = 3.0)$f #set($g = 100 * 1.1)$g",
		"#set($x = 1 + \"a\")$x #set($y = \"a\" + 1)$y #set($z = 1 + $undefined)$z #set($w = $l + 1)$w #set($v = $t + \"b\")$v",
		"#set($x = \"a\" + $undefined)$x #set($y = $undefined + \"a\")$y",
		"#set($x = 2147483647 * 2)$x #set($y = 2147483647 * 2147483647 * 4)$y #set($z = 1.0 / 0)$z #set($w = 10 / 4.0)$w",
		"#set($x = 5 - 1)$x #set($y = -3)$y #set($z = 2 * -3)$z #set($q = (1 + 2) * 3)$q #set($p = 1 + 2 * 3)$p",
		"#set($x = $l.size() > 2)$x #set($y = !$t)$y #set($z = $t && $undefined)$z #set($q = $undefined || 1)$q",
		"#set($x = 5 == 5.0)$x #set($y = \"5\" == 5)$y #set($z = $l == \"[1, 2, 3]\")$z #set($w = $undefined == $undefined2)$w",
		"$d $tiny $huge $big $neg $f",
		// methods
		"$s.substring(1,3) $s.indexOf(\"o\") $s.replaceAll(\"o\",\"0\") $s.toUpperCase() $s.charAt(0) $s.matches(\"H.*\")",
		"$s.replaceAll(\"(o)\", \"[$1]\") $s.replaceFirst(\"l+\", \"L\") $s.replace(\"l\", \"L\") $s.lastIndexOf(\"o\") $s.startsWith(\"He\") $s.endsWith(\"x\") $s.trim() $s.contains(\"World\") $s.equalsIgnoreCase(\"hello world\") $s.concat(\"!\") $s.isEmpty()",
		"$s.split(\" \").size() $s.split(\" \")[1] #foreach($p in $s.split(\"o\"))[$p]#end",
		"#foreach($p in $csv.split(\",\"))[$p]#end #foreach($p in $csv.split(\",\", -1))[$p]#end #foreach($p in $csv.split(\",\", 2))[$p]#end",
		"$l.contains(2) $l.indexOf(3) $l.subList(1,3) $l.get(0) $l.isEmpty() $l.add(4) $l $l.remove(0) $l #set($r = $l.remove(0))$l",
		"$m.get(\"a\") $m.put(\"c\", 3) $m.containsKey(\"a\") $m.size() $m.isEmpty() $m.remove(\"a\") $m",
		"$l.empty $s.empty $m.empty $e.empty $l.size() $m.keySet() $m.entrySet() $m.values()",
		"$n.toString() $f.intValue() $n.equals(5) $t.toString() $n.compareTo(3) $f.longValue() $n.doubleValue()",
		"$t.equals(true) $n.equals(\"5\") #set($x = $n == $f)$x $s.length() $s.substring(6)",
		"$u.length() $u.substring(1, 4) $u.indexOf(\"w\") $u.toUpperCase() $u.charAt(1)",
		"$sp.trim()| $sp.length() $s.toLowerCase().replace(\"world\", \"there\").length()",
		"$s.foo() $s.substring(\"1\") $l.get(\"0\") $m.get(1) $n.foo",
		"$s.replaceAll(\"[aeiou]\", \"*\") $s.replaceAll(\"\\\\s+\", \"_\") $s.replaceAll(\"(?i)hello\", \"bye\") $s.matches(\"[A-Z][a-z]+ [A-Z][a-z]+\")",
		"$s.replaceAll(\"(\\w+) (\\w+)\", \"$2 $1\") $s.replaceAll(\"o\", \"\\$\") $s.split(\"\").size()",
		// more combinations
		"#macro(row $it)<$it.name:$foreach.index>#end#foreach($i in $items)#row($i)#end",
		"#macro(outer $x)#foreach($y in [1..2])#inner($x $y)#end#end#macro(inner $a $b)[$a$b]#end#outer('q')",
		"#foreach($a in [1..2])#foreach($b in ['x','y'])$velocityCount$foreach.count$b #end$velocityCount|#end",
		"#set($a = [\n 1,\n 2 ])$a #set($b = {\n'k' : 'v'\n})$b",
		"#if($n\n == 5)yes#end",
		"a\r\n#if(true)\r\nb\r\n#end\r\nc",
		"\t#set($t1 = 1)\n\t#if($t1)\n\tX\n\t#end\n",
		"#if($s.charAt(0) == 'H')c#end #if($n == $m.a)d#end #if($m.a < $n)e#end",
		"#set($x = $m.nested.c[0] + $l[1])$x #set($y = $l.size() - 1)$y #set($z = $n % 3 * 2)$z",
		"#set($q = \"#foreach($i in $l)$i#end\")$q #set($w = \"$m.nested.c[1]\")$w",
		"#define($blk)#foreach($i in $l)$i#end#end$blk.length() #set($bs = \"$blk\")$bs",
		"#set($e1 = $m.entrySet())$e1 #foreach($e in $e1)$e #end",
		"$mixed[2] $mixed[3] $mixed[4] $mixed[5] $mixed.size()",
		"$big $big.toString() #set($b2 = $big + $big)$b2 #set($b3 = $big * -1 - 1)$b3",
		"#set($i = 0)#foreach($x in [1..5])#set($i = $i + $x)#end$i",
		"#foreach($x in $l)#if($x == 2)#break#end$x#end|#foreach($x in $l)$x#if($foreach.last)!#end#end",
		"#set($nested = {'a': {'b': {'c': 'deep'}}})$nested.a.b.c ${nested.a.b.c} $nested.a.b $nested['a']['b']['c']",
		"$s.replaceAll('^H', 'J') $s.replaceAll('d$', 'D') $s.replaceAll('[^a-z]', '') $s.matches('.*World') $s.replaceAll('\\\\W', '-')",
		"#set($p = 'a.b.c')$p.split('\\.').size() $p.replace('.', '/') $p.indexOf('.', 2)",
		"$s.toLowerCase().contains('world') $s.length() > 3 #set($cond = $s.length() > 3)$cond",
		"#set($list = [])#set($ok = $list.add('a'))#set($ok = $list.add(0, 'b'))$list $list.indexOf('a') $list.contains('b')",
		"#set($map = {})#set($ok = $map.put('x', 1))#set($ok = $map.put('x', 2))$map $map.x $map.get('x')",
		"#if(!$undefined && !$no)both#end #if($undefined || $t)either#end #if(!($n > 10))small#end",
		"#if($n > 1)#if($n > 2)#if($n > 3)deep#end#end#end",
		"#foreach($i in [])never#end#foreach($i in [1..1])once#end",
		"$!{undefined}x$!undefined.y ${undefined.y}",
		"#set($a = 'x')#set($b = \"${a}y\")$b #set($c = \"$a.length()\")$c",
		"#set($v = 3)#set($msg = \"v=$v, v2=${v}\")$msg",
		"#set($d1 = 10.0)#set($d2 = 3)#set($r = $d1 / $d2)$r #set($r2 = $d1 % $d2)$r2 #set($r3 = 1.0E20)$r3",
		"$tiny $huge $d #set($sum = $tiny + $huge)$sum",
		"#set($x = 'keep')#foreach($x in [1, $undefined, 3])[$x]#end $x",
		"$foreach.hasNext $foreach.index $velocityCount",
		"#macro(mb)#foreach($i in [1..5])#if($i == 2)#break#end$i#end!#end#mb()#mb()",
		"#foreach($i in [1..5])$i#if($i == 3)#stop#end#end after",
		"#set($a.b.c = 1)$a #set($m.nested.x.y = 2)$m.nested",
		"#foreach($i in $l)#set($last = $i)#end$last $i",
		"#set($s2 = \"He said \\\"hi\\\"\")$s2",
		"#set($q = 'single \\' quote')$q",
		"#if($m.nested.c.size() == 2 && $m.nested.c[0] == 10)nested-ok#end",
		"${l.size()}${m.size()}${s.length()}",
		"$m.keySet().size() $m.values().size() $m.entrySet().size() #set($k = $m.keySet())$k.contains('a')",
		// errors
		"$s.substring(5,1)",
		"$l[9]",
		"#if(true)unclosed",
		"#end",
		"#else",
		"#set($x = 5-1)$x",
		"text$",
		"$l[",
		"$s.x( ${s}.a",
		"#set($x = null)$x",
		"#foreach($i in $l)x",
		"${s",
	}
	var cs []diffCase
	for i, r := range raw {
		cs = append(cs, diffCase{"hand" + strconv.Itoa(i), r})
	}
	return cs
}

// generatedCases covers every feature systematically: reference forms,
// whitespace around each directive, arithmetic and comparison operand
// pairs, and string/list/map methods.
func generatedCases() []diffCase {
	var cs []diffCase
	add := func(kind, tpl string) { cs = append(cs, diffCase{kind + strconv.Itoa(len(cs)), tpl}) }

	refs := []string{"s", "n", "x", "m.a", "m.b", "m.nope", "l", "m", "m.nested.c", "s.length()", "l.size()", "m.get('b')", "items[0].name", "l[1]", "f", "t"}
	for _, r := range refs {
		add("ref", fmt.Sprintf("[$%s][${%s}][$!%s][$!{%s}][\"$%s\"]", r, r, r, r, r))
	}

	directives := []string{
		"#set($v = 1)", "#if(true)IN#end", "#if(false)IN#else EL#end", "#foreach($i in [1..2])$i#end",
		"#if(true)\nIN\n#end", "#foreach($i in [1..2])\n$i\n#end", "## c", "#* c *#", "#mac()", "#if($t)\n  #set($w = 2)\n  W$w\n#end",
	}
	indents := []string{"", "  ", "\t", " \t "}
	trails := []string{"", "  ", "\t"}
	befores := []string{"", "x", "$s"}
	for _, d := range directives {
		for _, in := range indents {
			for _, tr := range trails {
				for _, b := range befores {
					add("ws", "#macro(mac)M#end\n"+"A\n"+b+in+d+tr+"\nB"+in+"\n"+in+d+tr+"\nC")
				}
			}
		}
	}

	operands := []string{"0", "1", "-3", "7", "2147483647", "2.5", "-0.5", "1e10", "'a'", "\"7\"", "$n", "$f", "$z", "$undefined", "$l", "$t"}
	for _, op := range []string{"+", "-", "*", "/", "%"} {
		for _, a := range operands {
			for _, b := range operands[:10] {
				add("arith", fmt.Sprintf("#set($r = %s %s %s)$r", a, op, b))
			}
		}
	}
	for _, op := range []string{"==", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le", "ge"} {
		for i, a := range operands {
			b := operands[(i*7+3)%len(operands)]
			add("cmp", fmt.Sprintf("#if(%s %s %s)T#{else}F#end", a, op, b))
		}
	}
	for _, a := range []string{"$t", "$no", "$undefined", "$s", "!$t", "($n > 1)"} {
		for _, op := range []string{"&&", "||", "and", "or"} {
			for _, b := range []string{"$t", "$no", "$undefined"} {
				add("logic", fmt.Sprintf("#if(%s %s %s)T#{else}F#end #set($q = %s %s %s)$q", a, op, b, a, op, b))
			}
		}
	}
	strs := []string{"$s", "$u", "$sp", "$e", "$csv"}
	calls := []string{"length()", "toUpperCase()", "toLowerCase()", "trim()", "isEmpty()", "substring(1)", "substring(0, 2)",
		"indexOf('l')", "indexOf('l', 4)", "lastIndexOf('l')", "contains('o')", "startsWith('H')", "endsWith('d')",
		"replace('l', 'L')", "replaceAll('[lo]', '_')", "replaceFirst('\\w', '#')", "matches('.*o.*')", "split(',').size()",
		"equals('Hello World')", "equalsIgnoreCase('HELLO WORLD')", "concat('!')", "toString()", "charAt(0)", "compareTo('Hello')"}
	for _, s := range strs {
		for _, c := range calls {
			add("str", s+"."+c)
		}
	}
	lists := []string{"l.size()", "l.get(1)", "l.isEmpty()", "l.contains(3)", "l.contains('3')", "l.indexOf(2)", "l.subList(0, 2)",
		"mixed", "mixed[4][0]", "mixed[5].k", "mixed.get(2)", "items[1]", "l.empty", "m.nested.c.size()"}
	maps := []string{"m.keySet()", "m.values()", "m.entrySet()", "m.size()", "m.containsKey('a')", "m.containsKey('zz')",
		"m.get('nested')", "m.nested.get('c')", "m.isEmpty()", "m['partition-key']", "items[0]"}
	for _, x := range append(lists, maps...) {
		add("coll", "$"+x+" $!{"+x+"}")
	}
	// Java regex semantics through the RE2 translation.
	patterns := []string{`\d+`, `\s+`, `[a-c]`, `^\w`, `\w$`, `(a|b)+`, `(?i)A`, `l{2}`, `l{1,}o`, `.*?o`, `(?<v>[aeiou])`, `\Q.\E`,
		`\p{Upper}`, `\p{Lower}+`, `\|`, `[^,]+`, `\b`, `[\[\]]`, `[a[bc]]`, `\.`, `\\.`, `\\p{Upper}`, `a{x}`, `[.]`, `\W`}
	subjects := []string{"$s", "$r1", "$r2", "$r3", "$r4"}
	const setSubjects = "#set($r1 = 'a1b22c333')#set($r2 = 'x|y|z')#set($r3 = 'aab,ba,,c')#set($r4 = '[q].r')"
	for _, pat := range patterns {
		repl := "'<$0>'"
		if strings.Contains(pat, "?<v>") {
			repl = "'<${v}>'"
		}
		for _, sub := range subjects {
			add("regex", setSubjects+fmt.Sprintf("%s.replaceAll('%s', %s)|%s.replaceFirst('%s', '#')|%s.matches('%s')|#foreach($p in %s.split('%s'))[$p]#end",
				sub, pat, repl, sub, pat, sub, pat, sub, pat))
		}
	}
	for _, x := range []string{"$l", "$m", "$items", "$mixed", "[]", "$m.keySet()", "[1..4]", "{'a': 1}"} {
		add("iter", "#foreach($it in "+x+")$foreach.count:$it#if($foreach.hasNext),#end#end")
	}
	return cs
}

func TestOracleDifferential(t *testing.T) {
	o := startOracle(t)
	ctx := oracleContext
	cases := append(handCases(), generatedCases()...)
	if len(cases) < 300 {
		t.Fatalf("corpus has %d cases, want at least 300", len(cases))
	}
	fails, errs := 0, 0
	for _, c := range cases {
		want, ok := o.render(t, c.tpl, ctx)
		got, err := renderStock(t, c.tpl, ctx)
		if !ok && err != nil {
			errs++
		}
		switch {
		case !ok && err == nil:
			t.Errorf("%s: Velocity fails (%s) but we render %q\n  template: %q", c.name, firstLine(want), got, c.tpl)
		case ok && err != nil:
			t.Errorf("%s: we fail (%v) but Velocity renders %q\n  template: %q", c.name, err, want, c.tpl)
		case ok && got != want:
			t.Errorf("%s: output differs\n  template: %q\n  velocity: %q\n  portico:  %q", c.name, c.tpl, want, got)
		default:
			continue
		}
		if fails++; fails > 40 {
			t.Fatal("too many divergences")
		}
	}
	t.Logf("%d cases compared (%d fail to parse or render in both engines)", len(cases), errs)
	if n, _ := strconv.Atoi(os.Getenv("VTL_ORACLE_FUZZ")); n > 0 {
		oracleFuzz(t, o, n)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func renderStock(t testing.TB, tpl, ctx string) (string, error) {
	tp, err := Parse(tpl)
	if err != nil {
		return "", err
	}
	return tp.RenderString(scopeFromJSON(t, ctx), Options{})
}

// Fuzz mode: random templates built from fragments of every feature.

// fuzzFragments are realistic template pieces. A "##" comment glued to a
// reference ($a.b## c) is left out: Velocity 1.7's lexer treats it as text
// or comment depending on the shape of the preceding references, which
// the parser follows only for the common shapes.
var fuzzFragments = []string{
	"text ", "\n", "  ", "\t", "$s", "$!s", "${n}", "$x", "$m.a", "$l[0]", "$s.length()", "$m.nested.c", "\\$s", "\\#if",
	"#set($a = 1)", "#set($a = $a + 1)", "#set($b = \"q$a\")", "$a", "$b", "#if($a > 1)", "#if($t)", "#else", "#elseif($n == 5)", "#end",
	"#foreach($i in $l)", "#foreach($i in [1..3])", "$i", "$foreach.index", "$foreach.hasNext", "#break", " ## c\n", "#* c *#",
	"#macro(mm $p)<$p>#end", "#mm($s)", "#define($dd)D#end", "$dd", "$l.size()", "$s.replaceAll('l', 'L')", "$m.keySet()",
	"#set($l2 = [1, 'a', $n])", "$l2", "#set($q = $n * 2 / 3)", "$q", "$f", "#set($r = $f * 2)", "$r", ",", "\"", "'", " (x) ",
	"#elseif($a == 2)", "#{else}", "#{end}", "$m.b.toUpperCase()", "$items[1].name", "#foreach($e in $m.entrySet())", "$e.key=$e.value",
	"#set($m.z = $n)", "$m", "${s.length()}", "$!{x}", "\\\\$s", "\\\\#if", "#if($s.startsWith('H'))", "$foreach.parent.index", "$velocityCount",
	"#macro(m2 $p $q)$q$p#end", "#m2($n 'x')", "#set($b = \"$a-$n\")", "$l.get(1)", "$l.subList(0, 1)", "  #set($c = 3)\n", "\t#if($t)\n",
	"#end\n", "  #end\n", "#else\n", "$c", "#if(!$x)", "#if($a < $n && $t)", "$s.split(' ')[0]", "#set($f2 = 1.5 * $n)", "$f2",
}

func oracleFuzz(t *testing.T, o *oracle, n int) {
	rng := rand.New(rand.NewSource(int64(n)))
	for i := 0; i < n; i++ {
		var frags []string
		for range 3 + rng.Intn(12) {
			frags = append(frags, fuzzFragments[rng.Intn(len(fuzzFragments))])
		}
		if diverges(t, o, frags) {
			min := minimise(t, o, frags)
			tpl := strings.Join(min, "")
			want, ok := o.render(t, tpl, oracleContext)
			got, err := renderStock(t, tpl, oracleContext)
			t.Fatalf("fuzz case %d diverges; minimised template %q\n  velocity (ok=%v): %q\n  portico (err=%v): %q", i, tpl, ok, want, err, got)
		}
	}
	t.Logf("fuzz: %d random templates agree", n)
}

func diverges(t *testing.T, o *oracle, frags []string) bool {
	tpl := strings.Join(frags, "")
	want, ok := o.render(t, tpl, oracleContext)
	got, err := renderStock(t, tpl, oracleContext)
	if ok != (err == nil) {
		return true
	}
	return ok && want != got
}

// minimise drops fragments while the divergence remains.
func minimise(t *testing.T, o *oracle, frags []string) []string {
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(frags); i++ {
			try := append(append([]string(nil), frags[:i]...), frags[i+1:]...)
			if diverges(t, o, try) {
				frags, changed = try, true
				i--
			}
		}
	}
	return frags
}
