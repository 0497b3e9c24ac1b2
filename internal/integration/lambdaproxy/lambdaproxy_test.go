package lambdaproxy

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/model"
)

func sampleRequest() *Request {
	return &Request{
		Method:   "POST",
		Resource: "/pets/{proxy+}",
		Path:     "/pets/a/b",
		Header: http.Header{
			"Accept":          {"application/json"},
			"X-Multi":         {"1", "2"},
			"Content-Type":    {"text/plain"},
			"Content-Length":  {"5"},
			"Connection":      {"keep-alive"},
			"X-Forwarded-For": {"127.0.0.1"},
		},
		Query:      url.Values{"q": {"x", "y"}, "one": {"1"}},
		PathParams: maps.All(map[string]string{"proxy": "a/b"}),
		StageVars:  map[string]string{"env": "test"},
		Body:       []byte("hi \"there\"\n\x01<&>"),
		Context: RequestContext{
			AccountID: "123456789012", APIID: "abc123", DeploymentID: "dep1", DomainName: "abc123.execute-api.us-east-1.amazonaws.com",
			DomainPrefix: "abc123", ExtendedRequestID: "LZ1ZxF8IoAMEbXw=", HTTPMethod: "POST", Path: "/prod/pets/a/b",
			RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", RequestTime: "09/Apr/2015:12:34:56 +0000",
			RequestTimeEpoch: 1428582896000, ResourceID: "r1", ResourcePath: "/pets/{proxy+}", Stage: "prod",
			Identity: Identity{SourceIP: "127.0.0.1", UserAgent: "curl/8"},
		},
	}
}

