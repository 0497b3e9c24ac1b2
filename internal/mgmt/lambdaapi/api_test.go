package lambdaapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/portico-dev/portico/internal/porticotest"
)

const arnPrefix = "arn:aws:lambda:us-east-1:000000000000:function:"

func invokeJSON(t *testing.T, c *lambdasdk.Client, in *lambdasdk.InvokeInput) (*lambdasdk.InvokeOutput, map[string]any) {
	t.Helper()
	out, err := c.Invoke(context.Background(), in)
	if err != nil {
		t.Fatalf("Invoke %s: %v", aws.ToString(in.FunctionName), err)
	}
	var doc map[string]any
	if len(out.Payload) > 0 {
		if err := json.Unmarshal(out.Payload, &doc); err != nil {
			t.Fatalf("payload %q: %v", out.Payload, err)
		}
	}
	return out, doc
}

// TestFunctionLifecycle drives every operation of the subset through the
// SDK against a real Portico: create, read, list, invoke in all three
// invocation types, update, publish, aliases, permissions, concurrency,
// delete.
func TestFunctionLifecycle(t *testing.T) {
	t.Parallel()
	srv := porticotest.Start(t)
	c := lambdaClient(srv)
	ctx := context.Background()

	created := createGo(t, c, "lifecycle")
	if got := aws.ToString(created.FunctionArn); got != arnPrefix+"lifecycle" {
		t.Errorf("FunctionArn = %s", got)
	}
	if created.State != types.StateActive || aws.ToString(created.Version) != "$LATEST" || aws.ToString(created.CodeSha256) == "" {
		t.Errorf("create output: state %s version %s sha %s", created.State, aws.ToString(created.Version), aws.ToString(created.CodeSha256))
	}

	got, err := c.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("lifecycle")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(got.Configuration.Timeout) != 5 || got.Configuration.Environment.Variables["GREETING"] != "hello" {
		t.Errorf("GetFunction configuration = %+v", got.Configuration)
	}
	list, err := c.ListFunctions(ctx, &lambdasdk.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionName) != "lifecycle" {
		t.Fatalf("ListFunctions = %+v, %v", list, err)
	}

	// Invoke RequestResponse by name, by ARN and by partial ARN.
	for _, name := range []string{"lifecycle", arnPrefix + "lifecycle", "000000000000:function:lifecycle"} {
		out, doc := invokeJSON(t, c, &lambdasdk.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"k":1}`)})
		if out.StatusCode != 200 || doc["greeting"] != "hello" || aws.ToString(out.ExecutedVersion) != "$LATEST" {
			t.Errorf("Invoke %s: status %d doc %v", name, out.StatusCode, doc)
		}
	}
	// LogType Tail returns the invoke's log, base64.
	out, _ := invokeJSON(t, c, &lambdasdk.InvokeInput{FunctionName: aws.String("lifecycle"), LogType: types.LogTypeTail,
		Payload: []byte(`{"action":"log"}`)})
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil || !strings.Contains(string(tail), "log line from go") {
		t.Errorf("LogResult = %q (%v)", tail, err)
	}
	// A function error: 200 with X-Amz-Function-Error.
	out, doc := invokeJSON(t, c, &lambdasdk.InvokeInput{FunctionName: aws.String("lifecycle"), Payload: []byte(`{"action":"error"}`)})
	if aws.ToString(out.FunctionError) != "Unhandled" || doc["errorMessage"] != "boom" {
		t.Errorf("function error: %q %v", aws.ToString(out.FunctionError), doc)
	}
	// Event → 202, DryRun → 204.
	out, _ = invokeJSON(t, c, &lambdasdk.InvokeInput{FunctionName: aws.String("lifecycle"), InvocationType: types.InvocationTypeEvent})
	if out.StatusCode != 202 {
		t.Errorf("Event status %d", out.StatusCode)
	}
	out, _ = invokeJSON(t, c, &lambdasdk.InvokeInput{FunctionName: aws.String("lifecycle"), InvocationType: types.InvocationTypeDryRun})
	if out.StatusCode != 204 {
		t.Errorf("DryRun status %d", out.StatusCode)
	}

	// UpdateFunctionConfiguration: the next invoke sees the new environment.
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("lifecycle"), MemorySize: aws.Int32(256),
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "bonjour"}}}); err != nil {
		t.Fatal(err)
	}
	_, doc = invokeJSON(t, c, &lambdasdk.InvokeInput{FunctionName: aws.String("lifecycle")})
	if doc["greeting"] != "bonjour" {
		t.Errorf("after update: %v", doc)
	}
	upd, err := c.UpdateFunctionCode(ctx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("lifecycle"), ZipFile: goZip, Publish: true})
	if err != nil || aws.ToString(upd.Version) != "1" {
		t.Fatalf("UpdateFunctionCode publish: %+v %v", upd, err)
	}
	pv, err := c.PublishVersion(ctx, &lambdasdk.PublishVersionInput{FunctionName: aws.String("lifecycle")})
	if err != nil || aws.ToString(pv.Version) != "1" {
		t.Errorf("PublishVersion of an unchanged function = %v, %v; want version 1 again", aws.ToString(pv.Version), err)
	}
	if _, err := c.CreateAlias(ctx, &lambdasdk.CreateAliasInput{FunctionName: aws.String("lifecycle"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	// The qualifier may come as Qualifier or in the name.
	for _, in := range []*lambdasdk.InvokeInput{
		{FunctionName: aws.String("lifecycle"), Qualifier: aws.String("live")},
		{FunctionName: aws.String(arnPrefix + "lifecycle:live")},
		{FunctionName: aws.String("lifecycle:1")},
	} {
		out, doc := invokeJSON(t, c, in)
		if aws.ToString(out.ExecutedVersion) != "1" || doc["greeting"] != "bonjour" {
			t.Errorf("Invoke %s/%s: version %s doc %v", aws.ToString(in.FunctionName), aws.ToString(in.Qualifier), aws.ToString(out.ExecutedVersion), doc)
		}
	}
	vers, err := c.ListVersionsByFunction(ctx, &lambdasdk.ListVersionsByFunctionInput{FunctionName: aws.String("lifecycle")})
	if err != nil || len(vers.Versions) != 2 {
		t.Errorf("ListVersionsByFunction = %v, %v", vers, err)
	}

	// Permissions are stored and returned.
	perm, err := c.AddPermission(ctx, &lambdasdk.AddPermissionInput{FunctionName: aws.String("lifecycle"),
		StatementId: aws.String("AllowExecutionFromAPIGateway"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String("arn:aws:execute-api:us-east-1:000000000000:abc/*/GET/resource")})
	if err != nil || !strings.Contains(aws.ToString(perm.Statement), `"Service":"apigateway.amazonaws.com"`) {
		t.Fatalf("AddPermission = %v, %v", perm, err)
	}
	pol, err := c.GetPolicy(ctx, &lambdasdk.GetPolicyInput{FunctionName: aws.String("lifecycle")})
	if err != nil {
		t.Fatal(err)
	}
	var doc2 struct {
		Statement []struct {
			Sid       string
			Resource  string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc2); err != nil || len(doc2.Statement) != 1 ||
		doc2.Statement[0].Resource != arnPrefix+"lifecycle" || doc2.Statement[0].Condition["ArnLike"]["AWS:SourceArn"] == "" {
		t.Errorf("GetPolicy = %s (%v)", aws.ToString(pol.Policy), err)
	}
	_, err = c.AddPermission(ctx, &lambdasdk.AddPermissionInput{FunctionName: aws.String("lifecycle"),
		StatementId: aws.String("AllowExecutionFromAPIGateway"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	var rce *types.ResourceConflictException
	if !errors.As(err, &rce) {
		t.Errorf("duplicate statement: %v", err)
	}
	if _, err := c.RemovePermission(ctx, &lambdasdk.RemovePermissionInput{FunctionName: aws.String("lifecycle"), StatementId: aws.String("AllowExecutionFromAPIGateway")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(ctx, &lambdasdk.GetPolicyInput{FunctionName: aws.String("lifecycle")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("GetPolicy after removal: %v", err)
	}

	// Reserved concurrency.
	if _, err := c.PutFunctionConcurrency(ctx, &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("lifecycle"), ReservedConcurrentExecutions: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	gc, err := c.GetFunctionConcurrency(ctx, &lambdasdk.GetFunctionConcurrencyInput{FunctionName: aws.String("lifecycle")})
	if err != nil || aws.ToInt32(gc.ReservedConcurrentExecutions) != 3 {
		t.Errorf("GetFunctionConcurrency = %v, %v", gc, err)
	}
	if _, err := c.PutFunctionConcurrency(ctx, &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("lifecycle"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("lifecycle")})
	var tmr *types.TooManyRequestsException
	if !errors.As(err, &tmr) {
		t.Errorf("invoke with reserved concurrency 0: %v", err)
	}
	if _, err := c.DeleteFunctionConcurrency(ctx, &lambdasdk.DeleteFunctionConcurrencyInput{FunctionName: aws.String("lifecycle")}); err != nil {
		t.Fatal(err)
	}
	gc, err = c.GetFunctionConcurrency(ctx, &lambdasdk.GetFunctionConcurrencyInput{FunctionName: aws.String("lifecycle")})
	if err != nil || gc.ReservedConcurrentExecutions != nil {
		t.Errorf("after DeleteFunctionConcurrency: %v, %v", gc, err)
	}

	if _, err := c.DeleteFunction(ctx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String("lifecycle")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("lifecycle")})
	if !errors.As(err, &rnf) || aws.ToString(rnf.Message) != "Function not found: "+arnPrefix+"lifecycle" || aws.ToString(rnf.Type) != "User" {
		t.Errorf("GetFunction after delete: %v", err)
	}
}

// TestErrors checks that Lambda's errors reach the SDK as its typed
// errors with AWS's messages.
func TestErrors(t *testing.T) {
	t.Parallel()
	srv := porticotest.Start(t)
	c := lambdaClient(srv)
	ctx := context.Background()
	createGo(t, c, "exists")
	for _, tc := range []struct {
		name    string
		call    func() error
		code    string
		message string
	}{
		{"get unknown function is ResourceNotFoundException", func() error {
			_, err := c.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Function not found: " + arnPrefix + "nope"},
		{"invoke unknown function is ResourceNotFoundException", func() error {
			_, err := c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Function not found: " + arnPrefix + "nope"},
		{"invoke unknown version names the qualified ARN", func() error {
			_, err := c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("exists"), Qualifier: aws.String("7")})
			return err
		}, "ResourceNotFoundException", "Function not found: " + arnPrefix + "exists:7"},
		{"create existing function is ResourceConflictException", func() error {
			_, err := c.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("exists"), Role: aws.String("r"),
				Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: goZip}})
			return err
		}, "ResourceConflictException", "Function already exist: exists"},
		{"code that is not a zip is InvalidParameterValueException", func() error {
			_, err := c.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("badzip"), Role: aws.String("r"),
				Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: []byte("not a zip")}})
			return err
		}, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"timeout above 900 is ValidationException", func() error {
			_, err := c.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("exists"), Timeout: aws.Int32(901)})
			return err
		}, "ValidationException", "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"invalid JSON payload is InvalidRequestContentException", func() error {
			_, err := c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("exists"), Payload: []byte("{nope")})
			return err
		}, "InvalidRequestContentException", ""},
		{"remove unknown statement is ResourceNotFoundException", func() error {
			_, err := c.RemovePermission(ctx, &lambdasdk.RemovePermissionInput{FunctionName: aws.String("exists"), StatementId: aws.String("x")})
			return err
		}, "ResourceNotFoundException", "Statement x is not found in resource policy."},
		{"deleting $LATEST alone is InvalidParameterValueException", func() error {
			_, err := c.DeleteFunction(ctx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String("exists"), Qualifier: aws.String("$LATEST")})
			return err
		}, "InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an API error", err)
			}
			if ae.ErrorCode() != tc.code {
				t.Errorf("code = %s, want %s (%v)", ae.ErrorCode(), tc.code, err)
			}
			if tc.message != "" && ae.ErrorMessage() != tc.message {
				t.Errorf("message = %q, want %q", ae.ErrorMessage(), tc.message)
			}
		})
	}
	// The typed errors the SDK decodes.
	_, err := c.GetFunctionConfiguration(ctx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String("nope")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("GetFunctionConfiguration unknown: %T %v", err, err)
	}
	_, err = c.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("badzip"), Role: aws.String("r"),
		Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: []byte("x")}})
	var ipv *types.InvalidParameterValueException
	if !errors.As(err, &ipv) {
		t.Errorf("bad zip: %T %v", err, err)
	}
}

// TestRuntimes creates a Node.js and a Python function from zips made in
// the test and invokes them through the SDK.
func TestRuntimes(t *testing.T) {
	t.Parallel()
	srv := porticotest.Start(t)
	c := lambdaClient(srv)
	for _, tc := range []struct {
		name, program, runtime, handler, dir, want string
	}{
		{"node", "node", "nodejs20.x", "index.handler", "testdata/nodefunc", "node"},
		{"python", "python3", "python3.12", "lambda.lambda_handler", "testdata/pyfunc", "python"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !haveProgram(tc.program) {
				t.Skipf("%s not on PATH", tc.program)
			}
			_, err := c.CreateFunction(context.Background(), &lambdasdk.CreateFunctionInput{
				FunctionName: aws.String("rt-" + tc.name), Runtime: types.Runtime(tc.runtime), Handler: aws.String(tc.handler),
				Role: aws.String("r"), Code: &types.FunctionCode{ZipFile: zipDir(t, tc.dir)},
				Environment: &types.Environment{Variables: map[string]string{"GREETING": "hi"}}})
			if err != nil {
				t.Fatal(err)
			}
			_, doc := invokeJSON(t, c, &lambdasdk.InvokeInput{FunctionName: aws.String("rt-" + tc.name), Payload: []byte(`{"a":1}`)})
			if doc["runtime"] != tc.want || doc["greeting"] != "hi" {
				t.Errorf("result = %v", doc)
			}
			out, doc := invokeJSON(t, c, &lambdasdk.InvokeInput{FunctionName: aws.String("rt-" + tc.name), Payload: []byte(`{"action":"error"}`)})
			if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(doc["errorMessage"].(string), "boom") {
				t.Errorf("error result = %q %v", aws.ToString(out.FunctionError), doc)
			}
		})
	}
}

// TestRestartKeepsFunctions: configuration is in the store and code under
// the data directory, so a restarted Portico invokes the same function.
func TestRestartKeepsFunctions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := porticotest.StartWith(t, porticotest.Options{DataDir: dir})
	c := lambdaClient(srv)
	createGo(t, c, "durable")
	if _, err := c.PublishVersion(context.Background(), &lambdasdk.PublishVersionInput{FunctionName: aws.String("durable")}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()

	srv2 := porticotest.StartWith(t, porticotest.Options{DataDir: dir})
	c2 := lambdaClient(srv2)
	out, doc := invokeJSON(t, c2, &lambdasdk.InvokeInput{FunctionName: aws.String("durable"), Qualifier: aws.String("1")})
	if doc["greeting"] != "hello" || aws.ToString(out.ExecutedVersion) != "1" {
		t.Errorf("after restart: %v", doc)
	}
}
