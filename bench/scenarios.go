package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const (
	nameDirect  = "Go net/http backend, direct"
	nameGoProxy = "httputil.ReverseProxy"
	nameNginx   = "nginx proxy_pass"
	nameREST    = "Portico REST HTTP_PROXY"
	nameHTTPAPI = "Portico HTTP API HTTP_PROXY"
)

// startGoProxy runs the bare httputil.ReverseProxy in front of the backend.
func (h *harness) startGoProxy(ctx context.Context) (*proc, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p, err := h.procs.start("goproxy", filepath.Join(h.work, "goproxy.log"), h.work, nil, self, "proxy", addr, h.beURL)
	if err != nil {
		return nil, "", err
	}
	return p, "http://" + addr, waitHTTP(ctx, p, "http://"+addr+"/", 10*time.Second)
}

// startNginx runs nginx in the foreground with keep-alive upstream
// connections to the backend (the peers' anchors/nginx-proxy.conf
// settings), or says how to install it.
func (h *harness) startNginx(ctx context.Context) (*proc, string, error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, c := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
			if _, e := os.Stat(c); e == nil {
				bin, err = c, nil
				break
			}
		}
	}
	if err != nil {
		return nil, "", errors.New("nginx is not installed (apt-get install -y nginx-light)")
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	prefix := filepath.Join(h.work, "nginx")
	if err := os.MkdirAll(filepath.Join(prefix, "logs"), 0o755); err != nil {
		return nil, "", err
	}
	conf := fmt.Sprintf(`worker_processes 2;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream be { server %[2]s; keepalive 128; }
  server {
    listen 127.0.0.1:%[3]d;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`, prefix, strings.TrimPrefix(h.beURL, "http://"), port)
	cf := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		return nil, "", err
	}
	p, err := h.procs.start("nginx", filepath.Join(h.work, "nginx.log"), prefix, nil, bin, "-p", prefix, "-e", filepath.Join(prefix, "logs", "error.log"), "-c", cf)
	if err != nil {
		return nil, "", err
	}
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	return p, u, waitHTTP(ctx, p, u+"/", 10*time.Second)
}

// floor: HTTP_PROXY through Portico against the floor a Go gateway
// stands on.
func (h *harness) floor(ctx context.Context) error {
	gp, gpURL, err := h.startGoProxy(ctx)
	if err != nil {
		return err
	}
	defer h.procs.stopOne(gp)
	cs := []contestant{{Name: nameDirect, Target: target{URL: h.beURL + "/hello"}}, {Name: nameGoProxy, Target: target{URL: gpURL + "/hello"}}}
	ng, ngURL, err := h.startNginx(ctx)
	if err != nil {
		h.note("floor: nginx skipped: %v", err)
	} else {
		defer h.procs.stopOne(ng)
		cs = append(cs, contestant{Name: nameNginx, Target: target{URL: ngURL + "/hello"}})
	}
	pp, _, err := startPortico(h.procs, h.portico, h.work, "portico-floor", "")
	if err != nil {
		return err
	}
	defer h.procs.stopOne(pp.proc)
	id, err := pp.createREST(ctx, "bench-floor", "bench", []restMethod{{Path: "/hello", HTTPMethod: "GET", Integ: httpProxy(h.beURL + "/hello")}})
	if err != nil {
		return fmt.Errorf("configure REST API: %w", err)
	}
	portico := contestant{Name: nameREST, Target: target{URL: pp.restURL(id, "bench", "/hello")}, Portico: true}
	cs = append(cs, portico)
	if tgs, err := pp.createHTTPAPI(ctx, h.beURL+"/hello"); err != nil {
		h.note("floor: %s skipped: %v", nameHTTPAPI, err)
	} else {
		found := false
		var lastErr error
		for _, tg := range tgs {
			if _, lastErr = check(ctx, tg); lastErr == nil {
				cs = append(cs, contestant{Name: nameHTTPAPI, Target: tg, Portico: true})
				found = true
				break
			}
		}
		if !found {
			h.note("floor: %s skipped: data plane not available in this build (%v)", nameHTTPAPI, lastErr)
		}
	}
	t, err := h.drive(ctx, "HTTP proxy: the floor (GET, 41-byte JSON answer)", nameGoProxy, cs)
	if t == nil {
		return err
	}
	missed := false
	for _, tg := range []struct {
		who, peer string
		want      float64
	}{{nameREST, nameGoProxy, 1.5}, {nameREST, nameNginx, 0.8}, {nameHTTPAPI, nameNginx, 0.8}} {
		tr := targetResult{What: fmt.Sprintf("%s req/s vs %s, concurrency 32", tg.who, tg.peer), Want: tg.want}
		if x := t.ratio(tg.who, tg.peer, 32); x > 0 {
			tr.Got, tr.Measured = x, true
			if x < tg.want {
				missed = true
				tr.Why = "see the HTTP_PROXY profile below"
			}
		} else {
			tr.Why = tg.peer + " or concurrency 32 not run"
		}
		h.targets = append(h.targets, tr)
	}
	if missed {
		h.profile(ctx, "HTTP_PROXY hot path (REST, Portico process under wrk -c32)", pp.proc, portico.Target,
			"./internal/server", "^BenchmarkHTTPProxyParallel$")
	}
	return err
}

