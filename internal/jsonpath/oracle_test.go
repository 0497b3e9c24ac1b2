package jsonpath

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/vtl"
)

// oracleJars are the Debian packages libjsonpath-java and
// libjson-smart-java (and their dependencies) in /usr/share/java.
var oracleJars = []string{"json-path.jar", "json-smart.jar", "accessors-smart.jar", "asm.jar", "slf4j-api.jar", "slf4j-nop.jar"}

// oracle is a running tools/jsonpathoracle JVM.
type oracle struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startOracle starts the Jayway harness or skips the test when Java or
// the jars are missing. PORTICO_JSONPATH_JARS overrides the jar folder.
func startOracle(t *testing.T) *oracle {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("skipping Jayway differential test: java not on PATH (install openjdk-17-jre-headless)")
	}
	dir := os.Getenv("PORTICO_JSONPATH_JARS")
	if dir == "" {
		dir = "/usr/share/java"
	}
	var cp []string
	for _, j := range oracleJars {
		p := filepath.Join(dir, j)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("skipping Jayway differential test: %s missing (apt-get install -y libjsonpath-java libjson-smart-java)", p)
		}
		cp = append(cp, p)
	}
	src, err := filepath.Abs("../../tools/jsonpathoracle/JsonPathOracle.java")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", strings.Join(cp, ":"), src)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return &oracle{cmd: cmd, in: in, out: bufio.NewReader(out)}
}

func (o *oracle) eval(path, doc string) (string, error) {
	if _, err := fmt.Fprintf(o.in, "%s\n%s\n", path, doc); err != nil {
		return "", err
	}
	line, err := o.out.ReadString('\n')
	return strings.TrimSuffix(line, "\n"), err
}

var oracleDocs = []string{
	`{"store":{"book":[{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}],"bicycle":{"color":"red","price":19.95}},"expensive":10}`,
	`{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}],"count":3,"owner":{"name":"Ann","tags":["a","b"]}}`,
	`[1,2,3,4,5]`,
	`[{"a":1,"b":"x"},{"a":2,"b":"y"},{"a":3,"b":"x","c":null},{"a":4.5,"b":"z","c":true}]`,
	`{"a":{"b":{"c":[{"d":1},{"d":2}]}},"d":0,"e":"str","f":null,"g":true,"h":[],"i":{},"j":1.0,"k":-7,"l":1e3,"m":12345678901234}`,
	`{"errorMessage":"{\"errorType\":\"Bad\",\"httpStatus\":400}","errorType":"Error","stackTrace":["a","b"]}`,
	`{"name":"Ünïcødé \"q\" / \\ \t","nested":[[1,2],[3,[4,5]]],"x-y":"hy","a b":1}`,
	`{"items":[{"name":"apple","qty":1},{"name":"banana","qty":2},{"name":"cherry","qty":3}],"note":"hello"}`,
}

