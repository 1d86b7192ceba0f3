package jotta

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	cases := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second},
		{50, 500 * time.Millisecond, time.Second},
	}
	for _, c := range cases {
		for range 200 {
			if d := p.backoff(c.attempt); d < c.min || d > c.max {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", c.attempt, d, c.min, c.max)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"Wed, 01 May 2024 10:00:30 GMT", 30 * time.Second, true},
		{"Wed, 01 May 2024 09:00:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, ok := parseRetryAfter(c.in, now)
			if got != c.want || ok != c.ok {
				t.Errorf("got %v %v, want %v %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestRetryableStatus(t *testing.T) {
	for code, want := range map[int]bool{200: false, 400: false, 401: false, 404: false, 416: false, 420: false, 429: true, 460: false, 500: true, 502: true, 503: true, 504: true, 509: true} {
		if retryableStatus(code) != want {
			t.Errorf("retryableStatus(%d) = %v", code, !want)
		}
	}
}

func TestDecodeErrorBody(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		ctype, body string
		exception   string
		message     string
		xid         string
		notExist    bool
	}{
		{"jfs xml", 404, "application/xml",
			`<?xml version="1.0"?><error><code>404</code><message>no.jotta.backup.errors.NoSuchFileException: Source file /u/Jotta/Archive/x does not exist</message><reason>Not Found</reason><cause></cause><hostname>dn-1</hostname><x-id>004815162342</x-id></error>`,
			"NoSuchFileException", "Source file /u/Jotta/Archive/x does not exist", "004815162342", true},
		{"xml class only", 409, "application/xml", `<error><code>409</code><message>no.jotta.backup.errors.UniqueFileException</message><reason>Conflict</reason></error>`,
			"UniqueFileException", "", "", false},
		{"xml reason only", 400, "application/xml", `<error><code>400</code><message></message><reason>Bad request</reason></error>`,
			"", "Bad request", "", false},
		{"api json", 420, "application/json", `{"code":420,"message":"Incomplete upload","cause":"","error_id":"IncompleteUploadOpenApiException","x-id":"77"}`,
			"IncompleteUploadOpenApiException", "Incomplete upload", "77", false},
		{"api json with string code", 400, "application/json", `{"code":"bad","message":"no.jotta.X.InvalidArgumentException: name too long"}`,
			"InvalidArgumentException", "name too long", "", false},
		{"oauth", 400, "application/json", `{"error":"invalid_grant","error_description":"Stale token"}`,
			"invalid_grant", "Stale token", "", false},
		{"plain text", 400, "text/plain; charset=utf-8", "Upload without md5 no longer supported. Use header JMd5.",
			"", "Upload without md5 no longer supported. Use header JMd5.", "", false},
		{"html", 502, "text/html", "<html><body>Bad Gateway</body></html>", "", "unreadable text/html reply of 37 bytes", "", false},
		{"garbage", 500, "", "\x00\x01\x02", "", "unreadable unknown reply of 3 bytes", "", false},
		{"empty", 404, "", "", "", "", "", true},
		{"broken xml", 500, "application/xml", "<error><code>5", "", "unreadable application/xml reply of 14 bytes", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := decodeErrorBody(c.status, c.ctype, "", []byte(c.body))
			if e.StatusCode != c.status || e.Exception != c.exception || e.Message != c.message || e.XID != c.xid {
				t.Errorf("got %+v", e)
			}
			if errors.Is(e, ErrNotExist) != c.notExist {
				t.Errorf("errors.Is(ErrNotExist) = %v", !c.notExist)
			}
			if e.Error() == "" || strings.ContainsAny(e.Error(), "\x00\x01") {
				t.Errorf("bad message %q", e.Error())
			}
		})
	}
}

func FuzzDecodeErrorBody(f *testing.F) {
	f.Add(404, "application/xml", []byte(`<error><code>404</code><message>a.b.NoSuchFileException: x</message><x-id>1</x-id></error>`))
	f.Add(420, "application/json", []byte(`{"code":420,"error_id":"IncompleteUploadOpenApiException"}`))
	f.Add(400, "application/json", []byte(`{"error":"invalid_grant","error_description":"Stale token"}`))
	f.Add(502, "text/html", []byte("<html>"))
	f.Add(500, "text/plain", []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		e := decodeErrorBody(status, ctype, "", body)
		if e.StatusCode != status {
			t.Fatal("status lost")
		}
		msg := e.Error()
		for _, r := range msg {
			if r < 0x20 && r != ' ' {
				t.Fatalf("control character in %q", msg)
			}
		}
		if len(e.Message) > 4*600 {
			t.Fatalf("message of %d bytes", len(e.Message))
		}
	})
}

func TestRefreshMargin(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name string
		tok  Token
		want time.Duration
	}{
		{"hour token", Token{Issued: now, Expiry: now.Add(time.Hour)}, 30 * time.Second},
		{"two-second token", Token{Issued: now, Expiry: now.Add(2 * time.Second)}, 500 * time.Millisecond},
		{"unknown issue time", Token{Expiry: now.Add(time.Hour)}, 30 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := refreshMargin(&c.tok); got != c.want {
				t.Errorf("margin %v, want %v", got, c.want)
			}
		})
	}
}

