package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// build compiles ./cmd/portico (and the Go Lambda function) into dir.
func build(ctx context.Context, repo, dir string) (portico, gofunc string, err error) {
	portico = filepath.Join(dir, "portico")
	gofunc = filepath.Join(dir, "gofunc", "bootstrap")
	for _, b := range [][2]string{{portico, "./cmd/portico"}, {gofunc, "./bench/gofunc"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b[0], b[1])
		cmd.Dir = repo
		if b[1] == "./bench/gofunc" {
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	return portico, gofunc, nil
}

// porticoProc is a running `portico serve` and clients of its
// management APIs.
type porticoProc struct {
	*proc
	URL string
	cfg aws.Config
	v1  *apigateway.Client
	v2  *apigatewayv2.Client
	fn  *lambda.Client
}

// startPortico runs `portico serve` on a free loopback port, in memory
// when dataDir is empty, and waits for "portico listening".
func startPortico(ps *procs, bin, work, label, dataDir string) (*porticoProc, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	args := []string{"serve", "--listen", "127.0.0.1:" + strconv.Itoa(port), "--log-level", "error"}
	if dataDir == "" {
		args = append(args, "--in-memory")
	} else {
		args = append(args, "--data", dataDir)
	}
	t0 := time.Now()
	p, err := ps.start(label, filepath.Join(work, label+".log"), work, nil, bin, args...)
	if err != nil {
		return nil, 0, err
	}
	if err := waitLine(p, "portico listening", 120*time.Second); err != nil {
		ps.stopOne(p)
		return nil, 0, err
	}
	ready := time.Since(t0)
	u := "http://127.0.0.1:" + strconv.Itoa(port)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", ""),
		BaseEndpoint: aws.String(u),
		HTTPClient:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
	}
	return &porticoProc{proc: p, URL: u, cfg: cfg, v1: apigateway.NewFromConfig(cfg),
		v2: apigatewayv2.NewFromConfig(cfg), fn: lambda.NewFromConfig(cfg)}, ready, nil
}

// restMethod is one method of a REST API the harness creates.
type restMethod struct {
	Path       string // e.g. "/hello" or "/orders/{id}"
	HTTPMethod string
	Integ      apigateway.PutIntegrationInput // RestApiId, ResourceId, HttpMethod filled in
	Responses  map[string]map[string]string   // integration responses: status -> response templates (MOCK/HTTP)
}

// createREST creates a REST API with methods and deploys it to stage; it
// returns the API id.
func (pp *porticoProc) createREST(ctx context.Context, name, stage string, methods []restMethod) (string, error) {
	api, err := pp.v1.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name)})
	if err != nil {
		return "", err
	}
	id := aws.ToString(api.Id)
	rs, err := pp.v1.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	if err != nil {
		return "", err
	}
	byPath := map[string]string{}
	for _, r := range rs.Items {
		byPath[aws.ToString(r.Path)] = aws.ToString(r.Id)
	}
	resource := func(path string) (string, error) {
		cur := "/"
		for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
			if part == "" {
				continue
			}
			next := strings.TrimSuffix(cur, "/") + "/" + part
			if _, ok := byPath[next]; !ok {
				r, err := pp.v1.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id,
					ParentId: aws.String(byPath[cur]), PathPart: aws.String(part)})
				if err != nil {
					return "", err
				}
				byPath[next] = aws.ToString(r.Id)
			}
			cur = next
		}
		return byPath[cur], nil
	}
	for _, m := range methods {
		rid, err := resource(m.Path)
		if err != nil {
			return "", err
		}
		if _, err := pp.v1.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: &rid,
			HttpMethod: aws.String(m.HTTPMethod), AuthorizationType: aws.String("NONE")}); err != nil {
			return "", err
		}
		in := m.Integ
		in.RestApiId, in.ResourceId, in.HttpMethod = api.Id, &rid, aws.String(m.HTTPMethod)
		if _, err := pp.v1.PutIntegration(ctx, &in); err != nil {
			return "", err
		}
		for status, tpls := range m.Responses {
			if _, err := pp.v1.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: &rid,
				HttpMethod: aws.String(m.HTTPMethod), StatusCode: aws.String(status)}); err != nil {
				return "", err
			}
			if _, err := pp.v1.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: &rid,
				HttpMethod: aws.String(m.HTTPMethod), StatusCode: aws.String(status), SelectionPattern: aws.String(""),
				ResponseTemplates: tpls}); err != nil {
				return "", err
			}
		}
	}
	if _, err := pp.v1.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String(stage)}); err != nil {
		return "", err
	}
	return id, nil
}

