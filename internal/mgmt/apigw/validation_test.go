package apigw_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/portico-dev/portico/internal/porticotest"
)

type fixture struct {
	srv         *porticotest.Server
	c           *apigateway.Client
	api, root   string
	res, method string
}

// newFixture makes an API with /items and a GET method on it.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := porticotest.Start(t)
	c := srv.APIGateway()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("v")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("items")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE"), RequestParameters: map[string]bool{"method.request.querystring.q": false}}); err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, c: c, api: *api.Id, root: *api.RootResourceId, res: *res.Id, method: "GET"}
}

func (f *fixture) put(in apigateway.PutIntegrationInput) error {
	in.RestApiId, in.ResourceId = aws.String(f.api), aws.String(f.res)
	if in.HttpMethod == nil {
		in.HttpMethod = aws.String(f.method)
	}
	_, err := f.c.PutIntegration(context.Background(), &in)
	return err
}

// TestPutIntegrationValidation has one case per rule of
// integrations-v1.md §16 (and the seed's argument reference): a bad input
// gets the status, error type and message AWS gives, and nothing is stored.
func TestPutIntegrationValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u := aws.String("http://example.com/items")
	for _, tc := range []struct {
		name      string
		in        apigateway.PutIntegrationInput
		status    int
		code, msg string
	}{
		{"type not in enum", apigateway.PutIntegrationInput{Type: "SOAP"}, 400, "ValidationException",
			"1 validation error detected: Value 'SOAP' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]"},
		{"httpMethod required for HTTP", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, Uri: u}, 400, "BadRequestException",
			"Enumeration value for HttpMethod must be non-empty"},
		{"httpMethod required for AWS_PROXY", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy,
			Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations")},
			400, "BadRequestException", "Enumeration value for HttpMethod must be non-empty"},
		{"invalid HTTP verb", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("FETCH"), Uri: u},
			400, "BadRequestException", "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"},
		{"uri required for HTTP", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET")},
			400, "BadRequestException", "Invalid HTTP endpoint specified for URI"},
		{"HTTP uri must be absolute http(s)", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"),
			Uri: aws.String("ftp://example.com/x")}, 400, "BadRequestException", "Invalid HTTP endpoint specified for URI"},
		{"HTTP uri must be a URL", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"),
			Uri: aws.String("example.com/x")}, 400, "BadRequestException", "Invalid HTTP endpoint specified for URI"},
		{"uri required for AWS", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST")},
			400, "BadRequestException", "Invalid ARN specified in the request"},
		{"AWS uri must be an ARN", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String("https://sqs.us-east-1.amazonaws.com")}, 400, "BadRequestException", "Invalid ARN specified in the request"},
		{"AWS ARN must contain path or action", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String("arn:aws:iam::123456789012:role/x")}, 400, "BadRequestException", "AWS ARN for integration must contain path or action"},
		{"AWS_PROXY only Lambda or Firehose", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:path/000000000000/q")}, 400, "BadRequestException",
			"Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."},
		{"connectionType in enum", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: u,
			ConnectionType: "PRIVATE"}, 400, "ValidationException",
			"1 validation error detected: Value 'PRIVATE' at 'putIntegrationInput.connectionType' failed to satisfy constraint: Member must satisfy enum value set: [INTERNET, VPC_LINK]"},
		{"connectionId required with VPC_LINK", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: u,
			ConnectionType: types.ConnectionTypeVpcLink}, 400, "BadRequestException", "ConnectionId must be set for VPC_LINK connection type"},
		{"VPC_LINK only for HTTP kinds", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, ConnectionType: types.ConnectionTypeVpcLink,
			ConnectionId: aws.String("abc")}, 400, "BadRequestException", "Connection type VPC_LINK is only supported for HTTP and HTTP_PROXY integrations"},
		{"passthroughBehavior in enum", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, PassthroughBehavior: aws.String("ALWAYS")},
			400, "BadRequestException", "Invalid passthrough behavior specified: ALWAYS. Valid values are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER"},
		{"contentHandling in enum", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, ContentHandling: "CONVERT_TO_JSON"},
			400, "ValidationException",
			"1 validation error detected: Value 'CONVERT_TO_JSON' at 'putIntegrationInput.contentHandling' failed to satisfy constraint: Member must satisfy enum value set: [CONVERT_TO_BINARY, CONVERT_TO_TEXT]"},
		{"timeout below 50", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, TimeoutInMillis: aws.Int32(49)},
			400, "BadRequestException", "Timeout should be between 50 ms and 29000 ms"},
		{"timeout above 29000", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, TimeoutInMillis: aws.Int32(29001)},
			400, "BadRequestException", "Timeout should be between 50 ms and 29000 ms"},
		{"tlsConfig only on HTTP kinds", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
			TlsConfig: &types.TlsConfig{InsecureSkipVerification: true}}, 400, "BadRequestException", "TlsConfig can only be set for HTTP and HTTP_PROXY integrations"},
		{"method must exist", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, HttpMethod: aws.String("POST")},
			404, "NotFoundException", "Invalid Method identifier specified"},
		{"request parameter target form", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
			RequestParameters: map[string]string{"integration.request.body.x": "'v'"}}, 400, "BadRequestException",
			"Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: integration.request.body.x]"},
		{"request parameter source form", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
			RequestParameters: map[string]string{"integration.request.header.X": "true"}}, 400, "BadRequestException",
			"Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: true]"},
		{"request parameter source must be declared", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
			RequestParameters: map[string]string{"integration.request.header.X": "method.request.header.Undeclared"}}, 400, "BadRequestException",
			"Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.request.header.Undeclared]"},
		{"template key must be a content type", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
			RequestTemplates: map[string]string{"json": "{}"}}, 400, "BadRequestException",
			"Validation Result: warnings : [], errors : [Invalid content type specified: json]"},
		{"HTTP uri port range", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"),
			Uri: aws.String("http://example.com:81/x")}, 400, "BadRequestException", "Invalid HTTP endpoint specified for URI: port must be 80, 443 or 1024-65535"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apiErr(t, f.put(tc.in), tc.status, tc.code, tc.msg)
		})
	}
	// Nothing was stored by any of the rejected calls.
	_, err := f.c.GetIntegration(context.Background(), &apigateway.GetIntegrationInput{RestApiId: &f.api, ResourceId: &f.res, HttpMethod: aws.String("GET")})
	apiErr(t, err, 404, "NotFoundException", "Invalid Integration identifier specified")

	// Valid forms the spec allows are accepted.
	for _, tc := range []struct {
		name string
		in   apigateway.PutIntegrationInput
	}{
		{"stage variable host", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("ANY"),
			Uri: aws.String("http://${stageVariables.host}/x/{proxy}")}},
		{"lambda invoke arn", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations")}},
		{"action arn", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:action/SendMessage")}},
		{"vpc link via stage variable", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: u,
			ConnectionType: types.ConnectionTypeVpcLink, ConnectionId: aws.String("${stageVariables.vpcLinkId}"),
			TlsConfig: &types.TlsConfig{InsecureSkipVerification: true}}},
		{"declared source", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: u,
			RequestParameters: map[string]string{"integration.request.querystring.q": "method.request.querystring.q",
				"integration.request.header.Id": "context.requestId", "integration.request.header.B": "method.request.body.a.b"}}},
	} {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			if err := f.put(tc.in); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestUpdateIntegrationPatch covers the patch paths of
// integrations-v1.md §16.1 and that a patch producing an invalid
// integration is rejected as a whole.
func TestUpdateIntegrationPatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if err := f.put(apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"),
		Uri: aws.String("http://example.com/a")}); err != nil {
		t.Fatal(err)
	}
	upd := func(ops ...types.PatchOperation) (*apigateway.UpdateIntegrationOutput, error) {
		return f.c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: &f.api, ResourceId: &f.res,
			HttpMethod: aws.String("GET"), PatchOperations: ops})
	}
	out, err := upd(
		types.PatchOperation{Op: types.OpReplace, Path: aws.String("/timeoutInMillis"), Value: aws.String("5000")},
		types.PatchOperation{Op: types.OpAdd, Path: aws.String("/requestParameters/integration.request.header.X-Foo"), Value: aws.String("'bar'")},
		types.PatchOperation{Op: types.OpAdd, Path: aws.String("/requestTemplates/application~1json"), Value: aws.String(`{"a":1}`)},
		types.PatchOperation{Op: types.OpReplace, Path: aws.String("/tlsConfig/insecureSkipVerification"), Value: aws.String("true")},
	)
	if err != nil {
		t.Fatal(err)
	}
	if out.TimeoutInMillis != 5000 || out.RequestParameters["integration.request.header.X-Foo"] != "'bar'" ||
		out.RequestTemplates["application/json"] != `{"a":1}` || out.TlsConfig == nil || !out.TlsConfig.InsecureSkipVerification {
		t.Fatalf("patched integration: %+v", out)
	}
	_, err = upd(types.PatchOperation{Op: types.OpReplace, Path: aws.String("/timeoutInMillis"), Value: aws.String("30000")})
	apiErr(t, err, 400, "BadRequestException", "Timeout should be between 50 ms and 29000 ms")
	_, err = upd(types.PatchOperation{Op: types.OpRemove, Path: aws.String("/requestParameters/integration.request.header.Nope")})
	apiErr(t, err, 404, "NotFoundException", "Invalid parameter name specified")
	_, err = upd(types.PatchOperation{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("x")})
	apiErr(t, err, 400, "BadRequestException", "")
	// All-or-nothing: the valid first op of a failing patch is not kept.
	_, err = upd(types.PatchOperation{Op: types.OpReplace, Path: aws.String("/uri"), Value: aws.String("http://other.example.com")},
		types.PatchOperation{Op: types.OpReplace, Path: aws.String("/timeoutInMillis"), Value: aws.String("1")})
	apiErr(t, err, 400, "BadRequestException", "")
	got, err := f.c.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: &f.api, ResourceId: &f.res, HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Uri != "http://example.com/a" || got.TimeoutInMillis != 5000 {
		t.Fatalf("failed patch changed state: uri %s timeout %d", *got.Uri, got.TimeoutInMillis)
	}
	// Invalid op: ValidationException with the 1-based index.
	req, _ := http.NewRequest("PATCH", f.srv.URL+"/restapis/"+f.api+"/resources/"+f.res+"/methods/GET/integration",
		strings.NewReader(`{"patchOperations":[{"op":"replace","path":"/uri","value":"http://a.example.com"},{"op":"frobnicate","path":"/uri"}]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"message":"1 validation error detected: Value 'frobnicate' at 'updateIntegrationInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"}`
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-ErrorType") != "ValidationException" || string(body) != want {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
	}
}