// The typical mapping template of the VTL work (the velocityjs peer's
// TEMPLATE), and the request it renders.
const (
	typicalTemplate = `#set($inputRoot = $input.path('$'))
{
  "body": $input.json('$'),
  "q": "$input.params('q')",
  "id": "$input.params('id')",
  "ua": "$util.escapeJavaScript($input.params('User-Agent'))",
  "items": [#foreach($i in $input.path('$.items'))"$i.name"#if($foreach.hasNext),#end#end],
  "count": $inputRoot.items.size(),
  "stage": "$context.stage",
  "requestId": "$context.requestId",
  "method": "$context.httpMethod",
  "headers": {
    #foreach($h in $input.params().header.keySet())
    "$h": "$util.escapeJavaScript($input.params().header.get($h))"#if($foreach.hasNext),#end
    #end
  }
}`
	typicalBody = `{"items":[{"name":"apple","qty":1},{"name":"banana","qty":2},{"name":"cherry","qty":3},{"name":"date","qty":4},{"name":"elder","qty":5}],"note":"hello \"world\""}`
)

// mockTemplates is MOCK's request template (the typical template, plus
// the statusCode MOCK selects on) and its response template.
func mockTemplates() (req, resp string) {
	req = strings.Replace(typicalTemplate, "{\n  \"body\"", "{\n  \"statusCode\": 200,\n  \"body\"", 1)
	resp = `{"id": "$input.params('id')", "q": "$input.params('q')", "stage": "$context.stage", "requestId": "$context.requestId"}`
	return req, resp
}

func mockMethod(path, reqTpl, respTpl string) restMethod {
	return restMethod{Path: path, HTTPMethod: "POST",
		Integ: apigateway.PutIntegrationInput{Type: agtypes.IntegrationTypeMock,
			RequestTemplates: map[string]string{"application/json": reqTpl}},
		Responses: map[string]map[string]string{"200": {"application/json": respTpl}}}
}

func mockTarget(url string) target {
	return target{URL: url, Method: "POST", Body: typicalBody,
		Header: map[string]string{"Content-Type": "application/json", "User-Agent": `bench/1.0 "quoted"`, "Accept": "*/*"}}
}

// mock: MOCK integrations, static and with the typical template.
func (h *harness) mock(ctx context.Context) error {
	pp, _, err := startPortico(h.procs, h.portico, h.work, "portico-mock", "")
	if err != nil {
		return err
	}
	defer h.procs.stopOne(pp.proc)
	reqTpl, respTpl := mockTemplates()
	id, err := pp.createREST(ctx, "bench-mock", "bench", []restMethod{
		mockMethod("/static", `{"statusCode": 200}`, `{"message":"hello from the mock 0000001"}`),
		mockMethod("/orders/{id}", reqTpl, respTpl),
	})
	if err != nil {
		return fmt.Errorf("configure MOCK API: %w", err)
	}
	static := contestant{Name: "Portico MOCK, static template", Target: mockTarget(pp.restURL(id, "bench", "/static")), Portico: true}
	vtl := contestant{Name: "Portico MOCK, typical VTL template", Target: mockTarget(pp.restURL(id, "bench", "/orders/42?q=search+term")), Portico: true}
	cs := []contestant{static}
	body, err := check(ctx, vtl.Target)
	switch {
	case err != nil:
		h.note("mock: the typical-template MOCK skipped: MOCK with VTL not available in this build (%v)", err)
	case strings.Contains(body, "$input") || strings.Contains(body, "$context"):
		h.note("mock: the typical-template MOCK skipped: VTL rendering of MOCK templates not available in this build (template returned as is)")
	default:
		cs = append(cs, vtl)
	}
	t, err := h.drive(ctx, "MOCK integration (POST, 150-byte JSON body; request template rendered, then response template)", static.Name, cs)
	if t == nil {
		return err
	}
	if len(cs) > 1 && err == nil {
		h.profileIfAsked(ctx, pp.proc, vtl.Target)
	}
	return err
}

