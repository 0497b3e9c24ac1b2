package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/router"
)

// responseExamples are the payload 2.0 outputs of integrations-v2.md §4.4.
var responseExamples = []struct {
	name, payload string
	status        int
	body          string
	ctype         string
	fails         bool
}{
	{"bare string inferred", `"Hello from Lambda!"`, 200, "Hello from Lambda!", "application/json", false},
	{"object without statusCode inferred", `{ "message": "Hello from Lambda!" }`, 200, `{ "message": "Hello from Lambda!" }`, "application/json", false},
	{"number inferred", `42`, 200, `42`, "application/json", false},
	{"array inferred", `[1,2]`, 200, `[1,2]`, "application/json", false},
	{"null inferred as body null", `null`, 200, `null`, "application/json", false},
	{"structured", `{"statusCode":201,"headers":{"h":"v"},"body":"made"}`, 201, "made", "", false},
	{"structured base64", `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`, 200, "hi", "", false},
	{"not JSON", `hello`, 0, "", "", true},
	{"bad statusCode", `{"statusCode":"abc"}`, 0, "", "", true},
	{"bad base64", `{"statusCode":200,"isBase64Encoded":true,"body":"!!"}`, 0, "", "", true},
}

// TestParseResponseV2 checks the 2.0 response rules and the inference
// rule (integrations-v2.md §4.4).
func TestParseResponseV2(t *testing.T) {
	for _, tc := range responseExamples {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ParseResponseV2([]byte(tc.payload))
			if tc.fails {
				if err == nil {
					t.Fatalf("parsed %q, want an error (500)", tc.payload)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Status() != tc.status || string(res.Body()) != tc.body {
				t.Fatalf("= %d %q", res.Status(), res.Body())
			}
			if tc.ctype != "" && res.Header().Get("Content-Type") != tc.ctype {
				t.Fatalf("content-type %q", res.Header().Get("Content-Type"))
			}
		})
	}
	res, err := ParseResponseV2([]byte(`{"statusCode":200,"cookies":["a=1; Secure","b=2"]}`))
	if err != nil || len(res.Header()["Set-Cookie"]) != 2 {
		t.Fatalf("cookies become Set-Cookie headers: %v %v", res, err)
	}
}

// TestParseResponseV1: 1.0 needs an object with statusCode (§4.3).
func TestParseResponseV1(t *testing.T) {
	for _, tc := range []struct {
		payload string
		ok      bool
	}{
		{`{"statusCode":200,"body":"x","multiValueHeaders":{"a":["1","2"]}}`, true},
		{`"Hello"`, false},
		{`{"body":"x"}`, false},
		{`nope`, false},
	} {
		res, err := ParseResponseV1([]byte(tc.payload))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.payload, err)
		}
		if tc.ok && len(res.Header()["A"]) != 2 {
			t.Errorf("%s: multiValueHeaders = %v", tc.payload, res.Header())
		}
	}
}

func testExchange(t *testing.T, method, target string, body string, hdr http.Header) *exchange {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header = hdr
	tbl := router.NewHTTPBuilder[*route]()
	tbl.Add("GET /pets/{id}", &route{})
	x := &exchange{r: r, requestID: "abc", start: time.Unix(1583348638, 390e6), rawPath: r.URL.EscapedPath(),
		api: &api{id: "api1"}, stage: &stage{name: "$default", vars: map[string]string{"s": "v"}, dep: &deployment{id: "d"}},
		routeKey: "GET /pets/{id}", body: []byte(body)}
	x.path = x.rawPath
	if _, ok := tbl.Build().Match(method, x.path, &x.params); !ok {
		t.Fatal("no match")
	}
	return x
}

