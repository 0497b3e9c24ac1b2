package lambdaapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/portico-dev/portico/internal/lambda"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/mgmt/lambdaapi"
	"github.com/portico-dev/portico/internal/porticotest"
	"github.com/portico-dev/portico/internal/store"
)

// goZip is the test Go function (testdata/gofunc) built once by TestMain
// and zipped as an executable "bootstrap"; goBin is the executable.
var (
	goZip []byte
	goBin string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "portico-lambdaapi-gofunc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/gofunc")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build testdata/gofunc: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goZip = zipFiles(map[string]zipEntry{"bootstrap": {b, 0o755}})
	goBin = bin
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type zipEntry struct {
	data []byte
	mode fs.FileMode
}

func zipFiles(files map[string]zipEntry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			panic(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// zipDir zips the files of a testdata directory.
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	files := map[string]zipEntry{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = zipEntry{b, 0o644}
	}
	return zipFiles(files)
}

func sdkConfig(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDPORTICO", "secret", ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   http.DefaultClient,
	}
}

// lambdaClient returns an SDK Lambda client for a porticotest server.
func lambdaClient(srv *porticotest.Server) *lambdasdk.Client {
	return lambdasdk.NewFromConfig(srv.Config())
}

// harness is a Service behind a real loopback HTTP server, for tests that
// need the Service or its Manager directly.
type harness struct {
	svc    *lambdaapi.Service
	mgr    *lambda.Manager
	url    string
	client *lambdasdk.Client
}

func newHarness(t testing.TB, cfg lambdaapi.Config, opts lambda.Options) *harness {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = store.NewMemory()
	}
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	mgr, err := lambda.NewManager(opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Manager = mgr
	svc, err := lambdaapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := mgmt.NewMux(cfg.Log)
	svc.Register(mux)
	hs := httptest.NewServer(svc.Handler(mux))
	t.Cleanup(func() {
		hs.Close()
		svc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := mgr.Close(ctx); err != nil {
			t.Errorf("close manager: %v", err)
		}
		if n := mgr.LiveProcesses(); n != 0 {
			t.Errorf("%d live processes after Close", n)
		}
	})
	return &harness{svc: svc, mgr: mgr, url: hs.URL, client: lambdasdk.NewFromConfig(sdkConfig(hs.URL))}
}

// createGo creates the Go test function through the SDK.
func createGo(t testing.TB, c *lambdasdk.Client, name string, mutate ...func(*lambdasdk.CreateFunctionInput)) *lambdasdk.CreateFunctionOutput {
	t.Helper()
	in := &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         aws.String("arn:aws:iam::000000000000:role/lambda"),
		Code:         &types.FunctionCode{ZipFile: goZip},
		Timeout:      aws.Int32(5),
		Environment:  &types.Environment{Variables: map[string]string{"GREETING": "hello"}},
	}
	for _, m := range mutate {
		m(in)
	}
	out, err := c.CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	return out
}

func haveProgram(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}
