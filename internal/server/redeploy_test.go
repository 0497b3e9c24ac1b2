package server_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestRedeployUnderLoad: deployments and stage updates swap the served
// snapshot atomically while requests are in flight; every request gets a
// whole answer from one deployment or the next, never an error (run with
// -race to check the swap).
func TestRedeployUnderLoad(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	put := func(body string) {
		a.method(t, a.root, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
		a.response(t, a.root, "GET", "200", "", nil, map[string]string{"application/json": body})
	}
	put(`v0`)
	a.deploy(t, "test", nil)
	var stop atomic.Bool
	var bad atomic.Int64
	var n atomic.Int64
	var wg sync.WaitGroup
	url := a.srv.URL + "/_aws/execute-api/" + a.id + "/test/"
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				resp, err := http.Get(url)
				if err != nil {
					bad.Add(1)
					continue
				}
				body := readAll(resp)
				n.Add(1)
				if resp.StatusCode != 200 || len(body) < 2 || body[0] != 'v' {
					bad.Add(1)
				}
			}
		}()
	}
	for i := 1; i <= 15; i++ {
		put("v" + string(rune('0'+i%10)))
		a.deploy(t, "test", map[string]string{"round": "r" + string(rune('0'+i%10))})
		if _, err := a.c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &a.id, StageName: aws.String("test"),
			PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("d")}}}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if bad.Load() > 0 || n.Load() == 0 {
		t.Fatalf("%d bad answers out of %d", bad.Load(), n.Load())
	}
}