func TestRefusesInsecureTLS(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if _, err := New(Options{Store: &fixedStore{}, HTTPClient: hc}); err == nil {
		t.Error("New accepted a client that skips TLS verification")
	}
	if _, err := Login(context.Background(), hc, "x"); err == nil {
		t.Error("Login accepted a client that skips TLS verification")
	}
}

func TestTokenStringHidesSecrets(t *testing.T) {
	tok := &Token{AccessToken: "access-secret", RefreshToken: "refresh-secret"}
	for _, s := range []string{tok.String(), fmtV(tok)} {
		if strings.Contains(s, "secret") {
			t.Errorf("%q reveals a secret", s)
		}
	}
}

type fixedStore struct {
	tok     *Token
	saveErr error
	saves   atomic.Int32
}

func (f *fixedStore) LoadToken(context.Context) (*Token, error) {
	if f.tok == nil {
		return nil, ErrSignInRequired
	}
	cp := *f.tok
	return &cp, nil
}

func (f *fixedStore) SaveToken(_ context.Context, t *Token) error {
	f.saves.Add(1)
	if f.saveErr != nil {
		return f.saveErr
	}
	cp := *t
	f.tok = &cp
	return nil
}

// fakeIdP serves a token endpoint, a customer record and a JFS root that
// answers 401 to every token but the one issued last.
type fakeIdP struct {
	refreshes atomic.Int32
	jfsCalls  atomic.Int32
	always401 bool
	current   atomic.Value
}

