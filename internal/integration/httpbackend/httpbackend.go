// Package httpbackend sends integration requests to HTTP(S) backends for
// the HTTP and HTTP_PROXY integration kinds: connection pooling, the
// integration timeout, TLS settings, and the mapping of network failures
// to the gateway responses AWS gives (integrations-v1.md §4, §11).
package httpbackend

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/integration"
)

// Client sends integration requests. One Client serves every HTTP
// integration of a server; it is safe for concurrent use.
type Client struct {
	// Transports are used directly (not through http.Client): redirects
	// go back to the client as they are, and no per-request header copy
	// or URL clone is made.
	strict   *http.Transport
	insecure *http.Transport
	byName   sync.Map // server name → *http.Transport (private integrations)
	h1       *h1      // plain-HTTP backends; nil sends everything through net/http
	dialer   *net.Dialer
	bufs     sync.Pool
}

// Options configure a Client.
type Options struct {
	// RootCAs verifies backend certificates; nil uses the system pool.
	RootCAs *x509.CertPool
	// MaxIdlePerHost bounds pooled keep-alive connections per backend.
	MaxIdlePerHost int
	// NetHTTPOnly sends plain-HTTP requests through net/http's
	// Transport instead of Portico's upstream client.
	NetHTTPOnly bool
}

// New returns a Client.
func New(opts Options) *Client {
	if opts.MaxIdlePerHost == 0 {
		opts.MaxIdlePerHost = 512
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	mk := func(tc *tls.Config) *http.Transport {
		tr := &http.Transport{
			Proxy:                 nil, // never route backend calls through an environment proxy
			DialContext:           dialer.DialContext,
			MaxIdleConns:          4 * opts.MaxIdlePerHost,
			MaxIdleConnsPerHost:   opts.MaxIdlePerHost,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			DisableCompression:    true, // bodies pass through as the backend sent them
			TLSClientConfig:       tc,
			ResponseHeaderTimeout: 0,
			WriteBufferSize:       32 << 10,
			ReadBufferSize:        32 << 10,
		}
		return tr
	}
	c := &Client{strict: mk(&tls.Config{RootCAs: opts.RootCAs})}
	// insecureSkipVerification: the chain is not checked, but expiry and
	// host name still are (integrations-v1.md §4.2). The handshake is ours
	// so that the host name checked is the one dialled, IPs included.
	c.dialer = dialer
	c.insecure = mk(nil)
	c.insecure.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return c.dialTLSInsecure(ctx, network, addr, host)
	}
	c.bufs.New = func() any { return new(bytes.Buffer) }
	if !opts.NetHTTPOnly {
		c.h1 = newH1(dialer, opts.MaxIdlePerHost)
	}
	return c
}

// verifyLeafOnly checks the backend certificate's validity period and
// that it names host, without checking its chain of trust.
// dialTLSInsecure connects to addr and checks the certificate's validity
// period and that it names host, without its chain of trust.
func (c *Client) dialTLSInsecure(ctx context.Context, network, addr, host string) (net.Conn, error) {
	raw, err := c.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{InsecureSkipVerify: true, VerifyConnection: func(cs tls.ConnectionState) error {
		return verifyLeafOnly(cs, host)
	}}
	if net.ParseIP(host) == nil {
		cfg.ServerName = host
	}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return tc, nil
}

func verifyLeafOnly(cs tls.ConnectionState, host string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("backend presented no certificate")
	}
	leaf := cs.PeerCertificates[0]
	now := time.Now()
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return fmt.Errorf("backend certificate not valid at %s", now.Format(time.RFC3339))
	}
	return leaf.VerifyHostname(host)
}

// Close releases pooled connections.
func (c *Client) Close() {
	if c.h1 != nil {
		c.h1.closeIdle()
	}
	c.strict.CloseIdleConnections()
	c.insecure.CloseIdleConnections()
}

// Backend is one integration's view of the Client.
type Backend struct {
	c        *Client
	insecure bool
}

var _ integration.Integration = (*Backend)(nil)

