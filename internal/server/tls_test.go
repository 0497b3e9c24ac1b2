package server_test

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/portico-dev/portico/internal/porticotest"
)

// TestTLSBackends (integrations-v1.md §4.2): a self-signed HTTPS backend
// fails verification (502) unless the integration sets
// insecureSkipVerification — which still checks the host name — or the
// server trusts its CA through --ca-file.
func TestTLSBackends(t *testing.T) {
	t.Parallel()
	backend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("secure"))
	}))
	t.Cleanup(backend.Close)
	// The same certificate served under a name it does not carry.
	wrongName := httptest.NewUnstartedServer(backend.Config.Handler)
	wrongName.TLS = &tls.Config{Certificates: backend.TLS.Certificates}
	wrongName.StartTLS()
	t.Cleanup(wrongName.Close)
	_, port, _ := splitPort(wrongName.URL)

	build := func(a *restAPI) {
		for _, tc := range []struct {
			path, uri string
			insecure  bool
		}{
			{"strict", backend.URL + "/", false},
			{"insecure", backend.URL + "/", true},
			{"insecure-wrong-host", "https://localhost:" + port + "/", true},
		} {
			res := a.resource(t, a.root, tc.path)
			in := apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(tc.uri)}
			if tc.insecure {
				in.TlsConfig = &types.TlsConfig{InsecureSkipVerification: true}
			}
			a.method(t, res, "GET", nil, in)
		}
		a.deploy(t, "test", nil)
	}
	a := newAPI(t)
	build(a)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/strict", 502},
		{"/insecure", 200},
		{"/insecure-wrong-host", 502}, // host name is still checked
	} {
		resp, body := a.do(t, "GET", tc.path, "", nil)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.path, resp.StatusCode, body, tc.status)
		}
	}

	// --ca-file: trusting the backend's certificate makes strict work.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: backend.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := porticotest.StartWith(t, porticotest.Options{CAFile: ca})
	c := srv.APIGateway()
	api, err := c.CreateRestApi(context.Background(), &apigateway.CreateRestApiInput{Name: aws.String("ca")})
	if err != nil {
		t.Fatal(err)
	}
	b := &restAPI{srv: srv, c: c, id: *api.Id, root: *api.RootResourceId}
	build(b)
	if resp, body := b.do(t, "GET", "/strict", "", nil); resp.StatusCode != 200 || body != "secure" {
		t.Fatalf("with --ca-file: %d %s", resp.StatusCode, body)
	}
}

func splitPort(u string) (host, port string, ok bool) {
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] == ':' {
			return u[:i], u[i+1:], true
		}
	}
	return u, "", false
}