// profileIfAsked is a hook for the MOCK scenario: MOCK has no target ratio,
// so it is profiled only on request (PORTICO_BENCH_PROFILE=mock).
func (h *harness) profileIfAsked(ctx context.Context, p *proc, tg target) {
	if os.Getenv("PORTICO_BENCH_PROFILE") == "mock" {
		h.profile(ctx, "MOCK with the typical template (Portico process under wrk -c32)", p, tg, "", "")
	}
}

// vtl: renders per second, Portico against velocityjs, same template and
// body, each building the request context, rendering and parsing the
// output as JSON.
func (h *harness) vtl(ctx context.Context) error {
	script := filepath.Join(h.o.peers, "velocityjs_bench.js")
	nodeOK := true
	var nodeDir string
	if _, err := os.Stat(script); err != nil {
		h.note("vtl: velocityjs skipped: %s not found (pass --peers)", script)
		nodeOK = false
	} else if nodeDir, err = h.npmInstall(ctx, "velocityjs", []string{"velocityjs@2.1.7", "jsonpath-plus@10.4.0"}, "--no-save"); err != nil {
		h.note("vtl: velocityjs skipped: %v", err)
		nodeOK = false
	}
	n := 20000
	benchtime := "2s"
	if h.o.quick {
		n, benchtime = 2000, "300ms"
	}
	var goRPS, renderRPS []float64
	var nodeRPS = map[string][]float64{}
	for r := 0; r < h.o.rounds; r++ {
		ns, err := h.goBench(ctx, "./internal/mapping", "^BenchmarkVelocityjs(Template|Render)$", benchtime)
		if err != nil {
			return err
		}
		v, ok := ns["BenchmarkVelocityjsTemplate"]
		if !ok {
			return fmt.Errorf("BenchmarkVelocityjsTemplate in ./internal/mapping: %w", errNotInBuild)
		}
		goRPS = append(goRPS, 1e9/v.nsOp)
		if r, ok := ns["BenchmarkVelocityjsRender"]; ok {
			renderRPS = append(renderRPS, 1e9/r.nsOp)
		}
		h.logf("  round %d  Portico %.0f renders/s", r+1, 1e9/v.nsOp)
		if nodeOK {
			cmd := exec.CommandContext(ctx, "node", script, strconv.Itoa(n))
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(nodeDir, "node_modules"))
			cmd.Dir = h.work
			out, err := runBounded(ctx, cmd, 10*time.Minute)
			if err != nil {
				h.note("vtl: velocityjs failed: %v\n%s", err, tail(out, 500))
				nodeOK = false
				continue
			}
			for _, line := range strings.Split(string(out), "\n") {
				f := strings.Fields(line)
				// cached-compile     20000 renders in 2.01 s = 9950 renders/s (...)
				if len(f) >= 9 && f[8] == "renders/s" {
					if x, err := strconv.ParseFloat(f[7], 64); err == nil {
						nodeRPS[f[0]] = append(nodeRPS[f[0]], x)
						h.logf("  round %d  velocityjs %s %.0f renders/s", r+1, f[0], x)
					}
				}
			}
		}
	}
	pRPS := median(goRPS)
	ref := median(nodeRPS["cached-compile"])
	var b strings.Builder
	b.WriteString("### VTL renders/s (the typical template, 150-byte body; request context built, rendered, output parsed as JSON)\n\n")
	b.WriteString("| engine | renders/s | µs/render | vs velocityjs cached compile |\n|---|--:|--:|--:|\n")
	row := func(name string, x float64) {
		ratio := "—"
		if ref > 0 {
			ratio = fmt.Sprintf("%.1fx", x/ref)
		}
		fmt.Fprintf(&b, "| %s | %s | %.1f | %s |\n", name, fmtRPS(x), 1e6/x, ratio)
	}
	row("Portico (`go test -bench BenchmarkVelocityjsTemplate ./internal/mapping`)", pRPS)
	if len(renderRPS) > 0 {
		row("Portico, output not parsed (`BenchmarkVelocityjsRender`; not the target's measure)", median(renderRPS))
	}
	for _, m := range []string{"cached-compile", "cached-ast", "per-request-parse"} {
		if xs := nodeRPS[m]; len(xs) > 0 {
			row("velocityjs 2.1.7, "+m, median(xs))
		}
	}
	h.sections = append(h.sections, b.String())
	tr := targetResult{What: "Portico VTL renders/s vs velocityjs (cached compile)", Want: 20}
	if ref > 0 {
		tr.Got, tr.Measured = pRPS/ref, true
		if tr.Got < tr.Want {
			tr.Why = "see the VTL profile below"
			h.profile(ctx, "VTL render of the typical template", nil, target{}, "./internal/mapping", "^BenchmarkVelocityjsTemplate$")
		}
	} else {
		tr.Why = "velocityjs not run"
	}
	h.targets = append(h.targets, tr)
	return nil
}

