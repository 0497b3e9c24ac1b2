package lambdaapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/portico-dev/portico/internal/porticotest"
)

// TestSeedLambdaIntegration rebuilds the seed's "Lambda integration"
// example (seeds/000, aws_lambda_function + aws_lambda_permission +
// AWS_PROXY integration with uri = invoke_arn, integration_http_method
// POST) through the SDKs and calls GET /resource.
func TestSeedLambdaIntegration(t *testing.T) {
	t.Parallel()
	if !haveProgram("python3") {
		t.Skip("python3 not on PATH")
	}
	srv := porticotest.Start(t)
	lc := lambdaClient(srv)
	ag := srv.APIGateway()
	ctx := context.Background()

	fn, err := lc.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("mylambda"), Handler: aws.String("lambda.lambda_handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/myrole"), Runtime: types.RuntimePython37,
		Code: &types.FunctionCode{ZipFile: zipDir(t, "testdata/pyfunc")}})
	if err != nil {
		t.Fatal(err)
	}
	api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("myapi")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("resource")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.AddPermission(ctx, &lambdasdk.AddPermissionInput{FunctionName: fn.FunctionName,
		StatementId: aws.String("AllowExecutionFromAPIGateway"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:000000000000:" + aws.ToString(api.Id) + "/*/GET/resource")}); err != nil {
		t.Fatal(err)
	}
	// invoke_arn as the Terraform provider computes it.
	invokeARN := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + aws.ToString(fn.FunctionArn) + "/invocations"
	if _, err := ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type: "AWS_PROXY", IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(invokeARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	resp := srv.Invoke(t, "GET", aws.ToString(api.Id), "prod", "/resource", nil, nil)
	body := porticotest.ReadBody(t, resp)
	var got struct{ Path, Resource string }
	if resp.StatusCode != 200 || resp.Header.Get("X-Fn") != "python" || json.Unmarshal([]byte(body), &got) != nil ||
		got.Path != "/resource" || !strings.HasPrefix(got.Resource, "/resource") {
		t.Errorf("GET /resource = %d %v %s", resp.StatusCode, resp.Header, body)
	}
}
