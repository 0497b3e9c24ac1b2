package pipeline

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
)

// ExecutionLog renders what happened to x in the shape of API Gateway's
// test-invoke execution log ("Method request path: ...", "Endpoint
// request URI: ...", ...). err is what the stages returned, if anything.
func ExecutionLog(x *Exchange, err error) string {
	var b strings.Builder
	ts := func() string { return x.Start.UTC().Format("Mon Jan 02 15:04:05 UTC 2006") + " : " }
	line := func(format string, args ...any) {
		b.WriteString(ts())
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "Execution log for request %s\n", x.RequestID)
	line("Starting execution for request: %s", x.RequestID)
	line("HTTP Method: %s, Resource Path: %s", x.HTTPMethod, x.Path)
	line("Method request path: %s", paramsText(x))
	line("Method request query string: %s", mapText(x.Query()))
	line("Method request headers: %s", headerText(x.Header))
	line("Method request body before transformations: %s", truncate(string(x.Body)))
	if x.Trace != nil {
		for _, e := range x.Trace.Entries {
			if e.Detail != "" && e.Step != "Endpoint request URI" {
				line("%s: %s", e.Step, e.Detail)
			}
		}
	}
	if x.IntReq.URL != "" {
		line("Endpoint request URI: %s", x.IntReq.URL)
		line("Endpoint request headers: %s", headerText(x.IntReq.Header))
	}
	if x.IntReq.URL != "" || x.Transformed {
		line("Endpoint request body after transformations: %s", truncate(string(x.IntReq.Body)))
	}
	if x.IntReq.URL != "" {
		line("Sending request to %s", x.IntReq.URL)
	}
	if x.IntResp != nil {
		line("Received response. Status: %d, Integration latency: %d ms", x.IntResp.StatusCode, x.IntegrationLatency.Milliseconds())
		line("Endpoint response headers: %s", headerText(x.IntResp.Header))
		line("Endpoint response body before transformations: %s", truncate(string(x.IntResp.Body)))
	}
	if err != nil {
		if ge, ok := err.(*awserr.GatewayError); ok {
			line("Execution failed due to %s: %s", ge.Type, ge.Error())
		} else {
			line("Execution failed: %v", err)
		}
		line("Method completed with status: %d", x.Result.Status)
		return b.String()
	}
	line("Method response body after transformations: %s", truncate(string(x.Result.Body)))
	line("Method response headers: %s", headerText(x.Result.Header))
	line("Successfully completed execution")
	line("Method completed with status: %d", x.Result.Status)
	return b.String()
}

func paramsText(x *Exchange) string {
	parts := make([]string, 0, x.Params.Len())
	for i := 0; i < x.Params.Len(); i++ {
		p := x.Params.At(i)
		parts = append(parts, p.Name+"="+p.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func mapText(m map[string][]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+strings.Join(m[k], ","))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func headerText(h http.Header) string { return mapText(h) }
