package jotta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Default service roots.
const (
	DefaultJFSBase = "https://jfs.jottacloud.com/jfs"
	DefaultAPIBase = "https://api.jottacloud.com"
)

// Options configures a Client. Only Store is required.
type Options struct {
	// Endpoint, if set, serves everything from one root (an emulator such
	// as http://127.0.0.1:PORT): JFS at Endpoint+"/jfs", the JSON API at
	// Endpoint. JFSBase and APIBase, if set, win over it.
	Endpoint string
	JFSBase  string // default DefaultJFSBase
	APIBase  string // default DefaultAPIBase
	// HTTPClient carries every request; nil means a client with sensible
	// connection timeouts and no overall timeout (uploads can be long). A
	// client whose transport skips TLS verification is refused.
	HTTPClient *http.Client
	// Store holds the token; rotated refresh tokens are saved to it before
	// use. If it also implements TokenLocker, refreshes hold its lock.
	Store  TokenStore
	Logger *slog.Logger // nil discards
	Retry  RetryPolicy
	// UploadAttempts bounds how often one Upload re-allocates and resumes
	// after a broken transfer (default 5).
	UploadAttempts int
	UserAgent      string
}

// Client talks to JottaCloud for one signed-in account. It is safe for
// concurrent use.
type Client struct {
	jfsBase, apiBase string
	hc               *http.Client
	store            TokenStore
	log              *slog.Logger
	pacer            *pacer
	uploadAttempts   int
	userAgent        string
	now              func() time.Time

	tokMu sync.Mutex
	tok   *Token
	sf    singleflight.Group

	userMu   sync.Mutex
	username string
}

// New checks the options and returns a client. It makes no request.
func New(opts Options) (*Client, error) {
	if opts.Store == nil {
		return nil, errors.New("jotta: Options.Store is required")
	}
	jfs, apiBase := DefaultJFSBase, DefaultAPIBase
	if opts.Endpoint != "" {
		root := strings.TrimRight(opts.Endpoint, "/")
		jfs, apiBase = root+"/jfs", root
	}
	if opts.JFSBase != "" {
		jfs = opts.JFSBase
	}
	if opts.APIBase != "" {
		apiBase = opts.APIBase
	}
	for _, b := range []string{jfs, apiBase} {
		if err := checkBaseURL(b); err != nil {
			return nil, err
		}
	}
	hc, err := checkHTTPClient(opts.HTTPClient)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "jottacloudclient"
	}
	attempts := opts.UploadAttempts
	if attempts <= 0 {
		attempts = 5
	}
	return &Client{
		jfsBase:        strings.TrimRight(jfs, "/"),
		apiBase:        strings.TrimRight(apiBase, "/"),
		hc:             hc,
		store:          opts.Store,
		log:            log,
		pacer:          newPacer(opts.Retry, log),
		uploadAttempts: attempts,
		userAgent:      ua,
		now:            time.Now,
	}, nil
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("jotta: %q is not an http(s) URL; give a root such as https://jfs.jottacloud.com/jfs", s)
	}
	return nil
}

// checkHTTPClient returns hc, or a default client, refusing disabled TLS checks.
func checkHTTPClient(hc *http.Client) (*http.Client, error) {
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 2 * time.Minute
		// Keep a connection per parallel request: over a real link a new
		// one costs a round trip or three (TCP and TLS handshakes).
		t.MaxIdleConnsPerHost = 32
		return &http.Client{Transport: t}, nil
	}
	if t, ok := hc.Transport.(*http.Transport); ok && t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify {
		return nil, errors.New("jotta: refusing an HTTP client that skips TLS certificate verification")
	}
	return hc, nil
}

// request is one HTTP call. Bodies are recreated for every attempt.
type request struct {
	op, path   string // for logs and errors: never secrets, never the query
	method     string
	url        string
	header     http.Header
	body       []byte
	bodyFn     func() (io.Reader, int64) // large bodies, instead of body
	idempotent bool
	// verify is consulted after a 5xx or a lost reply on a mutation: it
	// re-reads the target and reports whether the change happened.
	verify func(ctx context.Context) (bool, error)
	noAuth bool
	// acceptStatus, if set, also treats these non-2xx codes as replies
	// for the caller to handle.
	acceptStatus []int
}

func (r *request) accepts(code int) bool {
	if code >= 200 && code < 300 {
		return true
	}
	for _, c := range r.acceptStatus {
		if c == code {
			return true
		}
	}
	return false
}

