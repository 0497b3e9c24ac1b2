package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v2 "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/portico-dev/portico/internal/porticotest"
)

// TestPrivateIntegrationSeed is seed 002's private integration: a VPC
// link to a load balancer listener, request parameters
// "append:header.authforintegration" and "overwrite:path", a 403 mapping
// appending a header, a 200 mapping overwriting the status with 204, and
// tls_config.server_name_to_verify (integrations-v2.md §2.3, §5, §6).
func TestPrivateIntegrationSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	backend := httptest.NewTLSServer(http.HandlerFunc(echoHandler)) // certificate for example.com
	t.Cleanup(backend.Close)
	f := start(t, porticotest.Options{CAFile: writePEM(t, backend)})
	api := f.api(nil)
	link, err := f.c.CreateVpcLink(ctx, &v2.CreateVpcLinkInput{Name: aws.String("example"), SubnetIds: []string{"subnet-1"},
		Tags: map[string]string{"portico:targets": backend.Listener.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	listener := "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/example/50dc6c495c0c9188/f2f7dc8efc522ab2"
	integ := f.integration(&v2.CreateIntegrationInput{ApiId: &api, ConnectionId: link.VpcLinkId, ConnectionType: types.ConnectionTypeVpcLink,
		CredentialsArn: aws.String("arn:aws:iam::123456789012:role/example"), Description: aws.String("Example with a load balancer"),
		IntegrationMethod: aws.String("ANY"), IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: &listener,
		RequestParameters: map[string]string{"append:header.authforintegration": "$context.authorizer.authorizerResponse",
			"overwrite:path": "staticValueForIntegration"},
		ResponseParameters: map[string]map[string]string{"403": {"append:header.auth": "$context.authorizer.authorizerResponse"},
			"200": {"overwrite:statuscode": "204"}},
		TlsConfig: &types.TlsConfigInput{ServerNameToVerify: aws.String("example.com")}})
	f.route(api, "ANY /{proxy+}", integ)
	f.stage(api, "$default", true, nil)

	// 200 from the backend becomes 204.
	resp, body := f.call("POST", api, "/orders/1", "{}", nil)
	if resp.StatusCode != 204 || body != "" {
		t.Fatalf("200 mapping: status %d body %q, want 204 and no body", resp.StatusCode, body)
	}
	// 403 from the backend gets the auth header appended; the backend
	// saw the static path over TLS with SNI and Host example.com.
	resp, body = f.call("GET", api, "/orders/1", "", http.Header{"X-Want-Status": {"403"}})
	if resp.StatusCode != 403 {
		t.Fatalf("403 passthrough: status %d %s", resp.StatusCode, body)
	}
	if _, ok := resp.Header["Auth"]; !ok {
		t.Fatalf("403 mapping did not append header auth: %v", resp.Header)
	}
	e := decode(t, body)
	if e.Path != "/staticValueForIntegration" || e.Host != "example.com" {
		t.Fatalf("backend saw path %q host %q", e.Path, e.Host)
	}
	if _, ok := e.Header["Authforintegration"]; !ok {
		t.Fatalf("append:header.authforintegration missing: %v", e.Header)
	}

	// A wrong serverNameToVerify fails verification: 500.
	bad := f.integration(&v2.CreateIntegrationInput{ApiId: &api, ConnectionId: link.VpcLinkId, ConnectionType: types.ConnectionTypeVpcLink,
		IntegrationMethod: aws.String("ANY"), IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: &listener,
		TlsConfig: &types.TlsConfigInput{ServerNameToVerify: aws.String("wrong.example.org")}})
	f.route(api, "GET /bad", bad)
	if resp, _ := f.call("GET", api, "/bad", "", nil); resp.StatusCode != 500 {
		t.Fatalf("wrong server name: %d, want 500", resp.StatusCode)
	}
}

// TestPrivateIntegrationStagePath: without overwrite:path a private
// integration receives the stage segment (integrations-v2.md §2.2), and
// requests go round-robin over the upstreams.
func TestPrivateIntegrationStagePath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	hits := map[string]int{}
	mk := func(name string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hits[name]++
			mu.Unlock()
			w.Write([]byte(r.URL.Path))
		}))
		t.Cleanup(s.Close)
		return s
	}
	a, b := mk("a"), mk("b")
	f := start(t, porticotest.Options{})
	api := f.api(nil)
	link, err := f.c.CreateVpcLink(ctx, &v2.CreateVpcLinkInput{Name: aws.String("l"), SubnetIds: []string{"s"},
		Tags: map[string]string{"portico:targets": a.Listener.Addr().String() + "," + b.Listener.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	cloudMap := "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc123?stage=prod"
	integ := f.integration(&v2.CreateIntegrationInput{ApiId: &api, ConnectionId: link.VpcLinkId, ConnectionType: types.ConnectionTypeVpcLink,
		IntegrationMethod: aws.String("ANY"), IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: &cloudMap})
	f.route(api, "GET /route-path", integ)
	f.stage(api, "test", true, nil)
	for range 4 {
		resp, body := f.call("GET", api, "/test/route-path", "", nil)
		if resp.StatusCode != 200 || body != "/test/route-path" {
			t.Fatalf("= %d %q, want the stage segment kept", resp.StatusCode, body)
		}
	}
	if hits["a"] != 2 || hits["b"] != 2 {
		t.Fatalf("round robin hits = %v", hits)
	}
}

// TestParameterMapping checks each request and response mapping form of
// integrations-v2.md §5 and §6.
func TestParameterMapping(t *testing.T) {
	t.Parallel()
	f := start(t, porticotest.Options{})
	b := echoBackend(t)
	api := f.api(nil)
	integ := f.integration(&v2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String(b.URL + "/items/{id}"),
		RequestParameters: map[string]string{
			"append:header.h-append":      "$request.header.x-in",
			"overwrite:header.x-over":     "static ${request.querystring.q}",
			"remove:header.x-drop":        "''",
			"append:querystring.from":     "$request.path.id",
			"overwrite:querystring.q":     "$request.body.a.b",
			"remove:querystring.r":        "''",
			"append:header.h-ctx":         "${context.routeKey}|${context.stage}|${stageVariables.v}|$context.requestId",
			"append:header.h-whole-path":  "$request.path",
			"append:header.h-body":        "$request.body",
			"overwrite:header.h-multival": "$request.header.x-multi",
		},
		ResponseParameters: map[string]map[string]string{
			"200": {"append:header.r-append": "$response.header.X-Backend", "overwrite:header.r-body": "$response.body.method",
				"remove:header.X-Backend": "''"},
			"404": {"overwrite:statuscode": "410", "append:header.r-env": "$stageVariables.v"},
		}})
	f.route(api, "POST /items/{id}", integ)
	f.route(api, "GET /items/{id}", integ)
	pathInteg := f.integration(&v2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String(b.URL + "/ignored"),
		RequestParameters: map[string]string{"overwrite:path": "/new/${request.path.id}/x"}})
	f.route(api, "GET /p/{id}", pathInteg)
	f.stage(api, "$default", true, map[string]string{"v": "sv"})

	resp, body := f.call("POST", api, "/items/7?q=old&r=gone&keep=1", `{"a":{"b":"fromBody"}}`,
		http.Header{"X-In": {"in"}, "X-Drop": {"d"}, "X-Multi": {"m1", "m2"}, "Content-Type": {"application/json"}})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d %s", resp.StatusCode, body)
	}
	e := decode(t, body)
	h := func(k string) string { return strings.Join(e.Header[k], ",") }
	for _, c := range []struct{ rule, got, want string }{
		{"append:header from $request.header", h("H-Append"), "in"},
		{"overwrite:header static text and ${request.querystring}", h("X-Over"), "static old"},
		{"remove:header", h("X-Drop"), ""},
		{"$context and $stageVariables", strings.SplitN(h("H-Ctx"), "|", 4)[0] + "|" + strings.SplitN(h("H-Ctx"), "|", 4)[1] + "|" + strings.SplitN(h("H-Ctx"), "|", 4)[2], "POST /items/{id}|$default|sv"},
		{"$request.path", h("H-Whole-Path"), "/items/7"},
		{"$request.body", h("H-Body"), `{"a":{"b":"fromBody"}}`},
		{"multi-value header joined", h("H-Multival"), "m1,m2"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.rule, c.got, c.want)
		}
	}
	q := e.Query
	for _, want := range []string{"q=fromBody", "keep=1", "from=7"} {
		if !strings.Contains(q, want) {
			t.Errorf("query %q lacks %s", q, want)
		}
	}
	if strings.Contains(q, "r=gone") || strings.Contains(q, "q=old") {
		t.Errorf("query %q kept a removed or overwritten parameter", q)
	}
	if resp.Header.Get("R-Append") != "yes" || resp.Header.Get("R-Body") != "POST" || resp.Header.Get("X-Backend") != "" {
		t.Errorf("response mappings: %v", resp.Header)
	}
	resp, _ = f.call("GET", api, "/items/7", "", http.Header{"X-Want-Status": {"404"}})
	if resp.StatusCode != 410 || resp.Header.Get("R-Env") != "sv" {
		t.Errorf("404 mapping: status %d headers %v", resp.StatusCode, resp.Header)
	}
	resp, body = f.call("GET", api, "/p/9", "", nil)
	if resp.StatusCode != 200 || decode(t, body).Path != "/new/9/x" {
		t.Errorf("overwrite:path: %d %s", resp.StatusCode, body)
	}
}

