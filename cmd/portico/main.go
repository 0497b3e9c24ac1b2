// Command portico runs AWS API Gateway's integration system, self-hosted:
// `portico serve` answers the management APIs and the data plane on one
// listener.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/portico-dev/portico/internal/app"
	"github.com/portico-dev/portico/internal/vpclink"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage: portico serve [flags]

Runs the API Gateway management APIs and data plane on one listener.
Run "portico serve -h" for the flags.`)
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "serve" {
		usage(stderr)
		return 2
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:4566", "address to listen on")
	data := fs.String("data", ".portico", "data directory (holds the bbolt store)")
	inMemory := fs.Bool("in-memory", false, "keep everything in memory; nothing survives a restart")
	region := fs.String("region", "us-east-1", "region Portico reports in ARNs and $context")
	account := fs.String("account-id", "000000000000", "account id Portico reports in ARNs and $context")
	targets := vpclink.Targets{}
	fs.Func("vpc-link-target", "map a VPC link target ARN to upstreams: ARN=host:port[,host:port] (repeatable)", func(v string) error {
		arn, ups, err := vpclink.ParseFlag(v)
		if err == nil {
			targets[arn] = append(targets[arn], ups...)
		}
		return err
	})
	fs.Func("vpc-link-targets", "JSON file mapping VPC link target ARNs to lists of host:port upstreams", func(path string) error {
		t, err := vpclink.Load(path)
		for arn, ups := range t {
			targets[arn] = append(targets[arn], ups...)
		}
		return err
	})
	caFile := fs.String("ca-file", "", "PEM file of CA certificates trusted for HTTPS backends, besides the system roots")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	lambdaEndpoint := fs.String("lambda-endpoint", "", "Lambda-compatible endpoint URL (or \"aws\") for functions Portico does not run itself")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "portico: bad --log-level %q\n", *logLevel)
		return 2
	}
	var h slog.Handler
	switch *logFormat {
	case "text":
		h = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	case "json":
		h = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	default:
		fmt.Fprintf(stderr, "portico: bad --log-format %q (text or json)\n", *logFormat)
		return 2
	}
	log := slog.New(h)

	// Portico's live heap is small and its garbage is per-request
	// short-lived; collecting at 4x growth instead of 2x halves GC work
	// for a few extra MB. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, app.Config{DataDir: *data, InMemory: *inMemory, Region: *region, AccountID: *account, Log: log, CAFile: *caFile, VpcLinkTargets: targets,
		LambdaEndpoint: *lambdaEndpoint})
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Error("listen", "addr", *listen, "err", err)
		a.Shutdown(context.Background())
		return 1
	}
	fmt.Fprintf(stdout, "portico listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ln) }()
	select {
	case err := <-errc:
		if err != nil {
			log.Error("serve", "err", err)
			a.Shutdown(context.Background())
			return 1
		}
	case <-ctx.Done():
		log.Info("shutting down: draining in-flight requests", "timeout", app.DrainTimeout)
	}
	sctx, cancel := context.WithTimeout(context.Background(), app.DrainTimeout)
	defer cancel()
	if err := a.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}
