package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/portico-dev/portico/internal/porticotest"
)

// certFor makes a CA and a leaf certificate for name; it returns the
// leaf as a tls.Certificate and the CA as PEM.
func certFor(t *testing.T, name string) (tls.Certificate, []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "portico test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}

// TestSeedVpcLink rebuilds the VPC Link example of the Terraform
// aws_api_gateway_integration docs (seeds/000): an HTTP integration to
// https://www.google.de through a VPC link to a network load balancer,
// with 'static' request parameters, application/json and
// application/xml templates, WHEN_NO_MATCH, CONVERT_TO_TEXT. The load
// balancer's ARN maps to a local TLS backend (and a dead upstream that
// passive health skips); the uri still sets Host and the TLS server name
// (integrations-v1.md §3.1, §4.1).
func TestSeedVpcLink(t *testing.T) {
	t.Parallel()
	cert, caPEM := certFor(t, "www.google.de")
	var got atomic.Pointer[seen]
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.Store(&seen{method: r.Method, path: r.URL.Path, body: string(body), header: r.Header.Clone(), host: r.Host})
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"private":true}`))
	}))
	backend.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	backend.StartTLS()
	t.Cleanup(backend.Close)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, caPEM, 0o600)
	nlb := "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/test/50dc6c495c0c9188"
	srv := porticotest.StartWith(t, porticotest.Options{CAFile: caFile,
		VpcLinkTargets: map[string][]string{nlb: {deadAddr, backend.Listener.Addr().String()}}})
	c := srv.APIGateway()
	ctx := context.Background()

	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
	a := &restAPI{srv: srv, c: c, id: *api.Id, root: *api.RootResourceId}
	res := a.resource(t, a.root, "test")
	link, err := c.CreateVpcLink(ctx, &apigateway.CreateVpcLinkInput{Name: aws.String("test"), TargetArns: []string{nlb}})
	if err != nil {
		t.Fatal(err)
	}
	if link.Status != types.VpcLinkStatusAvailable {
		t.Fatalf("vpc link status %s", link.Status)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &a.id, ResourceId: &res, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE"), RequestModels: map[string]string{"application/json": "Error"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &a.id, ResourceId: &res, HttpMethod: aws.String("GET"),
		ConnectionId: link.Id, ConnectionType: types.ConnectionTypeVpcLink, ContentHandling: types.ContentHandlingStrategyConvertToText,
		IntegrationHttpMethod: aws.String("GET"), PassthroughBehavior: aws.String("WHEN_NO_MATCH"),
		RequestParameters: map[string]string{"integration.request.header.X-Authorization": "'static'", "integration.request.header.X-Foo": "'Bar'"},
		RequestTemplates:  map[string]string{"application/json": "", "application/xml": "#set($inputRoot = $input.path('$'))\n{ }\n"},
		Type:              types.IntegrationTypeHttp, Uri: aws.String("https://www.google.de")}); err != nil {
		t.Fatal(err)
	}
	a.response(t, res, "GET", "200", "", nil, nil)
	a.deploy(t, "test", nil)

	for i := 0; i < 4; i++ {
		resp, body := a.do(t, "GET", "/test", "", map[string][]string{"Content-Type": {"application/json"}})
		if resp.StatusCode != 200 || body != `{"private":true}` {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
		}
	}
	s := got.Load()
	if s.host != "www.google.de" || s.header.Get("X-Authorization") != "static" || s.header.Get("X-Foo") != "Bar" || s.body != "" {
		t.Fatalf("backend saw host %q headers %v body %q", s.host, s.header, s.body)
	}
	// The application/xml template applies for XML requests.
	resp, _ := a.do(t, "GET", "/test", "<a/>", map[string][]string{"Content-Type": {"application/xml"}})
	if resp.StatusCode != 200 || got.Load().body != "{ }\n" {
		t.Fatalf("xml template: %d %q", resp.StatusCode, got.Load().body)
	}

	// A link in use cannot be deleted.
	if _, err := c.DeleteVpcLink(ctx, &apigateway.DeleteVpcLinkInput{VpcLinkId: link.Id}); err == nil {
		t.Fatal("deleted a vpc link an integration uses")
	}
	// connectionId through a stage variable (integrations-v1.md §4.1).
	if _, err := c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: &a.id, ResourceId: &res, HttpMethod: aws.String("GET"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/connectionId"), Value: aws.String("${stageVariables.link}")}}}); err != nil {
		t.Fatal(err)
	}
	a.deploy(t, "test", map[string]string{"link": *link.Id})
	if resp, body := a.do(t, "GET", "/test", "", nil); resp.StatusCode != 200 {
		t.Fatalf("stage-variable connectionId: %d %s", resp.StatusCode, body)
	}
	a.deploy(t, "test", map[string]string{"link": "nosuchlink"})
	if resp, _ := a.do(t, "GET", "/test", "", nil); resp.StatusCode != 500 {
		t.Fatalf("unknown link: %d", resp.StatusCode)
	}
	if _, err := c.DeleteVpcLink(ctx, &apigateway.DeleteVpcLinkInput{VpcLinkId: link.Id}); err != nil {
		t.Fatalf("link referenced only through a stage variable: %v", err)
	}
}

// TestVpcLinkUnmappedTarget: a link whose ARN has no upstreams answers
// 500 at request time with a clear cause.
func TestVpcLinkUnmappedTarget(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	link, err := a.c.CreateVpcLink(ctx, &apigateway.CreateVpcLinkInput{Name: aws.String("x"),
		TargetArns: []string{"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/none/1"}})
	if err != nil {
		t.Fatal(err)
	}
	res := a.resource(t, a.root, "p")
	a.method(t, res, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"),
		Uri: aws.String("http://internal.example.com/"), ConnectionType: types.ConnectionTypeVpcLink, ConnectionId: link.Id})
	a.deploy(t, "test", nil)
	if resp, body := a.do(t, "GET", "/p", "", nil); resp.StatusCode != 500 || body != `{"message":"Internal server error"}` {
		t.Fatalf("unmapped: %d %s", resp.StatusCode, body)
	}
	got, err := a.c.GetVpcLinks(ctx, &apigateway.GetVpcLinksInput{})
	if err != nil || len(got.Items) != 1 || *got.Items[0].Id != *link.Id {
		t.Fatalf("GetVpcLinks: %+v %v", got, err)
	}
	up, err := a.c.UpdateVpcLink(ctx, &apigateway.UpdateVpcLinkInput{VpcLinkId: link.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("d")}}})
	if err != nil || aws.ToString(up.Description) != "d" {
		t.Fatalf("UpdateVpcLink: %+v %v", up, err)
	}
}