// TestCORS: preflight answered by the gateway, headers on responses
// (corsConfiguration).
func TestCORS(t *testing.T) {
	t.Parallel()
	f := start(t, porticotest.Options{})
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "https://backend.example") // ignored by the gateway
		w.Write([]byte("ok"))
	}))
	t.Cleanup(b.Close)
	api := f.api(&types.Cors{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"content-type", "x-api"}, ExposeHeaders: []string{"x-total"}, MaxAge: aws.Int32(600),
		AllowCredentials: aws.Bool(true)})
	f.route(api, "GET /data", f.proxy(api, b.URL))
	f.stage(api, "$default", true, nil)

	pre := http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"POST"},
		"Access-Control-Request-Headers": {"Content-Type, X-Api"}}
	resp, _ := f.call("OPTIONS", api, "/data", "", pre)
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "GET,POST" || resp.Header.Get("Access-Control-Allow-Headers") != "content-type,x-api" ||
		resp.Header.Get("Access-Control-Max-Age") != "600" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("preflight = %d %v", resp.StatusCode, resp.Header)
	}
	// Preflight for a path with no OPTIONS route and a disallowed origin.
	resp, _ = f.call("OPTIONS", api, "/other", "", http.Header{"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"GET"}})
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("disallowed preflight = %d %v", resp.StatusCode, resp.Header)
	}
	resp, body := f.call("GET", api, "/data", "", http.Header{"Origin": {"https://app.example.com"}})
	if body != "ok" || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		resp.Header.Get("Access-Control-Expose-Headers") != "x-total" {
		t.Fatalf("actual request = %d %v", resp.StatusCode, resp.Header)
	}
	// allowOrigins "*".
	api2 := f.api(&types.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}})
	f.route(api2, "GET /data", f.proxy(api2, b.URL))
	f.stage(api2, "$default", true, nil)
	resp, _ = f.call("OPTIONS", api2, "/data", "", http.Header{"Origin": {"https://any.example"}, "Access-Control-Request-Method": {"DELETE"},
		"Access-Control-Request-Headers": {"x-foo"}})
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Methods") != "DELETE" ||
		resp.Header.Get("Access-Control-Allow-Headers") != "x-foo" {
		t.Fatalf("wildcard preflight = %v", resp.Header)
	}
}

