package lambdaproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/model"
)

// ErrFunctionNotFound is wrapped by a FunctionInvoker's error when no
// function answers to the ARN; API Gateway then answers 500
// {"message": "Internal server error"} as for a denied invoke
// (integrations-v1.md §9.3).
var ErrFunctionNotFound = errors.New("function not found")

// AsyncInvoker is implemented by invokers that can queue an
// asynchronous (InvocationType Event) invoke; the AWS kind uses it for
// X-Amz-Invocation-Type: Event (integrations-v1.md §3.3).
type AsyncInvoker interface {
	InvokeFunctionAsync(ctx context.Context, functionARN string, payload []byte) error
}

type binaryAcceptedKey struct{}

// WithBinaryAccepted marks ctx for an AWS_PROXY invoke whose request's
// first Accept media type matches the API's binaryMediaTypes, so an
// isBase64Encoded response body is decoded (integrations-v1.md §9.3).
func WithBinaryAccepted(ctx context.Context) context.Context {
	return context.WithValue(ctx, binaryAcceptedKey{}, true)
}

func binaryAccepted(ctx context.Context) bool {
	v, _ := ctx.Value(binaryAcceptedKey{}).(bool)
	return v
}

const (
	uriMarker   = ":lambda:path/2015-03-31/functions/"
	uriSuffix   = "/invocations"
	headerAsync = "X-Amz-Invocation-Type"
)

// FunctionARN extracts the function ARN of a Lambda invocation URI
// arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations
// (integrations-v1.md §3.3): the text between "functions/" and
// "/invocations".
func FunctionARN(uri string) (string, error) {
	i := strings.Index(uri, uriMarker)
	if i < 0 || !strings.HasPrefix(uri, "arn:") {
		return "", fmt.Errorf("%q is not a Lambda invocation URI", uri)
	}
	rest := uri[i+len(uriMarker):]
	fn, ok := strings.CutSuffix(rest, uriSuffix)
	if !ok || fn == "" {
		return "", fmt.Errorf("%q is not a Lambda invocation URI", uri)
	}
	return fn, nil
}

// Proxy is an AWS_PROXY integration with a Lambda function.
type Proxy struct {
	inv integration.FunctionInvoker
	arn string // fixed function ARN; "" when the uri uses stage variables
	bad error  // a configuration every invoke fails on with 500
}

var _ integration.Integration = (*Proxy)(nil)

// ProxyKind returns the deploy Factory for AWS_PROXY integrations backed
// by inv.
func ProxyKind(inv integration.FunctionInvoker) func(it *model.Integration) (integration.Integration, error) {
	return func(it *model.Integration) (integration.Integration, error) {
		arn, err := staticARN(it.URI)
		if err != nil {
			return nil, err
		}
		if it.HTTPMethod != "" && it.HTTPMethod != "POST" {
			// Stored with another method, every invoke fails with 500
			// (integrations-v1.md §3.3, observed).
			return &Proxy{inv: inv, bad: fmt.Errorf("AWS_PROXY Lambda integration with httpMethod %s (must be POST)", it.HTTPMethod)}, nil
		}
		return &Proxy{inv: inv, arn: arn}, nil
	}
}

// staticARN validates uri at deploy time and returns its function ARN
// when no stage variable takes part in it.
func staticARN(uri string) (string, error) {
	arn, err := FunctionARN(uri)
	if err != nil {
		return "", err
	}
	if strings.Contains(uri, "${") {
		return "", nil
	}
	return arn, nil
}

// Invoke sends req.Body (the proxy event) to the function and parses its
// proxy response. req.URL is the integration uri with stage variables
// substituted.
func (p *Proxy) Invoke(ctx context.Context, req *integration.Request) (*integration.Response, error) {
	if p.bad != nil {
		return nil, &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: p.bad}
	}
	res, err := invoke(ctx, p.inv, p.arn, req)
	if err != nil {
		return nil, err
	}
	if res.FunctionError != "" {
		return nil, &awserr.GatewayError{Type: awserr.IntegrationFailure, Status: 502,
			Cause: fmt.Errorf("lambda function error (%s): %s", res.FunctionError, clip(res.Payload))}
	}
	pr, err := ParseResponse(res.Payload, binaryAccepted(ctx))
	if err != nil {
		status := 502
		if errors.Is(err, ErrBase64) {
			status = 500
		}
		return nil, &awserr.GatewayError{Type: awserr.IntegrationFailure, Status: status, Cause: err}
	}
	return &integration.Response{StatusCode: pr.StatusCode, Header: pr.Header, Body: pr.Body}, nil
}