// TestBadRequestsAreClientErrors: malformed JSON, unknown members, wrong
// JSON types, unknown paths and wrong methods get AWS-style 4xx with an
// error type, never a 5xx (control-plane.md wire notes: clients retry 5xx).
func TestBadRequestsAreClientErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	base := f.srv.URL + "/restapis/" + f.api
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		errType                  string
	}{
		{"malformed json", "POST", "/restapis", `{"name": "x"`, 400, "SerializationException"},
		{"not json", "POST", "/restapis", `name=x`, 400, "SerializationException"},
		{"unknown member", "POST", "/restapis", `{"name":"x","colour":"blue"}`, 400, "SerializationException"},
		{"wrong json type", "POST", "/restapis", `{"name":true}`, 400, "SerializationException"},
		{"trailing garbage", "POST", "/restapis", `{"name":"x"} {}`, 400, "SerializationException"},
		{"array body", "PUT", "/restapis/" + f.api + "/resources/" + f.res + "/methods/GET/integration", `[1,2]`, 400, "SerializationException"},
		{"missing name", "POST", "/restapis", `{}`, 400, "ValidationException"},
		{"wrong method", "PUT", "/restapis", `{}`, 405, "MethodNotAllowedException"},
		{"unknown path", "GET", "/restapis/" + f.api + "/nothing-here", ``, 404, "UnknownOperationException"},
		{"unknown api", "GET", "/restapis/zzzzzzzzzz", ``, 404, "NotFoundException"},
		{"bad http verb", "PUT", "/restapis/" + f.api + "/resources/" + f.res + "/methods/FETCH", `{"authorizationType":"NONE"}`, 400, "BadRequestException"},
		{"bad limit", "GET", "/restapis?limit=0", ``, 400, "BadRequestException"},
		{"bad position", "GET", "/restapis?position=@@not-a-token", ``, 400, "BadRequestException"},
		{"patch not json", "PATCH", "/restapis/" + f.api, `{"patchOperations": 7}`, 400, "SerializationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, f.srv.URL+tc.path, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("x-amzn-ErrorType") != tc.errType || !strings.HasPrefix(string(body), `{"message":`) {
				t.Fatalf("got %d %q %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
			}
		})
	}
	_ = base
}