// issuer is an OpenID provider for tests: discovery document and JWKS,
// with key rotation.
type issuer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	is := &issuer{keys: map[string]*rsa.PrivateKey{}}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks"})
		case "/jwks":
			is.mu.Lock()
			var keys []map[string]string
			for kid, k := range is.keys {
				keys = append(keys, map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
					"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
					"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
			}
			is.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{"keys": keys})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) addKey(t *testing.T, kid string) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is.mu.Lock()
	is.keys[kid] = k
	is.mu.Unlock()
}

func (is *issuer) token(t *testing.T, kid string, claims jwt.MapClaims) string {
	is.mu.Lock()
	k := is.keys[kid]
	is.mu.Unlock()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestJWTAuthorizer: token from the identity source, signature against
// the issuer's JWKS, iss, aud/client_id, exp/nbf, scopes; 401/403 bodies;
// claims in $context.authorizer.claims (integrations-v2.md §7.4).
func TestJWTAuthorizer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	is := newIssuer(t)
	is.addKey(t, "k1")
	f := start(t, porticotest.Options{})
	b := echoBackend(t)
	api := f.api(nil)
	au, err := f.c.CreateAuthorizer(ctx, &v2.CreateAuthorizerInput{ApiId: &api, Name: aws.String("jwt"), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String(is.srv.URL), Audience: []string{"my-api"}}})
	if err != nil {
		t.Fatal(err)
	}
	integ := f.integration(&v2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String(b.URL),
		RequestParameters: map[string]string{"append:header.x-sub": "$context.authorizer.claims.sub"}})
	rid := f.route(api, "GET /secure", integ)
	if _, err := f.c.UpdateRoute(ctx, &v2.UpdateRouteInput{ApiId: &api, RouteId: &rid, AuthorizationType: types.AuthorizationTypeJwt,
		AuthorizerId: au.AuthorizerId, AuthorizationScopes: []string{"read", "admin"}}); err != nil {
		t.Fatal(err)
	}
	f.stage(api, "$default", true, nil)
	now := time.Now()
	base := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": is.srv.URL, "aud": "my-api", "sub": "user-1", "exp": now.Add(time.Hour).Unix(),
			"iat": now.Add(-time.Minute).Unix(), "scope": "openid read"}
		if mod != nil {
			mod(c)
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		header string
		status int
		body   string
	}{
		{"valid token", "Bearer " + is.token(t, "k1", base(nil)), 200, ""},
		{"valid token without Bearer prefix", is.token(t, "k1", base(nil)), 200, ""},
		{"client_id instead of aud", is.token(t, "k1", base(func(c jwt.MapClaims) { delete(c, "aud"); c["client_id"] = "my-api" })), 200, ""},
		{"scp list", is.token(t, "k1", base(func(c jwt.MapClaims) { delete(c, "scope"); c["scp"] = []string{"admin"} })), 200, ""},
		{"no token", "", 401, `{"message":"Unauthorized"}`},
		{"expired", is.token(t, "k1", base(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })), 401, `{"message":"Unauthorized"}`},
		{"not yet valid", is.token(t, "k1", base(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() })), 401, `{"message":"Unauthorized"}`},
		{"wrong audience", is.token(t, "k1", base(func(c jwt.MapClaims) { c["aud"] = "other" })), 401, `{"message":"Unauthorized"}`},
		{"wrong issuer", is.token(t, "k1", base(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })), 401, `{"message":"Unauthorized"}`},
		{"garbage", "Bearer abc.def.ghi", 401, `{"message":"Unauthorized"}`},
		{"missing scope", is.token(t, "k1", base(func(c jwt.MapClaims) { c["scope"] = "openid write" })), 403, `{"message":"Forbidden"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			if tc.header != "" {
				hdr.Set("Authorization", tc.header)
			}
			resp, body := f.call("GET", api, "/secure", "", hdr)
			if resp.StatusCode != tc.status || (tc.body != "" && body != tc.body) {
				t.Fatalf("= %d %s, want %d %s", resp.StatusCode, body, tc.status, tc.body)
			}
			if tc.status == 200 && strings.Join(decode(t, body).Header["X-Sub"], "") != "user-1" {
				t.Fatalf("$context.authorizer.claims.sub not mapped: %s", body)
			}
		})
	}
	// Rotated key: a token signed with a new kid refreshes the JWKS.
	is.addKey(t, "k2")
	time.Sleep(150 * time.Millisecond)
	resp, body := f.call("GET", api, "/secure", "", http.Header{"Authorization": {"Bearer " + is.token(t, "k2", base(nil))}})
	if resp.StatusCode != 200 {
		t.Fatalf("rotated key: %d %s", resp.StatusCode, body)
	}
	// A key the issuer never published fails.
	rogue := newIssuer(t)
	rogue.addKey(t, "k3")
	resp, _ = f.call("GET", api, "/secure", "", http.Header{"Authorization": {"Bearer " + rogue.token(t, "k3", base(nil))}})
	if resp.StatusCode != 401 {
		t.Fatalf("unknown key: %d", resp.StatusCode)
	}
}

const pyHandler = `import json, base64

def handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode", "")
    if mode == "bare":
        return "Hello from Lambda!"
    if mode == "object":
        return {"message": "Hello from Lambda!"}
    if mode == "cookies":
        return {"statusCode": 201, "headers": {"x-h": "a,b"}, "cookies": ["a=1; Secure", "b=2"], "body": "made"}
    if mode == "b64":
        return {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(b"raw bytes").decode()}
    if mode == "fail":
        raise ValueError("boom")
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
`

func zipOne(t *testing.T, name, src string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(src))
	zw.Close()
	return buf.Bytes()
}

// TestLambdaProxy runs a real function behind AWS_PROXY with payload
// formats 2.0 and 1.0 (integrations-v2.md §4).
func TestLambdaProxy(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not on PATH")
	}
	ctx := context.Background()
	f := start(t, porticotest.Options{})
	lc := lambdasdk.NewFromConfig(f.srv.Config())
	fn, err := lc.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("echo"), Role: aws.String("arn:aws:iam::000000000000:role/r"),
		Runtime: ltypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &ltypes.FunctionCode{ZipFile: zipOne(t, "app.py", pyHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	api := f.api(nil)
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + *fn.FunctionArn + "/invocations"
	v2i := f.integration(&v2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: &uri, PayloadFormatVersion: aws.String("2.0")})
	v1i := f.integration(&v2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: fn.FunctionArn, PayloadFormatVersion: aws.String("1.0")})
	f.route(api, "GET /pets/{id}", v2i)
	f.route(api, "POST /v1/{proxy+}", v1i)
	f.stage(api, "prod", true, map[string]string{"stageVariable1": "value1"})

	resp, body := f.call("GET", api, "/prod/pets/7?a=1&a=2&b=x", "", http.Header{"Cookie": {"c1=v1; c2=v2"}, "Header2": {"value1", "value2"}})
	if resp.StatusCode != 200 {
		t.Fatalf("2.0 event: %d %s", resp.StatusCode, body)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatal(err)
	}
	rc := ev["requestContext"].(map[string]any)
	for _, c := range []struct {
		field string
		got   any
		want  any
	}{
		{"version", ev["version"], "2.0"},
		{"routeKey", ev["routeKey"], "GET /pets/{id}"},
		{"rawPath", ev["rawPath"], "/prod/pets/7"},
		{"rawQueryString", ev["rawQueryString"], "a=1&a=2&b=x"},
		{"cookies", ev["cookies"], []any{"c1=v1", "c2=v2"}},
		{"headers joined with comma", ev["headers"].(map[string]any)["header2"], "value1,value2"},
		{"cookie not in headers", ev["headers"].(map[string]any)["cookie"], nil},
		{"queryStringParameters", ev["queryStringParameters"], map[string]any{"a": "1,2", "b": "x"}},
		{"pathParameters", ev["pathParameters"], map[string]any{"id": "7"}},
		{"stageVariables", ev["stageVariables"], map[string]any{"stageVariable1": "value1"}},
		{"no body", ev["body"], nil},
		{"isBase64Encoded", ev["isBase64Encoded"], false},
		{"requestContext.stage", rc["stage"], "prod"},
		{"requestContext.routeKey", rc["routeKey"], "GET /pets/{id}"},
		{"requestContext.http.method", rc["http"].(map[string]any)["method"], "GET"},
		{"requestContext.http.path", rc["http"].(map[string]any)["path"], "/prod/pets/7"},
		{"requestContext.apiId", rc["apiId"], api},
		{"no authentication without mTLS", rc["authentication"], nil},
		{"no authorizer", rc["authorizer"], nil},
	} {
		if !jsonEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.field, c.got, c.want)
		}
	}
	for _, tc := range []struct {
		name, mode   string
		status       int
		body, header string
	}{
		{"bare string is inferred as 200 JSON", "bare", 200, "Hello from Lambda!", "application/json"},
		{"object without statusCode is inferred", "object", 200, `{"message": "Hello from Lambda!"}`, "application/json"},
		{"base64 body decoded", "b64", 200, "raw bytes", ""},
		{"function error is 500", "fail", 500, `{"message":"Internal Server Error"}`, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.call("GET", api, "/prod/pets/1?mode="+tc.mode, "", nil)
			if resp.StatusCode != tc.status || body != tc.body || (tc.header != "" && resp.Header.Get("Content-Type") != tc.header) {
				t.Fatalf("= %d %q %v", resp.StatusCode, body, resp.Header)
			}
		})
	}
	resp, body = f.call("GET", api, "/prod/pets/1?mode=cookies", "", nil)
	if resp.StatusCode != 201 || body != "made" || resp.Header.Get("X-H") != "a,b" || len(resp.Header["Set-Cookie"]) != 2 {
		t.Fatalf("cookies response = %d %q %v", resp.StatusCode, body, resp.Header)
	}

	// Payload 1.0.
	resp, body = f.call("POST", api, "/prod/v1/a/b?x=1&x=2", `{"k":1}`, http.Header{"Content-Type": {"application/json"}})
	if resp.StatusCode != 200 {
		t.Fatalf("1.0: %d %s", resp.StatusCode, body)
	}
	var ev1 map[string]any
	json.Unmarshal([]byte(body), &ev1)
	rc1 := ev1["requestContext"].(map[string]any)
	for _, c := range []struct {
		field string
		got   any
		want  any
	}{
		{"version", ev1["version"], "1.0"},
		{"resource", ev1["resource"], "/v1/{proxy+}"},
		{"httpMethod", ev1["httpMethod"], "POST"},
		{"body", ev1["body"], `{"k":1}`},
		{"multiValueQueryStringParameters", ev1["multiValueQueryStringParameters"], map[string]any{"x": []any{"1", "2"}}},
		{"pathParameters", ev1["pathParameters"], map[string]any{"proxy": "a/b"}},
		{"requestContext.resourceId", rc1["resourceId"], "POST /v1/{proxy+}"},
		{"requestContext.stage", rc1["stage"], "prod"},
	} {
		if !jsonEqual(c.got, c.want) {
			t.Errorf("1.0 %s = %#v, want %#v", c.field, c.got, c.want)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
