package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestGatewayResponses: the management operations, the §3.1 example
// (customised MISSING_AUTHENTICATION_TOKEN), DEFAULT_4XX/DEFAULT_5XX
// inheritance (§2.1), and $context.error.* in templates
// (errors-and-gateway-responses.md).
func TestGatewayResponses(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	pets := a.resource(t, a.root, "pets")
	pet := a.resource(t, pets, "{petId}")
	a.method(t, pet, "GET", map[string]bool{"method.request.path.petId": true, "method.request.querystring.q": true},
		apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	a.response(t, pet, "GET", "200", "", nil, nil)

	// Every type is listed, uncustomised ones with defaultResponse true.
	all, err := a.c.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: &a.id, Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 21 {
		t.Fatalf("%d gateway response types, want 21", len(all.Items))
	}
	for _, g := range all.Items {
		if !g.DefaultResponse {
			t.Fatalf("%s not default", g.ResponseType)
		}
	}
	put := func(typ types.GatewayResponseType, status string, params, tpls map[string]string) {
		in := &apigateway.PutGatewayResponseInput{RestApiId: &a.id, ResponseType: typ, ResponseParameters: params, ResponseTemplates: tpls}
		if status != "" {
			in.StatusCode = &status
		}
		if _, err := a.c.PutGatewayResponse(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// §3.1, verbatim.
	put(types.GatewayResponseTypeMissingAuthenticationToken, "404",
		map[string]string{"gatewayresponse.header.x-request-path": "method.request.path.petId",
			"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
		map[string]string{"application/json": "{\"message\":$context.error.messageString, \"hint\":\"The HTTP method or resources may not be supported.\"}"})
	// DEFAULT_4XX without a status: types keep their own status.
	put(types.GatewayResponseTypeDefault4xx, "", map[string]string{"gatewayresponse.header.X-Default": "'4xx'"},
		map[string]string{"application/json": `{"type":"$context.error.responseType","msg":"$context.error.message","stage":"$context.stage"}`})
	// DEFAULT_5XX with a status: every 5xx takes it.
	put(types.GatewayResponseTypeDefault5xx, "599", nil, nil)
	if g, err := a.c.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: &a.id, ResponseType: types.GatewayResponseTypeDefault4xx}); err != nil || g.DefaultResponse {
		t.Fatalf("customised DEFAULT_4XX: %+v %v", g, err)
	}
	up, err := a.c.UpdateGatewayResponse(ctx, &apigateway.UpdateGatewayResponseInput{RestApiId: &a.id, ResponseType: types.GatewayResponseTypeDefault4xx,
		PatchOperations: []types.PatchOperation{{Op: types.OpAdd, Path: aws.String("/responseParameters/gatewayresponse.header.X-Patched"), Value: aws.String("'yes'")}}})
	if err != nil || up.ResponseParameters["gatewayresponse.header.X-Patched"] != "'yes'" {
		t.Fatalf("update: %+v %v", up, err)
	}
	a.deploy(t, "test", nil)

	resp, body := a.do(t, "GET", "/pets/7/nope", "", nil)
	if resp.StatusCode != 404 || body != `{"message":"Missing Authentication Token", "hint":"The HTTP method or resources may not be supported."}` ||
		resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("§3.1: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	// BAD_REQUEST_PARAMETERS falls back to DEFAULT_4XX, keeping 400.
	resp, body = a.do(t, "GET", "/pets/7", "", nil)
	if resp.StatusCode != 400 || body != `{"type":"BAD_REQUEST_PARAMETERS","msg":"Missing required request parameters: [q]","stage":"test"}` ||
		resp.Header.Get("X-Default") != "4xx" || resp.Header.Get("X-Patched") != "yes" {
		t.Fatalf("DEFAULT_4XX inheritance: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	// REQUEST_TOO_LARGE cannot be customised.
	big := make([]byte, 10<<20+10)
	resp, _ = a.do(t, "GET", "/pets/7?q=1", string(big), nil)
	if resp.StatusCode != 413 {
		t.Fatalf("413: %d", resp.StatusCode)
	}
	// Deleting a customisation restores the default.
	if _, err := a.c.DeleteGatewayResponse(ctx, &apigateway.DeleteGatewayResponseInput{RestApiId: &a.id, ResponseType: types.GatewayResponseTypeMissingAuthenticationToken}); err != nil {
		t.Fatal(err)
	}
	_, err = a.c.DeleteGatewayResponse(ctx, &apigateway.DeleteGatewayResponseInput{RestApiId: &a.id, ResponseType: types.GatewayResponseTypeMissingAuthenticationToken})
	if err == nil {
		t.Fatal("deleting an uncustomised type must be NotFound")
	}
	a.deploy(t, "test", nil)
	resp, body = a.do(t, "GET", "/nope", "", http.Header{})
	// Now MISSING_AUTHENTICATION_TOKEN inherits DEFAULT_4XX.
	if resp.StatusCode != 403 || body != `{"type":"MISSING_AUTHENTICATION_TOKEN","msg":"Missing Authentication Token","stage":"test"}` {
		t.Fatalf("after delete: %d %s", resp.StatusCode, body)
	}
}

// TestGatewayResponseDefault5XX: a 5xx type takes DEFAULT_5XX's status.
func TestGatewayResponseDefault5XX(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	res := a.resource(t, a.root, "broken")
	// MOCK without integration responses: API_CONFIGURATION_ERROR (500).
	a.method(t, res, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock})
	if _, err := a.c.PutGatewayResponse(context.Background(), &apigateway.PutGatewayResponseInput{RestApiId: &a.id,
		ResponseType: types.GatewayResponseTypeDefault5xx, StatusCode: aws.String("503")}); err != nil {
		t.Fatal(err)
	}
	a.deploy(t, "test", nil)
	resp, body := a.do(t, "GET", "/broken", "", nil)
	if resp.StatusCode != 503 || body != `{"message":"Internal server error"}` || resp.Header.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Fatalf("DEFAULT_5XX: %d %s %v", resp.StatusCode, body, resp.Header)
	}
}