// TestEventV2Shape: the 2.0 event decodes into aws-lambda-go's
// events.APIGatewayV2HTTPRequest with every field of §4.1.
func TestEventV2Shape(t *testing.T) {
	s := New(Config{Store: nil})
	x := testExchange(t, "GET", "/pets/7?a=1&a=2&b=x", "", http.Header{"Cookie": {"c1=v1; c2=v2"}, "Header2": {"value1", "value2"},
		"User-Agent": {"agent"}})
	x.claims = map[string]any{"sub": "u", "n": float64(3), "groups": []any{"a", "b"}}
	x.scopes = []string{"scope1"}
	b, err := json.Marshal(s.buildV2(x))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != "2.0" || ev.RouteKey != "GET /pets/{id}" || ev.RawPath != "/pets/7" || ev.RawQueryString != "a=1&a=2&b=x" ||
		strings.Join(ev.Cookies, "|") != "c1=v1|c2=v2" || ev.Headers["header2"] != "value1,value2" ||
		ev.QueryStringParameters["a"] != "1,2" || ev.PathParameters["id"] != "7" || ev.StageVariables["s"] != "v" ||
		ev.RequestContext.Time != "04/Mar/2020:19:03:58 +0000" || ev.RequestContext.TimeEpoch != 1583348638390 ||
		ev.RequestContext.HTTP.UserAgent != "agent" || ev.RequestContext.Authorizer.JWT.Claims["groups"] != "[a b]" ||
		ev.RequestContext.Authorizer.JWT.Claims["n"] != "3" || ev.RequestContext.Authorizer.JWT.Scopes[0] != "scope1" {
		t.Fatalf("event = %s", b)
	}
	if bytes.Contains(b, []byte(`"authentication"`)) || bytes.Contains(b, []byte(`"body"`)) {
		t.Fatalf("authentication and body must be omitted: %s", b)
	}
	// Binary bodies are base64-encoded; text bodies are not.
	x = testExchange(t, "GET", "/pets/7", "\x00\x01", http.Header{"Content-Type": {"application/octet-stream"}})
	ev2 := s.buildV2(x)
	if !ev2.IsBase64Encoded || *ev2.Body != "AAE=" {
		t.Fatalf("binary body = %v %q", ev2.IsBase64Encoded, *ev2.Body)
	}
}

// TestEventV1Shape: the 1.0 event decodes into events.APIGatewayProxyRequest.
func TestEventV1Shape(t *testing.T) {
	s := New(Config{Store: nil})
	x := testExchange(t, "GET", "/pets/7?x=1&x=2", `{"a":1}`, http.Header{"Content-Type": {"application/json"}})
	b, _ := json.Marshal(s.buildV1(x))
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Resource != "/pets/{id}" || ev.Path != "/pets/7" || ev.HTTPMethod != "GET" || ev.Body != `{"a":1}` ||
		len(ev.MultiValueQueryStringParameters["x"]) != 2 || ev.RequestContext.ResourceID != "GET /pets/{id}" ||
		ev.PathParameters["id"] != "7" || !bytes.Contains(b, []byte(`"version":"1.0"`)) {
		t.Fatalf("event = %s", b)
	}
}

type slowInvoker struct{}

func (slowInvoker) InvokeFunction(ctx context.Context, _ string, _ []byte) (*integration.FunctionResult, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestLambdaTimeout: an integration timeout is 503 Service Unavailable
// (integrations-v2.md §4.4, §7.4).
func TestLambdaTimeout(t *testing.T) {
	s := New(Config{Functions: slowInvoker{}})
	tg, err := s.compileTarget(&model.V2Integration{IntegrationType: model.TypeAWSProxy, TimeoutInMillis: 50,
		IntegrationURI: "arn:aws:lambda:us-east-1:123456789012:function:f", PayloadFormatVersion: "2.0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := testExchange(t, "GET", "/pets/1", "", http.Header{})
	_, err = tg.invoke(context.Background(), s, x)
	if err == nil || !strings.Contains(err.Error(), errTimeout.Error()) {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

// TestParseJWKS: RSA and EC keys by kid; encryption keys skipped; bad
// keys rejected.
func TestParseJWKS(t *testing.T) {
	keys, err := ParseJWKS([]byte(jwksExample))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys["rsa1"] == nil || keys["ec1"] == nil {
		t.Fatalf("keys = %v", keys)
	}
	for _, bad := range []string{`{"keys":[{"kty":"RSA","kid":"x","n":"AQAB","e":"AQAB"}]}`, `{"keys":[{"kty":"EC","kid":"x","crv":"P-256","x":"AQ","y":"AQ"}]}`, `[`} {
		if _, err := ParseJWKS([]byte(bad)); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}

const jwksExample = `{"keys":[
{"kty":"RSA","kid":"rsa1","use":"sig","alg":"RS256","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
{"kty":"EC","kid":"ec1","use":"sig","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"},
{"kty":"RSA","kid":"enc","use":"enc","e":"AQAB","n":"AQAB"}]}`

func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(jwksExample))
	f.Add([]byte(`{"keys":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseJWKS(data)
	})
}

func FuzzParseResponseV2(f *testing.F) {
	for _, ex := range responseExamples {
		f.Add([]byte(ex.payload))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if res, err := ParseResponseV2(data); err == nil && (res.Status() < 100 || res.Status() > 599) {
			t.Fatalf("status %d", res.Status())
		}
		ParseResponseV1(data)
	})
}

func FuzzCompileURI(f *testing.F) {
	for _, s := range []string{"https://b.example.com/pets/extendedpath/{petID}", "https://x/${stageVariables.env}/{proxy}", "{", "${stageVariables.", "$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := compileURI(s)
		x := &exchange{stage: &stage{vars: map[string]string{}}}
		u.render(nil, x)
	})
}