// For returns the Integration for an HTTP(S) backend; insecure is the
// integration's tlsConfig.insecureSkipVerification.
func (c *Client) For(insecure bool) *Backend { return &Backend{c: c, insecure: insecure} }

// Invoke sends req and reads the whole response (bounded by
// integration.MaxPayload). With req.Upstreams it connects to the VPC
// link's upstreams in turn, skipping one that refuses the connection.
func (b *Backend) Invoke(ctx context.Context, req *integration.Request) (*integration.Response, error) {
	if b.c.h1 != nil {
		if hostport, host, uri, ok := splitHTTP(req.URL); ok {
			return b.sendH1(ctx, req, hostport, host, uri)
		}
	}
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	if req.Upstreams == nil {
		tr := b.c.strict
		if b.insecure {
			tr = b.c.insecure
		}
		return b.send(ctx, tr, req, req.URL, "")
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: fmt.Errorf("integration uri: %w", err)}
	}
	tr := b.c.strict
	if u.Scheme == "https" {
		tr = b.c.forServerName(u.Hostname(), b.insecure)
	} else if b.insecure {
		tr = b.c.insecure
	}
	var lastErr error
	for attempt := 0; attempt < req.Upstreams.Len(); attempt++ {
		idx, addr := req.Upstreams.Pick(time.Now())
		target := *u
		target.Host = addr
		resp, err := b.send(ctx, tr, req, target.String(), u.Host)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		var ge *awserr.GatewayError
		if errors.As(err, &ge) && isRefused(ge.Cause) {
			req.Upstreams.MarkDown(idx, time.Now())
			continue
		}
		return nil, err
	}
	return nil, lastErr
}

// sendH1 sends a plain-HTTP request through Portico's upstream client,
// to the VPC link's upstreams in turn when there are any.
func (b *Backend) sendH1(ctx context.Context, req *integration.Request, hostport, host, uri string) (*integration.Response, error) {
	if req.Upstreams == nil {
		resp, err := b.c.h1.roundTrip(ctx, req, hostport, host, uri, &b.c.bufs)
		if err != nil {
			return nil, classify(ctx, err)
		}
		return resp, nil
	}
	var lastErr error
	for attempt := 0; attempt < req.Upstreams.Len(); attempt++ {
		idx, addr := req.Upstreams.Pick(time.Now())
		resp, err := b.c.h1.roundTrip(ctx, req, addr, host, uri, &b.c.bufs)
		if err == nil {
			return resp, nil
		}
		lastErr = classify(ctx, err)
		if isRefused(err) {
			req.Upstreams.MarkDown(idx, time.Now())
			continue
		}
		return nil, lastErr
	}
	return nil, lastErr
}

// splitHTTP splits an http:// URL into the address to dial, the Host
// header and the request target. Anything else (https, malformed) is not
// ok and goes through net/http.
func splitHTTP(raw string) (hostport, host, uri string, ok bool) {
	rest, found := strings.CutPrefix(raw, "http://")
	if !found {
		return "", "", "", false
	}
	// The authority ends at the first '/', '?' or '#'; it may not hold
	// userinfo, escapes or whitespace (net/http takes those).
	i := 0
	colon := -1
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == '/' || c == '?' || c == '#' {
			break
		}
		switch c {
		case '@', '%', ' ', '\t', '\r', '\n':
			return "", "", "", false
		case ':':
			colon = i
		case '[', ']':
			if rest[0] != '[' { // brackets only enclose an IPv6 literal
				return "", "", "", false
			}
		}
	}
	host = rest[:i]
	switch {
	case i == len(rest), rest[i] == '#':
		uri = "/"
	case rest[i] == '?':
		uri = "/" + rest[i:]
	default:
		uri = rest[i:]
	}
	if j := strings.IndexByte(uri, '#'); j >= 0 {
		uri = uri[:j]
	}
	if host == "" || strings.ContainsAny(uri, " \r\n") {
		return "", "", "", false
	}
	switch {
	case strings.HasPrefix(host, "["): // IPv6 literal, with or without a port
		end := strings.IndexByte(host, ']')
		switch {
		case end < 0:
			return "", "", "", false
		case end == len(host)-1:
			return host + ":80", host, uri, true
		case host[end+1] != ':' || !validPort(host[end+2:]):
			return "", "", "", false
		}
	case colon < 0:
		return host + ":80", host, uri, true
	case strings.IndexByte(host, ':') != colon || !validPort(host[colon+1:]):
		return "", "", "", false
	}
	return host, host, uri, true
}