// do performs r with authentication, one refresh-and-retry on 401, and
// retries through the client's pacer. It returns a nil response and nil
// error when a failed mutation was verified to have happened anyway.
func (c *Client) do(ctx context.Context, r *request) (*http.Response, error) {
	var out *http.Response
	err := c.pacer.call(ctx, 0, func(ctx context.Context, n int) (bool, error) {
		resp, err := c.sendAuthed(ctx, r)
		if err == nil && r.accepts(resp.StatusCode) {
			out = resp
			return false, nil
		}
		retry, err := c.shouldRetry(ctx, r, resp, err)
		if !retry && r.verify != nil && retryableErr(ctx, err) { // err is never nil here
			done, verr := r.verify(ctx)
			switch {
			case verr != nil:
				c.log.Debug("jotta: could not verify outcome", "op", r.op, "path", r.path, "err", verr)
			case done:
				c.log.Debug("jotta: failed reply but the change happened", "op", r.op, "path", r.path)
				return false, nil
			default:
				retry = true
			}
		}
		if retry {
			c.log.Debug("jotta: retrying", "op", r.op, "path", r.path, "attempt", n, "err", err)
		}
		return retry, err
	})
	return out, err
}

// shouldRetry turns a failed attempt into its error and whether sending
// the same request again is safe and may help: idempotent requests after
// any transient failure; others only when the server cannot have acted
// (the connection was never made, or a 429, which refuses a request
// before serving it).
func (c *Client) shouldRetry(ctx context.Context, r *request, resp *http.Response, err error) (bool, error) {
	if err != nil {
		if !retryableNetErr(ctx, err) {
			return false, err
		}
		return r.idempotent || notSent(err), err
	}
	apiErr := responseError(resp)
	resp.Body.Close()
	if !retryableStatus(resp.StatusCode) {
		return false, apiErr
	}
	return r.idempotent || resp.StatusCode == http.StatusTooManyRequests, apiErr
}

// retryableErr reports a transient failure: a network error or a
// retryable status.
func retryableErr(ctx context.Context, err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return retryableStatus(e.StatusCode)
	}
	return retryableNetErr(ctx, err)
}

// sendAuthed sends r, and once more after a refresh when the server
// answers 401. A 401 to the refreshed token ends the call, unless another
// worker has meanwhile replaced the token (parallel calls can race an
// expiry); then the newer one gets one try.
func (c *Client) sendAuthed(ctx context.Context, r *request) (*http.Response, error) {
	if r.noAuth {
		return c.send(ctx, r, "")
	}
	tok, err := c.accessToken(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, r, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	drain(resp)
	c.log.Debug("jotta: access token refused, refreshing", "op", r.op)
	if tok, err = c.refresh(ctx, tok); err != nil {
		return nil, err
	}
	resp, err = c.send(ctx, r, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	c.tokMu.Lock()
	newer := c.tok != nil && c.tok.AccessToken != tok && c.fresh(c.tok)
	var next string
	if newer {
		next = c.tok.AccessToken
	}
	c.tokMu.Unlock()
	if !newer {
		return resp, nil
	}
	drain(resp)
	return c.send(ctx, r, next)
}

func (c *Client) send(ctx context.Context, r *request, accessToken string) (*http.Response, error) {
	var body io.Reader
	var size int64
	switch {
	case r.bodyFn != nil:
		body, size = r.bodyFn()
	case r.body != nil:
		body, size = strings.NewReader(string(r.body)), int64(len(r.body))
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, fmt.Errorf("jotta: build request: %w", err)
	}
	if body != nil {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.userAgent)
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	start := c.now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.log.Debug("jotta: request failed", "method", r.method, "op", r.op, "path", r.path, "duration", c.now().Sub(start), "err", stripURL(err))
		return nil, stripURL(err)
	}
	c.log.Debug("jotta: request", "method", r.method, "op", r.op, "path", r.path, "status", resp.StatusCode, "duration", c.now().Sub(start))
	return resp, nil
}

// stripURL removes the URL from a transport error: upload URLs carry an
// upload id, and query strings are noisy.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("jotta: %s request: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// doDiscard performs r and throws the body away.
func (c *Client) doDiscard(ctx context.Context, r *request) error {
	resp, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	if resp != nil {
		drain(resp)
	}
	return nil
}
