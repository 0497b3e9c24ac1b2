// Command gofunc is the lambdaapi tests' Go function (provided.al2023,
// built as "bootstrap"). A proxy event's path or a plain event's
// "action" picks what it does.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	events.APIGatewayProxyRequest
	Action string `json:"action"`
	Ms     int    `json:"ms"`
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev event
	_ = json.Unmarshal(raw, &ev)
	action := ev.Action
	if ev.HTTPMethod != "" {
		action = strings.TrimPrefix(ev.Path, "/")
		if ms := ev.QueryStringParameters["ms"]; ms != "" {
			fmt.Sscan(ms, &ev.Ms)
		}
	}
	switch action {
	case "error":
		return nil, errors.New("boom")
	case "crash":
		os.Exit(3)
	case "sleep":
		time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
	case "malformed":
		return map[string]any{"statusCode": 200, "wrongValue": 1}, nil
	case "log":
		fmt.Println("log line from go")
	}
	if ev.HTTPMethod != "" {
		b, _ := json.Marshal(ev.APIGatewayProxyRequest)
		return events.APIGatewayProxyResponse{StatusCode: 200,
			Headers:           map[string]string{"Content-Type": "application/json", "X-Fn": "go"},
			MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
			Body:              string(b)}, nil
	}
	return map[string]any{"runtime": "go", "pid": os.Getpid(), "greeting": os.Getenv("GREETING"),
		"version": os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"), "event": raw}, nil
}

func main() { lambda.Start(handle) }