var oraclePaths = []string{
	`$`, `$.*`, `$..*`, `$[*]`,
	`$.store`, `$.store.book`, `$.store.book[0]`, `$.store.book[1].author`, `$.store.book[*].author`,
	`$..author`, `$.store.*`, `$.store..price`, `$..book[2]`, `$..book[0,1]`, `$..book[:2]`, `$..book[1:3]`, `$..book[-2:]`,
	`$..book[?(@.isbn)]`, `$..book[?(@.price < 10)]`, `$..book[?(@.price <= 8.99)].title`, `$.store.book[?(@.price > 10 && @.category == 'fiction')].title`,
	`$.store.book[?(@.price < 9 || @.price > 20)].author`, `$.store.book[?(@.author =~ /.*Tolkien/)]`, `$.store.book[?(@.author =~ /nigel.*/i)].price`,
	`$.store.book[?(!@.isbn)].title`, `$.store.book[?(@.category != 'fiction')]`, `$..[?(@.price)]`, `$..price`, `$.expensive`, `$['store']['bicycle']['color']`,
	`$['store','expensive']`, `store.bicycle.color`, `$.store.bicycle.nope`, `$.store.book[9]`, `$.store.book.title`,
	`$.pets`, `$.pets[0]`, `$.pets[0].type`, `$.pets[2].price`, `$.pets[*].id`, `$.pets[?(@.id >= 2)].type`, `$.pets[?(@.type == 'cat')].price`,
	`$.pets[1:]`, `$.pets[0:1]`, `$.count`, `$.owner`, `$.owner.tags`, `$.owner.tags[1]`, `$..tags[*]`, `$..name`, `$..id`,
	`$[0]`, `$[4]`, `$[0,2,4]`, `$[1:3]`, `$[:3]`, `$[2:]`, `$[-3:]`, `$[?(@ > 2)]`, `$[?(@ == 3)]`, `$[7]`,
	`$[?(@.a > 1)]`, `$[?(@.a > 1)].b`, `$[?(@.b == 'x')].a`, `$[?(@.c)]`, `$[?(@.c == true)]`, `$[?(@.a == 4.5)]`, `$[?(@.a != 2)]`, `$[*].a`, `$[*].c`, `$..a`, `$..c`,
	`$.a.b.c`, `$.a.b.c[1].d`, `$.a..d`, `$..d`, `$.e`, `$.f`, `$.g`, `$.h`, `$.i`, `$.j`, `$.k`, `$.l`, `$.m`, `$.h[0]`, `$.h[*]`, `$.i.*`,
	`$['e','g','zz']`, `$.a.b`, `$.a['b']`, `$.a.b['c'][0]`,
	`$.errorMessage`, `$.errorType`, `$.stackTrace`, `$.stackTrace[0]`,
	`$.name`, `$.nested`, `$.nested[1][1][0]`, `$.nested[*][*]`, `$..nested`, `$.x-y`, `$['a b']`,
	`$.items`, `$.items[*].name`, `$.items[?(@.qty >= 2)].name`, `$.items[?(@.name == 'banana')]`, `$.items.length`, `$.note`,
	`$.`, `$[`, `$.a b`, `$[?(@.a == 1]`, `$..`, `$[1:2:3]`,
}

// TestJaywayDifferential runs every (document, path) pair through Jayway
// and through Compile+Get and requires the same outcome: the same value
// (compared as JSON), the same definiteness, or no match / invalid path.
func TestJaywayDifferential(t *testing.T) {
	o := startOracle(t)
	cases := 0
	for di, doc := range oracleDocs {
		parsed, err := DecodeString(doc)
		if err != nil {
			t.Fatalf("doc %d: %v", di, err)
		}
		for _, path := range oraclePaths {
			got, err := o.eval(path, doc)
			if err != nil {
				t.Fatalf("oracle: %v", err)
			}
			cases++
			p, cerr := Compile(path)
			kind, rest, _ := strings.Cut(got, " ")
			switch kind {
			case "INVALID":
				if cerr == nil {
					t.Errorf("doc %d %s: Jayway rejects the path (%s), Compile accepted it", di, path, rest)
				}
				continue
			case "OK", "NOMATCH":
			default:
				t.Fatalf("oracle said %q", got)
			}
			if cerr != nil {
				t.Errorf("doc %d %s: Compile: %v; Jayway: %s", di, path, cerr, got)
				continue
			}
			def, val, _ := strings.Cut(rest, " ")
			if want := def == "true"; p.Definite() != want {
				t.Errorf("doc %d %s: Definite()=%v, Jayway %v", di, path, p.Definite(), want)
			}
			v, ok := p.Get(parsed)
			if kind == "NOMATCH" {
				if ok {
					t.Errorf("doc %d %s: got %s, Jayway: no match (%s)", di, path, AppendJSON(nil, v), val)
				}
				continue
			}
			if !ok {
				t.Errorf("doc %d %s: no match, Jayway %s", di, path, val)
				continue
			}
			want, err := DecodeString(val)
			if err != nil {
				t.Fatalf("decode oracle output %q: %v", val, err)
			}
			if !jsonEqual(v, want) {
				t.Errorf("doc %d %s:\n got %s\nwant %s", di, path, AppendJSON(nil, v), val)
			}
		}
	}
	t.Logf("%d (document, path) cases compared with Jayway", cases)
}

// jsonEqual compares two values as JSON: numbers by value.
func jsonEqual(a, b any) bool {
	if an, ok := number(a); ok {
		bn, ok := number(b)
		return ok && an == bn
	}
	switch x := a.(type) {
	case *vtl.List:
		y, ok := b.(*vtl.List)
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !jsonEqual(x.Items[i], y.Items[i]) {
				return false
			}
		}
		return true
	case *vtl.Map:
		y, ok := b.(*vtl.Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.Keys() {
			if y.Keys()[i] != k {
				return false
			}
			xv, _ := x.Get(k)
			yv, _ := y.Get(k)
			if !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return a == b
}
