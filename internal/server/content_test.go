package server_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

var pngBytes = []byte{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00}

// contentBackend answers /text with base64 text and /bin with binary
// bytes, and records the request body it received.
func contentBackend(t *testing.T, got *atomic.Pointer[[]byte]) *httptest.Server {
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.Store(&body)
		if strings.HasSuffix(r.URL.Path, "/bin") {
			w.Header().Set("Content-Type", "image/png")
			w.Write(pngBytes)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("aGVsbG8="))
	}))
	t.Cleanup(b.Close)
	return b
}

// contentAPI builds, for one binaryMediaTypes setting, a resource per
// (backend kind × contentHandling) with that handling on both the
// integration request and its default integration response.
func contentAPI(t *testing.T, backend string, binaryTypes []string) *restAPI {
	a := newAPI(t)
	if len(binaryTypes) > 0 {
		var ops []types.PatchOperation
		for _, bt := range binaryTypes {
			ops = append(ops, types.PatchOperation{Op: types.OpAdd, Path: aws.String("/binaryMediaTypes/" + strings.ReplaceAll(bt, "/", "~1"))})
		}
		if _, err := a.c.UpdateRestApi(context.Background(), &apigateway.UpdateRestApiInput{RestApiId: &a.id, PatchOperations: ops}); err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{"text", "bin"} {
		for _, h := range []types.ContentHandlingStrategy{"", types.ContentHandlingStrategyConvertToBinary, types.ContentHandlingStrategyConvertToText} {
			name := kind + "-" + strings.ToLower(string(h))
			if h == "" {
				name = kind + "-none"
			}
			res := a.resource(t, a.root, name)
			a.method(t, res, "POST", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("POST"),
				Uri: aws.String(backend + "/" + kind), ContentHandling: h})
			_, err := a.c.PutMethodResponse(context.Background(), &apigateway.PutMethodResponseInput{RestApiId: &a.id, ResourceId: &res,
				HttpMethod: aws.String("POST"), StatusCode: aws.String("200")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.c.PutIntegrationResponse(context.Background(), &apigateway.PutIntegrationResponseInput{RestApiId: &a.id, ResourceId: &res,
				HttpMethod: aws.String("POST"), StatusCode: aws.String("200"), ContentHandling: h}); err != nil {
				t.Fatal(err)
			}
		}
	}
	a.deploy(t, "test", nil)
	return a
}

const b64Hello = "aGVsbG8="

// TestContentHandlingRequest is every row of integrations-v1.md §10.1.
func TestContentHandlingRequest(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[[]byte]
	backend := contentBackend(t, &got)
	plain := contentAPI(t, backend.URL, nil)
	withTypes := contentAPI(t, backend.URL, []string{"image/*"})
	for _, tc := range []struct {
		name     string
		api      *restAPI
		handling string
		ct       string
		body     []byte
		want     []byte
	}{
		{"text, types undefined, unset → UTF-8 string", plain, "none", "text/plain", []byte(b64Hello), []byte(b64Hello)},
		{"text, types undefined, CONVERT_TO_BINARY → base64-decoded blob", plain, "convert_to_binary", "text/plain", []byte(b64Hello), []byte("hello")},
		{"text, types undefined, CONVERT_TO_TEXT → UTF-8 string", plain, "convert_to_text", "text/plain", []byte(b64Hello), []byte(b64Hello)},
		{"text type, types set, unset → text", withTypes, "none", "text/plain", []byte(b64Hello), []byte(b64Hello)},
		{"text type, types set, CONVERT_TO_BINARY → base64-decoded blob", withTypes, "convert_to_binary", "text/plain", []byte(b64Hello), []byte("hello")},
		{"text type, types set, CONVERT_TO_TEXT → text", withTypes, "convert_to_text", "text/plain", []byte(b64Hello), []byte(b64Hello)},
		{"binary type, types set, unset → binary unchanged", withTypes, "none", "image/png", pngBytes, pngBytes},
		{"binary type, types set, CONVERT_TO_BINARY → binary unchanged", withTypes, "convert_to_binary", "image/png", pngBytes, pngBytes},
		{"binary type, types set, CONVERT_TO_TEXT → base64-encoded string", withTypes, "convert_to_text", "image/png", pngBytes, []byte(base64.StdEncoding.EncodeToString(pngBytes))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := tc.api.do(t, "POST", "/text-"+tc.handling, string(tc.body), http.Header{"Content-Type": {tc.ct}})
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if b := *got.Load(); string(b) != string(tc.want) {
				t.Fatalf("backend got %q, want %q", b, tc.want)
			}
		})
	}
	// Text that is not base64 cannot become a blob: 500 (§10.1).
	resp, _ := plain.do(t, "POST", "/text-convert_to_binary", "not base64!", http.Header{"Content-Type": {"text/plain"}})
	if resp.StatusCode != 500 {
		t.Fatalf("invalid base64 with CONVERT_TO_BINARY: %d", resp.StatusCode)
	}
}

// TestContentHandlingResponse is every row of integrations-v1.md §10.2.
func TestContentHandlingResponse(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[[]byte]
	backend := contentBackend(t, &got)
	plain := contentAPI(t, backend.URL, nil)
	withTypes := contentAPI(t, backend.URL, []string{"image/png"})
	encPNG := []byte(base64.StdEncoding.EncodeToString(pngBytes))
	for _, tc := range []struct {
		name   string
		api    *restAPI
		path   string // backend kind and handling
		accept string
		want   []byte
		status int
	}{
		{"types undefined, unset → UTF-8 string", plain, "/text-none", "text/plain", []byte(b64Hello), 200},
		{"types undefined, CONVERT_TO_BINARY → base64-decoded blob", plain, "/text-convert_to_binary", "text/plain", []byte("hello"), 200},
		{"types undefined, CONVERT_TO_TEXT → UTF-8 string", plain, "/text-convert_to_text", "text/plain", []byte(b64Hello), 200},
		{"text, text accept, unset → text", withTypes, "/text-none", "text/plain", []byte(b64Hello), 200},
		{"text, text accept, CONVERT_TO_BINARY → base64-decoded blob", withTypes, "/text-convert_to_binary", "text/plain", []byte("hello"), 200},
		{"text, text accept, CONVERT_TO_TEXT → UTF-8 string", withTypes, "/text-convert_to_text", "text/plain", []byte(b64Hello), 200},
		{"text, binary accept, unset → base64-decoded blob", withTypes, "/text-none", "image/png", []byte("hello"), 200},
		{"text, binary accept, CONVERT_TO_BINARY → base64-decoded blob", withTypes, "/text-convert_to_binary", "image/png", []byte("hello"), 200},
		{"text, binary accept, CONVERT_TO_TEXT → UTF-8 string", withTypes, "/text-convert_to_text", "image/png", []byte(b64Hello), 200},
		{"binary, text accept, unset → base64-encoded string", withTypes, "/bin-none", "text/plain", encPNG, 200},
		{"binary, text accept, CONVERT_TO_BINARY → binary", withTypes, "/bin-convert_to_binary", "text/plain", pngBytes, 200},
		{"binary, text accept, CONVERT_TO_TEXT → base64-encoded string", withTypes, "/bin-convert_to_text", "text/plain", encPNG, 200},
		{"binary, binary accept, unset → binary", withTypes, "/bin-none", "image/png", pngBytes, 200},
		{"binary, binary accept, CONVERT_TO_BINARY → binary", withTypes, "/bin-convert_to_binary", "image/png", pngBytes, 200},
		{"binary, binary accept, CONVERT_TO_TEXT → base64-encoded string", withTypes, "/bin-convert_to_text", "image/png", encPNG, 200},
		{"only the first Accept type counts", withTypes, "/bin-none", "text/html, image/png", encPNG, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.api.do(t, "POST", tc.path, b64Hello, http.Header{"Accept": {tc.accept}, "Content-Type": {"text/plain"}})
			if resp.StatusCode != tc.status || body != string(tc.want) {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.want)
			}
		})
	}
}