// lambda: Lambda proxy to warm local functions, against serverless-offline
// serving the same Node.js handler.
func (h *harness) lambda(ctx context.Context) error {
	handler := filepath.Join(h.o.peers, "serverless-offline", "handler.js")
	var cs []contestant
	var portico *porticoProc
	nodeName := "Portico Lambda proxy → Node.js function"
	if _, err := os.Stat(handler); err != nil {
		return fmt.Errorf("%s not found (pass --peers): %w", handler, err)
	}
	pp, _, err := startPortico(h.procs, h.portico, h.work, "portico-lambda", "")
	if err != nil {
		return err
	}
	defer h.procs.stopOne(pp.proc)
	portico = pp
	err = pp.createFunction(ctx, "hello-node", ltypes.RuntimeNodejs20x, "handler.hello", map[string]string{"handler.js": handler})
	if err == nil {
		err = pp.createFunction(ctx, "hello-go", ltypes.RuntimeProvidedal2023, "bootstrap", map[string]string{"bootstrap": h.gofunc})
	}
	if err != nil {
		h.note("lambda: Portico skipped: %v", err)
		portico = nil
	} else {
		id, err := pp.createREST(ctx, "bench-lambda", "bench", []restMethod{
			{Path: "/go", HTTPMethod: "GET", Integ: lambdaProxy("hello-go")},
			{Path: "/node", HTTPMethod: "GET", Integ: lambdaProxy("hello-node")},
		})
		if err != nil {
			h.note("lambda: Portico skipped: AWS_PROXY integration not available in this build (%v)", err)
			portico = nil
		} else {
			for _, c := range []contestant{
				{Name: "Portico Lambda proxy → Go function", Target: target{URL: pp.restURL(id, "bench", "/go")}, Portico: true},
				{Name: nodeName, Target: target{URL: pp.restURL(id, "bench", "/node")}, Portico: true},
			} {
				if _, err := check(ctx, c.Target); err != nil {
					h.note("lambda: %s skipped: Lambda proxy data plane not available in this build (%v)", c.Name, err)
					continue
				}
				cs = append(cs, c)
			}
		}
	}
	slsDefault, slsInProc := "serverless-offline 13.10.1", "serverless-offline 13.10.1 --useInProcess"
	if dir, err := h.npmInstall(ctx, "serverless-offline", []string{"serverless@3.40.0", "serverless-offline@13.10.1"}, ""); err != nil {
		h.note("lambda: serverless-offline skipped: %v", err)
	} else {
		for _, f := range []string{"serverless.yml", "handler.js"} {
			b, err := os.ReadFile(filepath.Join(h.o.peers, "serverless-offline", f))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
				return err
			}
		}
		for _, m := range []struct {
			name  string
			extra []string
		}{{slsDefault, nil}, {slsInProc, []string{"--useInProcess"}}} {
			u, err := h.startOffline(ctx, dir, m.name, m.extra)
			if err != nil {
				h.note("lambda: %s skipped: %v", m.name, err)
				continue
			}
			cs = append(cs, contestant{Name: m.name, Target: target{URL: u + "/dev/hello"}})
		}
	}
	if len(cs) == 0 {
		return fmt.Errorf("no contestant: %w", errNotInBuild)
	}
	t, derr := h.drive(ctx, "Lambda proxy (GET, the peers' `hello` handler; Go function answers the same body)", slsDefault, cs)
	missed := false
	for _, tg := range []struct {
		peer string
		want float64
	}{{slsDefault, 10}, {slsInProc, 4}} {
		tr := targetResult{What: fmt.Sprintf("%s req/s vs %s, concurrency 32", nodeName, tg.peer), Want: tg.want}
		if x := ratioOf(t, nodeName, tg.peer, 32); x > 0 {
			tr.Got, tr.Measured = x, true
			if x < tg.want {
				missed = true
				tr.Why = "see the Lambda proxy profile below"
			}
		} else {
			tr.Why = "Portico Lambda proxy not available in this build, or peer not run"
		}
		h.targets = append(h.targets, tr)
	}
	if missed && portico != nil {
		for _, c := range cs {
			if c.Name == nodeName {
				h.profile(ctx, "Lambda proxy to the Node.js function (Portico process under wrk -c32)", portico.proc, c.Target, "./internal/lambda", "^BenchmarkInvokeWarm$")
			}
		}
	}
	return derr
}