// Custom is an AWS (non-proxy) integration with a Lambda function.
type Custom struct {
	inv integration.FunctionInvoker
	arn string
	bad error // a uri that is not a Lambda invocation: 500 on every call
}

var _ integration.Integration = (*Custom)(nil)

// CustomKind returns the deploy Factory for AWS integrations backed by
// inv. Only Lambda invocation URIs are served; other AWS service URIs
// answer 500 API_CONFIGURATION_ERROR at run time rather than failing the
// deployment.
func CustomKind(inv integration.FunctionInvoker) func(it *model.Integration) (integration.Integration, error) {
	return func(it *model.Integration) (integration.Integration, error) {
		arn, err := staticARN(it.URI)
		if err != nil {
			return &Custom{inv: inv, bad: fmt.Errorf("AWS integration: %w (only Lambda is supported)", err)}, nil
		}
		return &Custom{inv: inv, arn: arn}, nil
	}
}

// Invoke invokes the function with req.Body as the event. Success is
// status 200 with the result as body and selection value ""; a function
// error is status 200 with the error document as body and its
// errorMessage as selection value (integrations-v1.md §13.3). With
// X-Amz-Invocation-Type: Event the invoke is queued and the answer is
// 202 with an empty body (§3.3).
func (c *Custom) Invoke(ctx context.Context, req *integration.Request) (*integration.Response, error) {
	if c.bad != nil {
		return nil, &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: c.bad}
	}
	if req.Header != nil && strings.EqualFold(req.Header.Get(headerAsync), "Event") {
		arn, err := c.target(req)
		if err != nil {
			return nil, err
		}
		if a, ok := c.inv.(AsyncInvoker); ok {
			if err := a.InvokeFunctionAsync(ctx, arn, req.Body); err != nil {
				return nil, invokeError(ctx, ctx, err)
			}
		} else {
			body := append([]byte(nil), req.Body...)
			go c.inv.InvokeFunction(context.WithoutCancel(ctx), arn, body)
		}
		return &integration.Response{StatusCode: 202, Header: http.Header{}}, nil
	}
	res, err := invoke(ctx, c.inv, c.arn, req)
	if err != nil {
		return nil, err
	}
	h := http.Header{"Content-Type": {"application/json"}}
	sel := ""
	if res.FunctionError != "" {
		h["X-Amz-Function-Error"] = []string{res.FunctionError}
		sel = ErrorMessage(res.Payload)
	}
	return &integration.Response{StatusCode: 200, Header: h, Body: res.Payload, SelectionValue: &sel}, nil
}

func (c *Custom) target(req *integration.Request) (string, error) {
	if c.arn != "" {
		return c.arn, nil
	}
	arn, err := FunctionARN(req.URL)
	if err != nil {
		return "", &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: err}
	}
	return arn, nil
}

// ErrorMessage returns the errorMessage of a Lambda error document, or ""
// when it has none (integrations-v1.md §13.3).
func ErrorMessage(payload []byte) string {
	var doc struct {
		ErrorMessage json.RawMessage `json:"errorMessage"`
	}
	if json.Unmarshal(payload, &doc) != nil || len(doc.ErrorMessage) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(doc.ErrorMessage, &s) == nil {
		return s
	}
	return string(doc.ErrorMessage)
}

// invoke resolves the ARN, applies the integration timeout and calls inv.
func invoke(ctx context.Context, inv integration.FunctionInvoker, arn string, req *integration.Request) (*integration.FunctionResult, error) {
	if arn == "" {
		var err error
		if arn, err = FunctionARN(req.URL); err != nil {
			return nil, &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: err}
		}
	}
	ictx := ctx
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		ictx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	res, err := inv.InvokeFunction(ictx, arn, req.Body)
	if err != nil {
		return nil, invokeError(ctx, ictx, err)
	}
	return res, nil
}

// invokeError turns an invoker error into the gateway response AWS
// gives: the integration timeout → 504, an unknown function → 500,
// anything else → 502.
func invokeError(parent, ictx context.Context, err error) error {
	switch {
	case errors.Is(err, ErrFunctionNotFound):
		return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: err}
	case ictx.Err() == context.DeadlineExceeded && parent.Err() == nil:
		return &awserr.GatewayError{Type: awserr.IntegrationTimeout, Cause: err}
	case parent.Err() != nil:
		return fmt.Errorf("lambda invoke: %w", err)
	}
	return &awserr.GatewayError{Type: awserr.IntegrationFailure, Status: 502, Cause: err}
}

// clip shortens a payload for a log message.
func clip(b []byte) string {
	if len(b) > 256 {
		return string(b[:256]) + "…"
	}
	return string(b)
}
