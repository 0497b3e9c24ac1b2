package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// startBinary runs `portico serve` as a real process and waits for its
// "portico listening on" line.
func startBinary(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if strings.HasPrefix(s.Text(), "portico listening on ") {
				line <- strings.TrimPrefix(s.Text(), "portico listening on ")
			}
		}
	}()
	select {
	case u := <-line:
		return cmd, u
	case <-time.After(20 * time.Second):
		t.Fatal("portico did not print its listening line")
	}
	return nil, ""
}

// TestServeRestartAndGracefulShutdown builds the binary, creates an API
// through the SDK, stops the process with SIGTERM (it must exit 0 after
// draining), starts it again on the same --data and finds the API.
func TestServeRestartAndGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "portico")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	cmd, url := startBinary(t, bin, "--data", data, "--log-format", "json")
	client := func(u string) *apigateway.Client {
		return apigateway.New(apigateway.Options{Region: "eu-west-1", BaseEndpoint: aws.String(u),
			Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	}
	ctx := context.Background()
	api, err := client(url).CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("survivor")})
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("portico did not exit cleanly on SIGTERM: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "portico.db")); err != nil {
		t.Fatalf("no bbolt file in --data: %v", err)
	}
	_, url2 := startBinary(t, bin, "--data", data)
	got, err := client(url2).GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Name != "survivor" {
		t.Fatalf("name after restart %q", *got.Name)
	}
}

// TestShutdownDrainsInFlight: SIGTERM stops accepting but lets a request
// already in flight finish (issue: graceful shutdown, drain up to 10 s).
func TestShutdownDrainsInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "portico")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(700 * time.Millisecond)
		w.Write([]byte("finished"))
	}))
	defer slow.Close()
	cmd, url := startBinary(t, bin, "--in-memory")
	c := apigateway.New(apigateway.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("drain")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		Type: "HTTP_PROXY", IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(slow.URL)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	type result struct {
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/_aws/execute-api/" + *api.Id + "/s/")
		if err != nil {
			done <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{body: string(b)}
	}()
	time.Sleep(200 * time.Millisecond) // the request is now waiting on the backend
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: %q %v", r.body, r.err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
}

func TestUsage(t *testing.T) {
	var out, errb strings.Builder
	if code := run(nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "usage: portico serve") {
		t.Fatalf("code %d, stderr %q", code, errb.String())
	}
	if code := run([]string{"serve", "--log-format", "xml"}, &out, &errb); code != 2 {
		t.Fatalf("bad log format accepted: %d", code)
	}
}