// TestEvent checks the payload format 1.0 event against the rules of
// integrations-v1.md §9.1 and §9.2, decoding it with aws-lambda-go's
// APIGatewayProxyRequest.
func TestEvent(t *testing.T) {
	r := sampleRequest()
	b := AppendEvent(nil, r)
	if !json.Valid(b) {
		t.Fatalf("invalid JSON: %s", b)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	json.Unmarshal(b, &raw)
	rc := raw["requestContext"].(map[string]any)
	id := rc["identity"].(map[string]any)
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"resource is the template", ev.Resource, "/pets/{proxy+}"},
		{"path excludes the stage", ev.Path, "/pets/a/b"},
		{"httpMethod is the client's", ev.HTTPMethod, "POST"},
		{"multi-valued header: last value in headers", ev.Headers["X-Multi"], "2"},
		{"multiValueHeaders keeps all values in order", ev.MultiValueHeaders["X-Multi"], []string{"1", "2"}},
		{"Content-Length is not included", ev.Headers["Content-Length"], ""},
		{"Connection is not included", ev.MultiValueHeaders["Connection"], []string(nil)},
		{"repeated query name: last value", ev.QueryStringParameters["q"], "y"},
		{"multiValueQueryStringParameters keeps order", ev.MultiValueQueryStringParameters["q"], []string{"x", "y"}},
		{"greedy proxy param is exposed as proxy", ev.PathParameters["proxy"], "a/b"},
		{"stageVariables", ev.StageVariables["env"], "test"},
		{"body is the UTF-8 string", ev.Body, "hi \"there\"\n\x01<&>"},
		{"isBase64Encoded false for text", ev.IsBase64Encoded, false},
		{"requestContext.path includes the stage", ev.RequestContext.Path, "/prod/pets/a/b"},
		{"requestContext.protocol defaults to HTTP/1.1", ev.RequestContext.Protocol, "HTTP/1.1"},
		{"requestContext.requestTimeEpoch is a number", ev.RequestContext.RequestTimeEpoch, int64(1428582896000)},
		{"requestContext.identity.sourceIp", ev.RequestContext.Identity.SourceIP, "127.0.0.1"},
		{"requestContext.identity.userAgent", ev.RequestContext.Identity.UserAgent, "curl/8"},
		{"unset identity fields are null", id["cognitoIdentityId"], nil},
		{"apiKey only when a key was used", hasKey(id, "apiKey"), false},
		{"deploymentId", rc["deploymentId"], "dep1"},
		{"authorizer absent when none ran", hasKey(rc, "authorizer"), false},
		{"every requestContext key of §9.2", slices.Sorted(maps.Keys(rc)), []string{"accountId", "apiId", "deploymentId",
			"domainName", "domainPrefix", "extendedRequestId", "httpMethod", "identity", "path", "protocol", "requestId",
			"requestTime", "requestTimeEpoch", "resourceId", "resourcePath", "stage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// TestEventNulls: every key is present; empty maps and bodies are null (§9.1).
func TestEventNulls(t *testing.T) {
	b := AppendEvent(nil, &Request{Method: "GET", Resource: "/", Path: "/"})
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for _, k := range []string{"headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters",
		"pathParameters", "stageVariables", "body"} {
		v, ok := raw[k]
		if !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	if raw["isBase64Encoded"] != false {
		t.Errorf("isBase64Encoded = %v", raw["isBase64Encoded"])
	}
}

// TestEventBinary: a body whose Content-Type matches binaryMediaTypes is
// sent base64 with isBase64Encoded true (§9.1, §10).
func TestEventBinary(t *testing.T) {
	for _, tc := range []struct {
		name, ct string
		types    []string
		b64      bool
	}{
		{"exact match", "image/png", []string{"image/png"}, true},
		{"wildcard subtype", "image/png; q=1", []string{"image/*"}, true},
		{"any type", "text/plain", []string{"*/*"}, true},
		{"no match", "text/plain", []string{"image/*"}, false},
		{"no binaryMediaTypes", "image/png", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Request{Method: "POST", Header: http.Header{"Content-Type": {tc.ct}}, Body: []byte{0xff, 0x00, 'a'}, BinaryMediaTypes: tc.types}
			var ev events.APIGatewayProxyRequest
			if err := json.Unmarshal(AppendEvent(nil, r), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.IsBase64Encoded != tc.b64 {
				t.Errorf("isBase64Encoded = %v", ev.IsBase64Encoded)
			}
			if tc.b64 && ev.Body != "/wBh" {
				t.Errorf("body = %q", ev.Body)
			}
		})
	}
}

// TestParseResponse checks the response rules of integrations-v1.md §9.3.
func TestParseResponse(t *testing.T) {
	for _, tc := range []struct {
		name     string
		payload  string
		binary   bool
		status   int
		header   http.Header
		body     string
		malfored bool
	}{
		{"full response", `{"statusCode":201,"headers":{"X-A":"1"},"multiValueHeaders":{"X-B":["1","2"]},"body":"hi","isBase64Encoded":false}`,
			false, 201, http.Header{"X-A": {"1"}, "X-B": {"1", "2"}, "Content-Type": {"application/json"}}, "hi", false},
		{"statusCode absent is 200", `{"body":"x"}`, false, 200, nil, "x", false},
		{"numeric string statusCode is accepted", `{"statusCode":"201"}`, false, 201, nil, "", false},
		{"non-numeric statusCode is malformed", `{"statusCode":"test"}`, false, 0, nil, "", true},
		{"unknown key is malformed", `{"statusCode":200,"wrongValue":1}`, false, 0, nil, "", true},
		{"a JSON string is malformed", `"justAString"`, false, 0, nil, "", true},
		{"null is malformed", `null`, false, 0, nil, "", true},
		{"non-JSON is malformed", `hello`, false, 0, nil, "", true},
		{"error document is malformed", `{"errorMessage":"x","errorType":"E"}`, false, 0, nil, "", true},
		{"boolean header value becomes a string", `{"headers":{"X-T":true}}`, false, 200, http.Header{"X-T": {"true"}, "Content-Type": {"application/json"}}, "", false},
		{"list header value is malformed", `{"headers":{"X-T":["a"]}}`, false, 0, nil, "", true},
		{"number header value is malformed", `{"headers":{"X-T":1}}`, false, 0, nil, "", true},
		{"multiValueHeaders non-array is malformed", `{"multiValueHeaders":{"X-T":"a"}}`, false, 0, nil, "", true},
		{"non-string body is malformed", `{"body":{"a":1}}`, false, 0, nil, "", true},
		{"null headers and body are allowed", `{"headers":null,"body":null}`, false, 200, nil, "", false},
		{"multi values come first, then the single value", `{"headers":{"x-a":"s"},"multiValueHeaders":{"X-A":["m1","m2"]}}`,
			false, 200, http.Header{"X-A": {"m1", "m2", "s"}, "Content-Type": {"application/json"}}, "", false},
		{"function Content-Type is kept", `{"headers":{"content-type":"text/html"}}`, false, 200, http.Header{"Content-Type": {"text/html"}}, "", false},
		{"base64 body decoded when binary is accepted", `{"body":"aGk=","isBase64Encoded":true}`, true, 200, nil, "hi", false},
		{"base64 body kept as text otherwise", `{"body":"aGk=","isBase64Encoded":true}`, false, 200, nil, "aGk=", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseResponse([]byte(tc.payload), tc.binary)
			if tc.malfored {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want malformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.StatusCode != tc.status || string(r.Body) != tc.body {
				t.Errorf("got %d %q", r.StatusCode, r.Body)
			}
			if tc.header != nil && !reflect.DeepEqual(r.Header, tc.header) {
				t.Errorf("header = %v, want %v", r.Header, tc.header)
			}
		})
	}
	if _, err := ParseResponse([]byte(`{"body":"!!","isBase64Encoded":true}`), true); !errors.Is(err, ErrBase64) {
		t.Errorf("bad base64: %v", err)
	}
}

func TestBinaryAccepted(t *testing.T) {
	for _, tc := range []struct {
		accept string
		want   bool
	}{
		{"image/png", true},
		{"image/png, text/html", true},
		{"text/html, image/png", false}, // only the first Accept entry is honoured (§10)
		{"", false},
	} {
		if got := BinaryAccepted([]string{"image/*"}, tc.accept); got != tc.want {
			t.Errorf("BinaryAccepted(%q) = %v", tc.accept, got)
		}
	}
}

func TestFunctionARN(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations",
			"arn:aws:lambda:us-east-1:123456789012:function:f"},
		{"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f:live/invocations",
			"arn:aws:lambda:eu-west-1:123456789012:function:f:live"},
		{"arn:aws:apigateway:us-east-1:s3:path/bucket/key", ""},
		{"https://example.com/functions/x/invocations", ""},
	} {
		got, err := FunctionARN(tc.uri)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("FunctionARN(%q) = %q, %v", tc.uri, got, err)
		}
	}
}

type fakeInvoker struct {
	res *integration.FunctionResult
	err error
	arn string
}

func (f *fakeInvoker) InvokeFunction(ctx context.Context, arn string, _ []byte) (*integration.FunctionResult, error) {
	f.arn = arn
	if f.err != nil {
		return nil, f.err
	}
	if f.res == nil {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return f.res, nil
}

// TestProxyKind maps invoker outcomes to gateway responses (§9.3).
func TestProxyKind(t *testing.T) {
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations"
	for _, tc := range []struct {
		name   string
		inv    *fakeInvoker
		typ    awserr.ResponseType
		status int
	}{
		{"function error → 502", &fakeInvoker{res: &integration.FunctionResult{FunctionError: "Unhandled", Payload: []byte(`{}`)}}, awserr.IntegrationFailure, 502},
		{"malformed → 502", &fakeInvoker{res: &integration.FunctionResult{Payload: []byte(`[]`)}}, awserr.IntegrationFailure, 502},
		{"not found → 500", &fakeInvoker{err: ErrFunctionNotFound}, awserr.APIConfigurationError, 500},
		{"other invoke failure → 502", &fakeInvoker{err: errors.New("runtime unavailable")}, awserr.IntegrationFailure, 502},
		{"timeout → 504", &fakeInvoker{}, awserr.IntegrationTimeout, 504},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ProxyKind(tc.inv)(&model.Integration{URI: uri})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Invoke(context.Background(), &integration.Request{Timeout: 20 * time.Millisecond})
			var ge *awserr.GatewayError
			if !errors.As(err, &ge) || ge.Type != tc.typ || ge.StatusCode() != tc.status {
				t.Fatalf("err = %v", err)
			}
			if tc.inv.arn != "arn:aws:lambda:us-east-1:1:function:f" {
				t.Errorf("invoked %q", tc.inv.arn)
			}
		})
	}
	p, err := ProxyKind(&fakeInvoker{})(&model.Integration{URI: uri, HTTPMethod: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Invoke(context.Background(), &integration.Request{})
	var ge *awserr.GatewayError
	if !errors.As(err, &ge) || ge.StatusCode() != 500 {
		t.Errorf("AWS_PROXY with httpMethod GET: %v, want 500 (§3.3)", err)
	}
	if _, err := ProxyKind(&fakeInvoker{})(&model.Integration{URI: "arn:aws:apigateway:us-east-1:s3:path/b"}); err == nil {
		t.Error("AWS_PROXY with a non-Lambda uri compiled")
	}
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"body":"x"}`, `{"statusCode":"201","headers":{"a":true},"multiValueHeaders":{"b":["1"]}}`,
		`{"body":"aGk=","isBase64Encoded":true}`, `"x"`, `null`, `{"statusCode":200.0}`} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, binary bool) {
		r, err := ParseResponse(b, binary)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBase64) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if r.StatusCode < 100 || r.StatusCode > 599 || r.Header.Get("Content-Type") == "" {
			t.Fatalf("bad response %+v", r)
		}
	})
}

func FuzzAppendEvent(f *testing.F) {
	f.Add("/p", "h", "v", "q=1&q=2", []byte("body"), "image/png")
	f.Fuzz(func(t *testing.T, path, hk, hv, query string, body []byte, ct string) {
		q, _ := url.ParseQuery(query)
		r := &Request{Method: "GET", Path: path, Header: http.Header{hk: {hv}, "Content-Type": {ct}}, Query: q, Body: body,
			BinaryMediaTypes: []string{"image/*"}}
		b := AppendEvent(nil, r)
		if !json.Valid(b) {
			t.Fatalf("invalid JSON %q", b)
		}
	})
}

func BenchmarkAppendEvent(b *testing.B) {
	r := sampleRequest()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEvent(buf[:0], r)
	}
}

func BenchmarkParseResponse(b *testing.B) {
	p := []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json","X-A":"1"},"body":"{\"ok\":true}","isBase64Encoded":false}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResponse(p, false); err != nil {
			b.Fatal(err)
		}
	}
}
