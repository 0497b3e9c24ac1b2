// Command gofunc is the Go Lambda function of the benchmark: the same
// answer as the bench peers' Node.js `hello` handler, for the
// provided.al2023 runtime (built as `bootstrap`).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func hello(_ context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       `{"message":"hello"}`,
	}, nil
}

func main() { lambda.Start(hello) }