// validPort reports whether p is a non-empty run of digits.
func validPort(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// isRefused reports a connection that could not be made: safe to retry
// on another upstream, nothing was sent.
func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// forServerName returns a transport whose TLS server name is name, for
// private integrations that connect to an upstream address while
// verifying the integration uri's host.
func (c *Client) forServerName(name string, insecure bool) *http.Transport {
	key := name
	if insecure {
		key = "insecure:" + name
	}
	if tr, ok := c.byName.Load(key); ok {
		return tr.(*http.Transport)
	}
	var tr *http.Transport
	if insecure {
		tr = c.insecure.Clone()
		tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return c.dialTLSInsecure(ctx, network, addr, name)
		}
	} else {
		tr = c.strict.Clone()
		tc := tr.TLSClientConfig.Clone()
		tc.ServerName = name
		tr.TLSClientConfig = tc
	}
	actual, _ := c.byName.LoadOrStore(key, tr)
	return actual.(*http.Transport)
}

func (b *Backend) send(ctx context.Context, tr *http.Transport, req *integration.Request, target, host string) (*integration.Response, error) {
	var body io.Reader
	if len(req.Body) > 0 {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, target, body)
	if err != nil {
		return nil, &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: fmt.Errorf("build backend request: %w", err)}
	}
	switch {
	case len(req.Extra) > 0:
		hr.Header = make(http.Header, len(req.Header)+len(req.Extra))
		for k, vs := range req.Header {
			if !integration.NotForwarded(k) && !req.Overridden(k) {
				hr.Header[k] = vs
			}
		}
		for _, f := range req.Extra {
			if !integration.NotForwarded(f.Name) {
				hr.Header[f.Name] = append(hr.Header[f.Name], f.Value)
			}
		}
	case req.Header != nil:
		hr.Header = req.Header
	}
	if host != "" {
		hr.Host = host
	}
	resp, err := tr.RoundTrip(hr)
	if err != nil {
		return nil, classify(ctx, err)
	}
	defer resp.Body.Close()
	buf := b.c.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer b.c.bufs.Put(buf)
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, integration.MaxPayload+1))
	if err != nil {
		return nil, classify(ctx, err)
	}
	if n > integration.MaxPayload {
		return nil, &awserr.GatewayError{Type: awserr.IntegrationFailure, Status: 502,
			Cause: errors.New("backend response exceeds 10 MB")}
	}
	out := make([]byte, n)
	copy(out, buf.Bytes())
	return &integration.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: out}, nil
}

// classify maps a transport failure to AWS's gateway response
// (integrations-v1.md §11: timeout → 504 INTEGRATION_TIMEOUT; connection
// refused or DNS failure → 500 API_CONFIGURATION_ERROR; TLS failure → 502
// INTEGRATION_FAILURE).
func classify(ctx context.Context, err error) error {
	if _, ok := err.(*awserr.GatewayError); ok {
		return err
	}
	if errors.Is(err, errTooLarge) {
		return &awserr.GatewayError{Type: awserr.IntegrationFailure, Status: 502, Cause: err}
	}
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout() && !isRefused(err)) {
		return &awserr.GatewayError{Type: awserr.IntegrationTimeout, Cause: err}
	}
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var hostErr x509.HostnameError
	var unkAuth x509.UnknownAuthorityError
	if errors.As(err, &certErr) || errors.As(err, &recErr) || errors.As(err, &hostErr) || errors.As(err, &unkAuth) {
		return &awserr.GatewayError{Type: awserr.IntegrationFailure, Status: 502, Cause: err}
	}
	return &awserr.GatewayError{Type: awserr.APIConfigurationError, Cause: err}
}
