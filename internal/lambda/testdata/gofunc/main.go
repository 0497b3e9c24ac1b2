// Command gofunc is a test function for the provided.al2023 runtime,
// built as "bootstrap" by the lambda package's tests. The event's
// "action" picks what it does.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Action string   `json:"action"`
	Ms     int      `json:"ms"`
	Lines  []string `json:"lines"`
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev event
	_ = json.Unmarshal(raw, &ev)
	switch ev.Action {
	case "error":
		return nil, errors.New("boom")
	case "crash":
		os.Exit(1)
	case "sleep":
		time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
	case "log":
		for _, l := range ev.Lines {
			fmt.Println(l)
		}
	case "big":
		return string(make([]byte, 7<<20)), nil
	}
	lc, _ := lambdacontext.FromContext(ctx)
	dl, _ := ctx.Deadline()
	return map[string]any{
		"runtime":      "go",
		"pid":          os.Getpid(),
		"requestId":    lc.AwsRequestID,
		"functionArn":  lc.InvokedFunctionArn,
		"functionName": lambdacontext.FunctionName,
		"memory":       fmt.Sprint(lambdacontext.MemoryLimitInMB),
		"version":      lambdacontext.FunctionVersion,
		"remainingMs":  time.Until(dl).Milliseconds(),
		"region":       os.Getenv("AWS_REGION"),
		"handler":      os.Getenv("_HANDLER"),
		"taskRoot":     os.Getenv("LAMBDA_TASK_ROOT"),
		"logGroup":     lambdacontext.LogGroupName,
		"greeting":     os.Getenv("GREETING"),
		"trace":        ctx.Value("x-amzn-trace-id"),
		"event":        raw,
	}, nil
}

func main() { lambda.Start(handle) }