func ratioOf(t *loadTable, a, b string, conc int) float64 {
	if t == nil {
		return 0
	}
	return t.ratio(a, b, conc)
}

// startOffline starts serverless-offline (node itself, so the PID is the
// server's) on free ports and waits for GET /dev/hello.
func (h *harness) startOffline(ctx context.Context, dir, label string, extra []string) (string, error) {
	var ports [3]int
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return "", err
		}
		ports[i] = p
	}
	args := append([]string{"node_modules/serverless/bin/serverless.js", "offline", "--host", "127.0.0.1",
		"--httpPort", strconv.Itoa(ports[0]), "--lambdaPort", strconv.Itoa(ports[1]), "--websocketPort", strconv.Itoa(ports[2])}, extra...)
	logName := strings.NewReplacer(" ", "-", ".", "").Replace(label) + ".log"
	p, err := h.procs.start(label, filepath.Join(h.work, logName), dir,
		[]string{"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off"},
		"node", args...)
	if err != nil {
		return "", err
	}
	u := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	deadline := time.Now().Add(120 * time.Second)
	for {
		if _, err := check(ctx, target{URL: u + "/dev/hello"}); err == nil {
			return u, nil
		} else if p.exited() || time.Now().After(deadline) || ctx.Err() != nil {
			b, _ := os.ReadFile(p.log.Name())
			h.procs.stopOne(p)
			return "", fmt.Errorf("did not answer /dev/hello: %v\n%s", err, tail(b, 800))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// npmInstall installs pkgs into <cache>/<name> unless already there.
func (h *harness) npmInstall(ctx context.Context, name string, pkgs []string, flag string) (string, error) {
	dir := filepath.Join(h.o.cache, name)
	stamp := filepath.Join(dir, ".installed-"+strings.Join(pkgs, "+"))
	if _, err := os.Stat(stamp); err == nil {
		return dir, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", errors.New("npm is not installed")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil && flag == "" {
		if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"portico-bench-peers","private":true}`+"\n"), 0o644); err != nil {
			return "", err
		}
	}
	h.logf("npm install %s (into %s)", strings.Join(pkgs, " "), dir)
	args := []string{"install", "--no-audit", "--no-fund"}
	if flag != "" {
		args = append(args, flag)
	}
	cmd := exec.CommandContext(ctx, "npm", append(args, pkgs...)...)
	cmd.Dir = dir
	if out, err := runBounded(ctx, cmd, 5*time.Minute); err != nil {
		return "", fmt.Errorf("npm install %s failed (npm registry unreachable?): %v\n%s", strings.Join(pkgs, " "), err, tail(out, 500))
	}
	return dir, os.WriteFile(stamp, nil, 0o644)
}

// runBounded runs cmd with a time limit and returns its combined output.
func runBounded(ctx context.Context, cmd *exec.Cmd, limit time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	c := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	c.Dir, c.Env = cmd.Dir, cmd.Env
	return c.CombinedOutput()
}

// benchLine is one `go test -bench` result line.
type benchLine struct {
	nsOp, allocs float64
}

// goBench runs benchmarks of pkg and returns ns/op by name (GOMAXPROCS
// suffix removed).
func (h *harness) goBench(ctx context.Context, pkg, re, benchtime string) (map[string]benchLine, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", re, "-benchmem", "-benchtime", benchtime, "-count", "1", pkg)
	cmd.Dir = h.o.repo
	out, err := runBounded(ctx, cmd, 5*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("go test -bench %s %s: %v\n%s", re, pkg, err, tail(out, 1500))
	}
	res := map[string]benchLine{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		var bl benchLine
		bl.nsOp, _ = strconv.ParseFloat(f[2], 64)
		for i := 4; i+1 < len(f); i++ {
			if f[i+1] == "allocs/op" {
				bl.allocs, _ = strconv.ParseFloat(f[i], 64)
			}
		}
		res[name] = bl
	}
	return res, nil
}

// routes: route lookup time against the number of resources.
func (h *harness) routes(ctx context.Context) error {
	benchtime := "1s"
	if h.o.quick {
		benchtime = "200ms"
	}
	samples := map[string][]float64{}
	allocs := map[string]float64{}
	for r := 0; r < h.o.rounds; r++ {
		res, err := h.goBench(ctx, "./internal/router", "^BenchmarkMatch", benchtime)
		if err != nil {
			return err
		}
		for k, v := range res {
			samples[k] = append(samples[k], v.nsOp)
			allocs[k] = v.allocs
		}
	}
	var b strings.Builder
	b.WriteString("### Route lookup (`go test -bench BenchmarkMatch ./internal/router`)\n\n| table | routes | ns/lookup | allocs |\n|---|--:|--:|--:|\n")
	found := false
	for _, c := range []struct{ bench, kind, n string }{
		{"BenchmarkMatchREST10", "REST resources", "10"}, {"BenchmarkMatchREST1000", "REST resources", "1,000"},
		{"BenchmarkMatchREST10000", "REST resources", "10,000"}, {"BenchmarkMatchHTTP10", "HTTP API routes", "10"},
		{"BenchmarkMatchHTTP5000", "HTTP API routes", "5,000"},
	} {
		if xs := samples[c.bench]; len(xs) > 0 {
			found = true
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.0f |\n", c.kind, c.n, median(xs), allocs[c.bench])
		}
	}
	if !found {
		return fmt.Errorf("BenchmarkMatchREST* in ./internal/router: %w", errNotInBuild)
	}
	h.sections = append(h.sections, b.String())
	return nil
}

// startup: time to listen and to answer, and resident memory, with many
// APIs deployed in a data directory.
func (h *harness) startup(ctx context.Context) error {
	data := filepath.Join(h.work, "startup-data")
	pp, _, err := startPortico(h.procs, h.portico, h.work, "portico-startup-build", data)
	if err != nil {
		return err
	}
	h.logf("  creating %d APIs of 10 routes", h.o.apis)
	t0 := time.Now()
	ids := make([]string, h.o.apis)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := 0
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := firstErr != nil || i >= h.o.apis || ctx.Err() != nil
				mu.Unlock()
				if stop {
					return
				}
				var ms []restMethod
				for r := 0; r < 10; r++ {
					ms = append(ms, restMethod{Path: fmt.Sprintf("/r%d", r), HTTPMethod: "GET", Integ: httpProxy(h.beURL + "/hello")})
				}
				id, err := pp.createREST(ctx, fmt.Sprintf("bench-startup-%04d", i), "bench", ms)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				ids[i] = id
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	created := time.Since(t0)
	h.procs.stopOne(pp.proc)
	if firstErr != nil {
		return fmt.Errorf("create APIs: %w", firstErr)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	h.logf("  created in %v; restarting", created.Round(time.Millisecond))

	type measure struct {
		listen, first time.Duration
		rssKB         int
	}
	var ms []measure
	var idle []int
	for r := 0; r < h.o.rounds; r++ {
		// an empty data directory, for the baseline
		empty := filepath.Join(h.work, fmt.Sprintf("startup-empty-%d", r))
		ep, _, err := startPortico(h.procs, h.portico, h.work, "portico-startup-empty", empty)
		if err != nil {
			return err
		}
		if _, err := ep.v1.GetRestApis(ctx, &apigateway.GetRestApisInput{}); err != nil {
			h.procs.stopOne(ep.proc)
			return err
		}
		kb, err := rssKB(ep.pid())
		h.procs.stopOne(ep.proc)
		if err != nil {
			return err
		}
		idle = append(idle, kb)

		t0 := time.Now()
		p, listen, err := startPortico(h.procs, h.portico, h.work, "portico-startup", data)
		if err != nil {
			return err
		}
		u := p.restURL(ids[len(ids)-1], "bench", "/r9")
		c := &http.Client{Timeout: 5 * time.Second}
		var first time.Duration
		for {
			resp, err := c.Get(u)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					first = time.Since(t0)
					break
				}
			}
			if time.Since(t0) > 2*time.Minute {
				h.procs.stopOne(p.proc)
				return fmt.Errorf("no successful request to %s within 2 minutes of start", u)
			}
			time.Sleep(2 * time.Millisecond)
		}
		// every API answers
		for _, id := range []string{ids[0], ids[len(ids)/2]} {
			if _, err := check(ctx, target{URL: p.restURL(id, "bench", "/r0")}); err != nil {
				h.procs.stopOne(p.proc)
				return err
			}
		}
		kb, err = rssKB(p.pid())
		h.procs.stopOne(p.proc)
		if err != nil {
			return err
		}
		ms = append(ms, measure{listen: listen, first: first, rssKB: kb})
		h.logf("  round %d  listening after %v, first answer after %v, VmRSS %d kB (empty: %d kB)", r+1,
			listen.Round(time.Millisecond), first.Round(time.Millisecond), kb, idle[len(idle)-1])
	}
	var l, f, rss, idleF []float64
	for i, m := range ms {
		l, f, rss = append(l, float64(m.listen.Microseconds())), append(f, float64(m.first.Microseconds())), append(rss, float64(m.rssKB))
		idleF = append(idleF, float64(idle[i]))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### Start-up with %s APIs of 10 routes (HTTP_PROXY), bbolt data directory\n\n", commas(h.o.apis))
	b.WriteString("| measure | value |\n|---|--:|\n")
	fmt.Fprintf(&b, "| start to \"portico listening\" | %s |\n", fmtUS(median(l)))
	fmt.Fprintf(&b, "| start to first successful data-plane request | %s |\n", fmtUS(median(f)))
	fmt.Fprintf(&b, "| resident memory (VmRSS) after the first request | %.1f MB |\n", median(rss)/1024)
	fmt.Fprintf(&b, "| resident memory, empty data directory | %.1f MB |\n", median(idleF)/1024)
	fmt.Fprintf(&b, "| creating the %s APIs through the management API (4 clients, SDK) | %.1f s |\n", commas(h.o.apis), created.Seconds())
	h.sections = append(h.sections, b.String())
	return nil
}

func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// smoke: Portico under load must answer without a single error.
func (h *harness) smoke(ctx context.Context) error {
	pp, _, err := startPortico(h.procs, h.portico, h.work, "portico-smoke", "")
	if err != nil {
		return err
	}
	defer h.procs.stopOne(pp.proc)
	reqTpl, respTpl := mockTemplates()
	id, err := pp.createREST(ctx, "bench-smoke", "bench", []restMethod{
		{Path: "/hello", HTTPMethod: "GET", Integ: httpProxy(h.beURL + "/hello")},
		mockMethod("/static", `{"statusCode": 200}`, `{"message":"hello from the mock 0000001"}`),
		mockMethod("/orders/{id}", reqTpl, respTpl),
	})
	if err != nil {
		return fmt.Errorf("configure smoke API: %w", err)
	}
	cs := []contestant{
		{Name: nameREST, Target: target{URL: pp.restURL(id, "bench", "/hello")}, Portico: true},
		{Name: "Portico MOCK, static template", Target: mockTarget(pp.restURL(id, "bench", "/static")), Portico: true},
	}
	vtl := contestant{Name: "Portico MOCK, typical VTL template", Target: mockTarget(pp.restURL(id, "bench", "/orders/42?q=search+term")), Portico: true}
	if body, err := check(ctx, vtl.Target); err == nil && !strings.Contains(body, "$input") {
		cs = append(cs, vtl)
	} else {
		h.note("smoke: MOCK with VTL not available in this build; smoke covers HTTP_PROXY and static MOCK")
	}
	_, err = h.drive(ctx, "Smoke: Portico under load", nameREST, cs)
	if err == nil && pp.exited() {
		err = fmt.Errorf("portico exited under load: %v", pp.err)
	}
	return err
}