// restURL is the data-plane URL of a REST API stage path.
func (pp *porticoProc) restURL(apiID, stage, path string) string {
	return pp.URL + "/_aws/execute-api/" + apiID + "/" + stage + path
}

func httpProxy(uri string) apigateway.PutIntegrationInput {
	return apigateway.PutIntegrationInput{Type: agtypes.IntegrationTypeHttpProxy,
		IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(uri)}
}

// errNotInBuild marks a scenario whose Portico feature this build lacks.
var errNotInBuild = errors.New("not available in this build")

// probe answers whether the management API serves path (any status but
// 404/405 from the management mux counts as served).
func (pp *porticoProc) probe(ctx context.Context, path string) bool {
	req, _ := http.NewRequestWithContext(ctx, "GET", pp.URL+path, nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/apigateway/aws4_request")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == 200
}

// createHTTPAPI creates an HTTP API with one HTTP_PROXY route GET /hello
// to backend and returns candidate data-plane URLs for it.
func (pp *porticoProc) createHTTPAPI(ctx context.Context, backend string) ([]target, error) {
	if !pp.probe(ctx, "/v2/apis") {
		return nil, fmt.Errorf("HTTP API management (/v2/apis): %w", errNotInBuild)
	}
	api, err := pp.v2.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("bench-http"), ProtocolType: v2types.ProtocolTypeHttp})
	if err != nil {
		return nil, err
	}
	integ, err := pp.v2.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: v2types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("GET"),
		IntegrationUri: aws.String(backend), PayloadFormatVersion: aws.String("1.0")})
	if err != nil {
		return nil, err
	}
	if _, err := pp.v2.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /hello"),
		Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}); err != nil {
		return nil, err
	}
	if _, err := pp.v2.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		return nil, err
	}
	_, _ = pp.v2.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("$default")})
	id := aws.ToString(api.ApiId)
	return []target{
		{URL: pp.URL + "/_aws/execute-api/" + id + "/hello"},
		{URL: pp.URL + "/_aws/execute-api/" + id + "/$default/hello"},
		{URL: pp.URL + "/hello", Header: map[string]string{"Host": id + ".execute-api.localhost"}},
	}, nil
}

// createFunction creates a Lambda function from a directory of code.
func (pp *porticoProc) createFunction(ctx context.Context, name string, runtime ltypes.Runtime, handler string, files map[string]string) error {
	if !pp.probe(ctx, "/2015-03-31/functions") {
		return fmt.Errorf("Lambda management (/2015-03-31/functions): %w", errNotInBuild)
	}
	zipped, err := zipFiles(files)
	if err != nil {
		return err
	}
	_, err = pp.fn.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: runtime,
		Handler: aws.String(handler), Role: aws.String("arn:aws:iam::000000000000:role/bench"),
		Code: &ltypes.FunctionCode{ZipFile: zipped}, Timeout: aws.Int32(10)})
	return err
}

// lambdaProxy is the AWS_PROXY integration to a function of this region.
func lambdaProxy(fn string) apigateway.PutIntegrationInput {
	arn := "arn:aws:lambda:us-east-1:000000000000:function:" + fn
	return apigateway.PutIntegrationInput{Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations")}
}

// zipFiles zips name -> source file path; executables keep their mode.
func zipFiles(files map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(src)
		if err != nil {
			return nil, err
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(st.Mode())
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// check sends one request of tg and requires a 2xx answer.
func check(ctx context.Context, tg target) (string, error) {
	m := tg.Method
	if m == "" {
		m = "GET"
	}
	req, err := http.NewRequestWithContext(ctx, m, tg.URL, strings.NewReader(tg.Body))
	if err != nil {
		return "", err
	}
	for k, v := range tg.Header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	c := &http.Client{Timeout: 15 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return string(b), fmt.Errorf("%s %s: status %d: %.300s", m, tg.URL, resp.StatusCode, b)
	}
	return string(b), nil
}
