package lambdaapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration/lambdaproxy"
	"github.com/portico-dev/portico/internal/lambda"
)

// remoteClients holds one SDK Lambda client per remote endpoint, built
// on first use from the default credential chain.
type remoteClients struct {
	region string

	mu      sync.Mutex
	base    *aws.Config
	clients map[string]*lambdasdk.Client
}

// AWSEndpoint as a remote endpoint means real AWS Lambda.
const AWSEndpoint = "aws"

func (rc *remoteClients) client(ctx context.Context, endpoint string) (*lambdasdk.Client, error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if c := rc.clients[endpoint]; c != nil {
		return c, nil
	}
	if rc.base == nil {
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(rc.region))
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration for remote Lambda: %w", err)
		}
		rc.base = &cfg
	}
	c := lambdasdk.NewFromConfig(*rc.base, func(o *lambdasdk.Options) {
		if endpoint != AWSEndpoint {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	if rc.clients == nil {
		rc.clients = map[string]*lambdasdk.Client{}
	}
	rc.clients[endpoint] = c
	return c, nil
}

// invoke sends a synchronous invoke to endpoint. The function keeps the
// name or ARN the caller used; an ARN's region picks the client region.
func (rc *remoteClients) invoke(ctx context.Context, endpoint, fn, qualifier string, payload []byte, tail bool) (*lambda.Result, error) {
	c, err := rc.client(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	in := &lambdasdk.InvokeInput{FunctionName: aws.String(fn), Payload: payload}
	if qualifier != "" {
		in.Qualifier = aws.String(qualifier)
	}
	if tail {
		in.LogType = types.LogTypeTail
	}
	var opts []func(*lambdasdk.Options)
	if parts := strings.Split(fn, ":"); len(parts) >= 7 && parts[0] == "arn" && parts[3] != "" {
		region := parts[3]
		opts = append(opts, func(o *lambdasdk.Options) { o.Region = region })
	}
	out, err := c.Invoke(ctx, in, opts...)
	if err != nil {
		return nil, remoteError(fn, err)
	}
	res := &lambda.Result{Payload: out.Payload, FunctionError: aws.ToString(out.FunctionError),
		ExecutedVersion: aws.ToString(out.ExecutedVersion)}
	if out.LogResult != nil {
		res.LogTail, _ = base64.StdEncoding.DecodeString(*out.LogResult)
	}
	return res, nil
}

// remoteError keeps the remote service's error code, status and message.
func remoteError(fn string, err error) error {
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return fmt.Errorf("remote invoke %s: %w: %w", fn, lambdaproxy.ErrFunctionNotFound,
			notFound("%s", nf.ErrorMessage()))
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		status := 500
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		return fmt.Errorf("remote invoke %s: %w", fn, &awserr.Error{Status: status, Type: ae.ErrorCode(),
			Message: ae.ErrorMessage(), Extra: map[string]string{"Type": "User", "Message": ae.ErrorMessage()}})
	}
	return fmt.Errorf("remote invoke %s: %w", fn, err)
}
