package jotta_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
)

// memStore is a TokenStore that remembers every token it was given.
type memStore struct {
	mu    sync.Mutex
	tok   *jotta.Token
	saved []string // refresh tokens in the order they were saved
}

func (m *memStore) LoadToken(ctx context.Context) (*jotta.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, jotta.ErrSignInRequired
	}
	cp := *m.tok
	return &cp, nil
}

func (m *memStore) SaveToken(ctx context.Context, t *jotta.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *t
	m.tok = &cp
	m.saved = append(m.saved, t.RefreshToken)
	return nil
}

func (m *memStore) current() jotta.Token {
	m.mu.Lock()
	defer m.mu.Unlock()
	return *m.tok
}

func (m *memStore) savedCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.saved)
}

// lockingStore adds a cross-process style lock to memStore.
type lockingStore struct {
	*memStore
	lock  sync.Mutex
	locks int
}

func (l *lockingStore) LockToken(ctx context.Context) (func(), error) {
	l.lock.Lock()
	l.memStore.mu.Lock()
	l.locks++
	l.memStore.mu.Unlock()
	return l.lock.Unlock, nil
}

// logBuffer collects debug logs so tests can check them for secrets.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type env struct {
	em     *emulator.Running
	store  *memStore
	client *jotta.Client
	logs   *logBuffer
}

func startEmulator(t testing.TB, opts emulator.Options) *emulator.Running {
	t.Helper()
	em, err := emulator.Start("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close() })
	return em
}

// signIn spends a fresh login token and stores the session.
func signIn(t testing.TB, em *emulator.Running) *memStore {
	t.Helper()
	lt, err := em.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jotta.Login(context.Background(), nil, lt)
	if err != nil {
		t.Fatal(err)
	}
	st := &memStore{}
	if err := st.SaveToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return st
}

func fastRetry() jotta.RetryPolicy {
	return jotta.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second}
}

func newClient(t testing.TB, url string, store jotta.TokenStore, logs *logBuffer) *jotta.Client {
	t.Helper()
	opts := jotta.Options{Endpoint: url, Store: store, Retry: fastRetry()}
	if logs != nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	c, err := jotta.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newEnv(t testing.TB, opts emulator.Options) *env {
	t.Helper()
	em := startEmulator(t, opts)
	st := signIn(t, em)
	logs := &logBuffer{}
	return &env{em: em, store: st, client: newClient(t, em.URL, st, logs), logs: logs}
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// upload stores data at p and fails the test on error.
func (e *env) upload(t testing.TB, p string, data []byte) *jotta.UploadResult {
	t.Helper()
	res, err := e.client.Upload(context.Background(), p, bytes.NewReader(data), jotta.UploadMeta{Size: int64(len(data)), MD5: md5hex(data), Created: t0, Modified: t0}, jotta.UploadOptions{})
	if err != nil {
		t.Fatalf("upload %s: %v", p, err)
	}
	return res
}

// assertNoSecrets fails if any token of the store appears in s.
func assertNoSecrets(t testing.TB, what, s string, toks ...jotta.Token) {
	t.Helper()
	for _, tok := range toks {
		for _, secret := range []string{tok.AccessToken, tok.RefreshToken} {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("%s contains a token", what)
			}
		}
	}
}

func newLimiter(bytesPerSecond int) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(bytesPerSecond), 64<<10)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
