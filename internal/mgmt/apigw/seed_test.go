package apigw_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"

	"github.com/portico-dev/portico/internal/porticotest"
)

// TestSeedMyDemoAPI rebuilds the first example of the Terraform
// aws_api_gateway_integration docs (seeds/000: MyDemoAPI, MyDemoResource,
// GET, MOCK with cache_key_parameters, cache_namespace,
// request_parameters, request_templates, timeout_milliseconds = 29000)
// through the SDK, reads it back field for field, deploys and calls it.
func TestSeedMyDemoAPI(t *testing.T) {
	t.Parallel()
	srv := porticotest.Start(t)
	c := srv.APIGateway()
	ctx := context.Background()

	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{
		Name:        aws.String("MyDemoAPI"),
		Description: aws.String("This is my API for demonstration purposes"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(*api.Id) != 10 || *api.RootResourceId == "" {
		t.Fatalf("id %q root %q: want 10-char id and a root resource", *api.Id, aws.ToString(api.RootResourceId))
	}
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{
		RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("mydemoresource"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *res.Path != "/mydemoresource" || *res.ParentId != *api.RootResourceId {
		t.Fatalf("resource path %q parent %q", *res.Path, *res.ParentId)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{
		RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE"),
	}); err != nil {
		t.Fatal(err)
	}
	tpl := "{\n   \"body\" : $input.json('$')\n}\n\n"
	put, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{
		RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type:               types.IntegrationTypeMock,
		CacheKeyParameters: []string{"method.request.path.param"},
		CacheNamespace:     aws.String("foobar"),
		RequestParameters:  map[string]string{"integration.request.header.X-Authorization": "'static'"},
		RequestTemplates:   map[string]string{"application/xml": tpl},
		TimeoutInMillis:    aws.Int32(29000),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []*apigateway.GetIntegrationOutput{got, (*apigateway.GetIntegrationOutput)(put)} {
		switch {
		case it.Type != types.IntegrationTypeMock:
			t.Errorf("type %q", it.Type)
		case aws.ToString(it.CacheNamespace) != "foobar":
			t.Errorf("cacheNamespace %q", aws.ToString(it.CacheNamespace))
		case len(it.CacheKeyParameters) != 1 || it.CacheKeyParameters[0] != "method.request.path.param":
			t.Errorf("cacheKeyParameters %v", it.CacheKeyParameters)
		case it.RequestParameters["integration.request.header.X-Authorization"] != "'static'":
			t.Errorf("requestParameters %v", it.RequestParameters)
		case it.RequestTemplates["application/xml"] != tpl:
			t.Errorf("requestTemplates %q", it.RequestTemplates)
		case it.TimeoutInMillis != 29000:
			t.Errorf("timeoutInMillis %d", it.TimeoutInMillis)
		case aws.ToString(it.PassthroughBehavior) != "WHEN_NO_MATCH":
			t.Errorf("passthroughBehavior %q (AWS always returns WHEN_NO_MATCH by default)", aws.ToString(it.PassthroughBehavior))
		case it.Uri != nil || it.ConnectionType != "":
			t.Errorf("MOCK returns no uri/connectionType, got %v %q", it.Uri, it.ConnectionType)
		}
	}
	// The method read back embeds the integration.
	m, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(m.AuthorizationType) != "NONE" || m.MethodIntegration == nil || aws.ToString(m.MethodIntegration.CacheNamespace) != "foobar" {
		t.Fatalf("method %+v", m)
	}

	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	// No integration response and no default: AWS answers 500
	// (integrations-v1.md §13.3, API_CONFIGURATION_ERROR).
	resp := srv.Invoke(t, "GET", *api.Id, "test", "/mydemoresource", nil, nil)
	if body := porticotest.ReadBody(t, resp); resp.StatusCode != 500 || body != `{"message":"Internal server error"}` {
		t.Fatalf("no integration response: %d %s", resp.StatusCode, body)
	}

	// With a method response and a default integration response it answers.
	if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id,
		HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id,
		HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		ResponseTemplates: map[string]string{"application/json": `{"demo":"ok"}`}}); err != nil {
		t.Fatal(err)
	}
	// Not yet deployed: traffic still sees the old deployment.
	resp = srv.Invoke(t, "GET", *api.Id, "test", "/mydemoresource", nil, nil)
	if porticotest.ReadBody(t, resp); resp.StatusCode != 500 {
		t.Fatalf("change reached traffic before a deployment: %d", resp.StatusCode)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	resp = srv.Invoke(t, "GET", *api.Id, "test", "/mydemoresource", nil, nil)
	body := porticotest.ReadBody(t, resp)
	if resp.StatusCode != 200 || body != `{"demo":"ok"}` {
		t.Fatalf("after deployment: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" || resp.Header.Get("x-amz-apigw-id") == "" {
		t.Fatalf("missing standard headers: %v", resp.Header)
	}
	// The execute-api host form reaches the same stage.
	req, _ := http.NewRequest("GET", srv.URL+"/test/mydemoresource", nil)
	req.Host = *api.Id + ".execute-api.localhost.localstack.cloud:4566"
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if b := porticotest.ReadBody(t, hr); hr.StatusCode != 200 || b != `{"demo":"ok"}` {
		t.Fatalf("host form: %d %s", hr.StatusCode, b)
	}
	// And the older _user_request_ form.
	hr, err = http.Get(srv.URL + "/restapis/" + *api.Id + "/test/_user_request_/mydemoresource")
	if err != nil {
		t.Fatal(err)
	}
	if b := porticotest.ReadBody(t, hr); hr.StatusCode != 200 || b != `{"demo":"ok"}` {
		t.Fatalf("_user_request_ form: %d %s", hr.StatusCode, b)
	}
}

// apiErr asserts err is an AWS error with code and message.
func apiErr(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("got %s %q, want %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("status %d, want %d", re.HTTPStatusCode(), status)
	}
}
