// Package app wires every part of Portico into one running server: the
// store, the management APIs, the deployer, the integration kinds and
// the shared listener. It is the one place where parts meet; cmd/portico
// and the tests' porticotest both build a Portico through it.
package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/portico-dev/portico/internal/deploy"
	"github.com/portico-dev/portico/internal/integration"
	"github.com/portico-dev/portico/internal/integration/httpbackend"
	"github.com/portico-dev/portico/internal/integration/lambdaproxy"
	"github.com/portico-dev/portico/internal/mapping"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/mgmt/apigw"
	"github.com/portico-dev/portico/internal/mgmt/lambdaapi"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/server"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/boltstore"
	"github.com/portico-dev/portico/internal/vpclink"
	"github.com/portico-dev/portico/internal/vtl"

	"github.com/portico-dev/portico/internal/httpapi"
	"github.com/portico-dev/portico/internal/mgmt/apigwv2"
)

// Config is what `portico serve` takes.
type Config struct {
	DataDir   string // directory of the bbolt file; ignored when InMemory
	InMemory  bool
	Region    string
	AccountID string
	Log       *slog.Logger
	// VpcLinkTargets maps VPC link target ARNs (load balancers,
	// listeners, Cloud Map services) to host:port upstreams
	// (--vpc-link-target, --vpc-link-targets).
	VpcLinkTargets vpclink.Targets
	// CAFile is a PEM bundle trusted for HTTPS backends in addition to the
	// system roots (--ca-file).
	CAFile string
	// LambdaEndpoint receives invokes of functions Portico does not run
	// itself ("aws" for real AWS; --lambda-endpoint).
	LambdaEndpoint string
}

// App is a wired Portico.
type App struct {
	cfg    Config
	store  store.Store
	server *server.Server
	http   *httpbackend.Client
	lambda *lambdaapi.Service
}

// New opens the store, loads every deployed API and builds the server.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	var st store.Store
	if cfg.InMemory {
		st = store.NewMemory()
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		bs, err := boltstore.Open(filepath.Join(cfg.DataDir, "portico.db"), boltstore.Options{})
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		st = bs
	}
	roots, err := rootCAs(cfg.CAFile)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &App{cfg: cfg, store: st, http: httpbackend.New(httpbackend.Options{RootCAs: roots})}
	ldir := cfg.DataDir // function code lives beside the store
	if cfg.InMemory {
		ldir = "" // a temporary directory
	}
	lsvc, err := lambdaapi.New(lambdaapi.Config{Store: st, DataDir: ldir,
		Region: cfg.Region, AccountID: cfg.AccountID, Log: cfg.Log, RemoteEndpoint: cfg.LambdaEndpoint})
	if err != nil {
		st.Close()
		return nil, err
	}
	a.lambda = lsvc

	kinds := deploy.Kinds{
		model.TypeHTTP:      a.httpKind,
		model.TypeHTTPProxy: a.httpKind,
		model.TypeAWSProxy:  lambdaproxy.ProxyKind(lsvc),
		model.TypeAWS:       lambdaproxy.CustomKind(lsvc),
	}
	served := &deploy.Served{}
	dep := deploy.New(deploy.Config{Store: st, Kinds: kinds, Log: cfg.Log, Served: served,
		SnapshotKey: apigw.SnapshotKey, StagePrefix: apigw.StagePrefix, APIKey: apigw.APIKey,
		VpcLinkPrefix: apigw.VpcLinkPrefix, Targets: cfg.VpcLinkTargets})
	if err := dep.LoadAll(ctx); err != nil {
		lsvc.Close()
		st.Close()
		return nil, err
	}

	mux := mgmt.NewMux(cfg.Log)
	apigw.New(apigw.Config{Store: st, Publisher: dep, Region: cfg.Region, AccountID: cfg.AccountID, Log: cfg.Log,
		CheckTemplate: checkTemplate, TestInvoker: dep, Caches: dep, Links: dep}).Register(mux)
	lsvc.Register(mux)

	httpAPIs := httpapi.New(httpapi.Config{Store: st, Log: cfg.Log, Region: cfg.Region, AccountID: cfg.AccountID,
		Functions: lsvc, HTTP: a.http, Targets: cfg.VpcLinkTargets})
	if err := httpAPIs.LoadAll(ctx); err != nil {
		lsvc.Close()
		st.Close()
		return nil, err
	}
	apigwv2.New(apigwv2.Config{Store: st, Publisher: httpAPIs, Region: cfg.Region, AccountID: cfg.AccountID,
		Log: cfg.Log}).Register(mux)

	a.server = server.New(server.Config{
		Mgmt:     lsvc.Handler(mux), // Lambda Invoke is served in front of the mux
		Data:     &server.DataPlane{Served: served, Log: cfg.Log, AccountID: cfg.AccountID},
		HTTPAPIs: httpAPIs,
		Log:      cfg.Log,
	})
	return a, nil
}

// checkTemplate parses a mapping template at Put time, so that one that
// does not parse is a 400 naming line and column (vtl.md §1.2).
func checkTemplate(src string) error {
	_, err := mapping.CompileTemplate(src)
	var pe *vtl.ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return err
}

func (a *App) httpKind(it *model.Integration) (integration.Integration, error) {
	insecure := it.TLSConfig != nil && it.TLSConfig.InsecureSkipVerification
	return a.http.For(insecure), nil
}

// Handler is the shared listener's handler (management and data plane).
func (a *App) Handler() http.Handler { return a.server }

// Serve serves on ln until Shutdown.
func (a *App) Serve(ln net.Listener) error { return a.server.Serve(ln) }

// Shutdown stops accepting, drains in-flight requests until ctx ends
// (callers give it 10 s), then closes the store.
func (a *App) Shutdown(ctx context.Context) error {
	err := a.server.Shutdown(ctx)
	a.http.Close()
	err = errors.Join(err, a.lambda.Close())
	return errors.Join(err, a.store.Close())
}

// DrainTimeout is how long Shutdown waits for in-flight requests.
const DrainTimeout = 10 * time.Second

// rootCAs is the system pool plus the PEM certificates of caFile.
func rootCAs(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil // the system roots
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read --ca-file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s holds no PEM certificates", caFile)
	}
	return pool, nil
}