func (f *fakeIdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/token":
		n := f.refreshes.Add(1)
		tok := "access-" + string(rune('a'+n))
		f.current.Store(tok)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"` + tok + `","refresh_token":"refresh-` + string(rune('a'+n)) + `","expires_in":3600}`))
	case r.URL.Path == "/account/v1/customer":
		w.Write([]byte(`{"username":"u"}`))
	default:
		f.jfsCalls.Add(1)
		cur, _ := f.current.Load().(string)
		if f.always401 || r.Header.Get("Authorization") != "Bearer "+cur {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`<folder name="Archive"/>`))
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	cases := []struct {
		name      string
		always401 bool
		wantErr   bool
		refreshes int32
		jfsCalls  int32
	}{
		{"refused token is refreshed and the call repeated", false, false, 1, 2},
		{"still refused after refresh: give up", true, true, 1, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idp := &fakeIdP{always401: c.always401}
			idp.current.Store("not-the-stored-one")
			srv := httptest.NewServer(idp)
			defer srv.Close()
			st := &fixedStore{tok: &Token{AccessToken: "stale", RefreshToken: "r0", TokenURL: srv.URL + "/token", Expiry: time.Now().Add(time.Hour)}}
			cl, err := New(Options{Endpoint: srv.URL, Store: st, Retry: RetryPolicy{MinBackoff: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cl.List(context.Background(), "/Jotta/Archive", ListOptions{})
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v", err)
			}
			if idp.refreshes.Load() != c.refreshes || idp.jfsCalls.Load() != c.jfsCalls {
				t.Errorf("%d refreshes, %d calls", idp.refreshes.Load(), idp.jfsCalls.Load())
			}
			if st.tok.RefreshToken != "refresh-b" {
				t.Errorf("store holds %q, not the rotated token", st.tok.RefreshToken)
			}
		})
	}
}

// TestRefusedRefreshedTokenTriesANewerOne: while a call's refreshed token
// is in flight another worker refreshes again, so the server refuses the
// first refreshed token; the call retries with the newer one instead of
// failing, and refreshes no more itself.
func TestRefusedRefreshedTokenTriesANewerOne(t *testing.T) {
	idp := &fakeIdP{}
	idp.current.Store("not-the-stored-one")
	var cl *Client
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/token" && r.Header.Get("Authorization") == "Bearer access-b" {
			once.Do(func() {
				if _, err := cl.refresh(context.Background(), "access-b"); err != nil {
					t.Errorf("the other worker's refresh: %v", err)
				}
			})
		}
		idp.ServeHTTP(w, r)
	}))
	defer srv.Close()
	st := &fixedStore{tok: &Token{AccessToken: "stale", RefreshToken: "r0", TokenURL: srv.URL + "/token", Expiry: time.Now().Add(time.Hour)}}
	var err error
	if cl, err = New(Options{Endpoint: srv.URL, Store: st, Retry: RetryPolicy{MinBackoff: time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.List(context.Background(), "/Jotta/Archive", ListOptions{}); err != nil {
		t.Fatalf("list: %v", err)
	}
	if r, c := idp.refreshes.Load(), idp.jfsCalls.Load(); r != 2 || c != 3 {
		t.Errorf("%d refreshes and %d calls; want 2 (one by the other worker) and 3", r, c)
	}
}

// TestSaveFailureKeepsSession: if the store cannot save the rotated token
// the call fails, but the client keeps the only valid refresh token in
// memory instead of falling back to the spent one.
func TestSaveFailureKeepsSession(t *testing.T) {
	idp := &fakeIdP{}
	idp.current.Store("x")
	srv := httptest.NewServer(idp)
	defer srv.Close()
	st := &fixedStore{tok: &Token{AccessToken: "old", RefreshToken: "r0", TokenURL: srv.URL + "/token", Expiry: time.Now().Add(-time.Minute)},
		saveErr: errors.New("disk full")}
	cl, err := New(Options{Endpoint: srv.URL, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.accessToken(context.Background()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	tok, _ := cl.Token(context.Background())
	if tok.RefreshToken != "refresh-b" {
		t.Errorf("client holds %q after a failed save", tok.RefreshToken)
	}
}

func fmtV(t *Token) string { return fmt.Sprintf("%v %+v %s", t, t, t) }

// TestDownloadRangeIgnored: a server that answers 200 with the whole body
// to a ranged request still yields exactly the asked-for bytes.
func TestDownloadRangeIgnored(t *testing.T) {
	content := []byte("0123456789abcdefghij")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/account/v1/customer" {
			w.Write([]byte(`{"username":"u"}`))
			return
		}
		if r.URL.Query().Get("mode") != "bin" || r.Header.Get("Range") != "bytes=5-9" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		w.Write(content) // ignores Range
	}))
	defer srv.Close()
	st := &fixedStore{tok: &Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)}}
	cl, err := New(Options{Endpoint: srv.URL, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := cl.Download(context.Background(), "/Jotta/Archive/f.txt", 5, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || string(got) != "56789" {
		t.Errorf("got %q %v", got, err)
	}
}

type chunkRecorder struct {
	max int
	src io.Reader
}

func (c *chunkRecorder) Read(p []byte) (int, error) {
	c.max = max(c.max, len(p))
	return c.src.Read(p)
}

func TestRateLimitedReader(t *testing.T) {
	data := strings.Repeat("x", 100_000)
	t.Run("reads are cut to the burst and all bytes arrive", func(t *testing.T) {
		rec := &chunkRecorder{src: strings.NewReader(data)}
		lim := rate.NewLimiter(rate.Inf, 4096)
		r := RateLimitedReader(lim)(context.Background(), rec)
		got, err := io.ReadAll(r)
		if err != nil || len(got) != len(data) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
		if rec.max > 4096 {
			t.Errorf("a read of %d bytes exceeds the burst", rec.max)
		}
	})
	t.Run("a cancelled context stops the wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		lim := rate.NewLimiter(1, 4096) // one byte per second: any read must wait
		lim.AllowN(time.Now(), 4096)    // drain the burst
		r := RateLimitedReader(lim)(ctx, strings.NewReader(data))
		if _, err := io.ReadAll(r); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})
}
