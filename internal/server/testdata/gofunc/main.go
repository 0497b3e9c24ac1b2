// Command gofunc is a Lambda proxy handler for the data-plane tests
// (provided.al2023, built as "bootstrap"): the request path picks what it
// does.
package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, ev events.APIGatewayProxyRequest) (any, error) {
	switch ev.PathParameters["action"] {
	case "throw":
		return nil, errors.New("boom")
	case "crash":
		os.Exit(3)
	case "malformed":
		return map[string]any{"statusCode": "not a number"}, nil
	case "sleep":
		ms, _ := strconv.Atoi(ev.QueryStringParameters["ms"])
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"X-Fn": "go"},
		Body: ev.HTTPMethod + " " + ev.Resource + " " + ev.RequestContext.Stage + " " + strconv.Itoa(os.Getpid())}, nil
}

func main() { lambda.Start(handle) }
