package creds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zalando/go-keyring"

	"jottacloudclient/jotta"
)

// recordingExchange mints a session per call and remembers what it got.
type recordingExchange struct {
	calls atomic.Int32
	last  Secret
	err   error
}

func (r *recordingExchange) exchange(_ context.Context, s Secret) (*jotta.Token, error) {
	r.calls.Add(1)
	r.last = s
	if r.err != nil {
		return nil, r.err
	}
	return testToken("rt-from-" + string(s.Source)), nil
}

func TestChainResolvePrecedence(t *testing.T) {
	login := testLoginToken(t, "alice@example.org", "auth-netrc")
	envLogin := testLoginToken(t, "env@example.org", "auth-env")
	cases := []struct {
		name       string
		stored     bool
		netrc      string // file content; "" means no file
		netrcMode  os.FileMode
		env        map[string]string
		wantSource Source // Info.Origin
		wantCalls  int32
		wantKind   Kind
		wantErr    func(error) bool
	}{
		{name: "stored session beats netrc and env", stored: true,
			netrc: "machine jottacloud password " + login, env: map[string]string{EnvToken: envLogin},
			wantSource: SourceLogin, wantCalls: 0},
		{name: "netrc beats env", netrc: "machine jottacloud login alice password " + login,
			env: map[string]string{EnvToken: envLogin}, wantSource: SourceNetrc, wantCalls: 1, wantKind: KindLoginToken},
		{name: "netrc without our machine falls through to env", netrc: "machine example.org password x",
			env: map[string]string{EnvToken: envLogin}, wantSource: SourceEnv, wantCalls: 1, wantKind: KindLoginToken},
		{name: "env login token", env: map[string]string{EnvToken: envLogin}, wantSource: SourceEnv, wantCalls: 1, wantKind: KindLoginToken},
		{name: "env refresh token", env: map[string]string{EnvToken: testRefreshToken}, wantSource: SourceEnv, wantCalls: 1, wantKind: KindRefreshToken},
		{name: "token wins over the seed's password variables",
			env:        map[string]string{EnvToken: envLogin, EnvUsername: "alice", EnvPassword: "hunter2"},
			wantSource: SourceEnv, wantCalls: 1, wantKind: KindLoginToken},
		{name: "seed password variables are explained", env: map[string]string{EnvUsername: "alice", EnvPassword: "hunter2"},
			wantErr: func(err error) bool {
				return errors.Is(err, ErrPasswordLogin) && strings.Contains(err.Error(), "Personal login token") &&
					strings.Contains(err.Error(), "jotta login") && !strings.Contains(err.Error(), "hunter2")
			}},
		{name: "password only variable is explained too", env: map[string]string{EnvPassword: "hunter2"},
			wantErr: func(err error) bool { return errors.Is(err, ErrPasswordLogin) }},
		{name: "nothing anywhere", wantErr: func(err error) bool {
			return errors.Is(err, ErrNoCredentials) && errors.Is(err, jotta.ErrSignInRequired)
		}},
		{name: "open netrc refused even when env has a token", netrc: "machine jottacloud password " + login, netrcMode: 0o644,
			env:     map[string]string{EnvToken: envLogin},
			wantErr: func(err error) bool { var pe *NetrcPermissionError; return errors.As(err, &pe) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keyring.MockInit()
			ctx := context.Background()
			s, logs := newTestStore(t, SystemKeyring{})
			if tc.stored {
				if err := s.SaveSession(ctx, testToken("rt-stored"), SourceLogin, "alice"); err != nil {
					t.Fatal(err)
				}
			}
			netrcPath := filepath.Join(t.TempDir(), ".netrc")
			if tc.netrc != "" {
				mode := tc.netrcMode
				if mode == 0 {
					mode = 0o600
				}
				if err := os.WriteFile(netrcPath, []byte(tc.netrc), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(netrcPath, mode); err != nil {
					t.Fatal(err)
				}
			}
			c := &Chain{Store: s, NetrcPath: netrcPath, Getenv: func(k string) string { return tc.env[k] }, Logger: s.log}
			ex := &recordingExchange{}
			info, err := c.Resolve(ctx, ex.exchange)
			if tc.wantErr != nil {
				if err == nil || !tc.wantErr(err) {
					t.Fatalf("err = %v, not the expected error", err)
				}
				if ex.calls.Load() != 0 {
					t.Errorf("exchange called on error")
				}
				if _, lerr := s.LoadToken(ctx); !errors.Is(lerr, jotta.ErrSignInRequired) {
					t.Errorf("something was stored: %v", lerr)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			if info.Origin != tc.wantSource || info.Backend != SourceKeyring {
				t.Errorf("info = %+v, want origin %s in the keyring", info, tc.wantSource)
			}
			if got := ex.calls.Load(); got != tc.wantCalls {
				t.Errorf("exchange called %d times, want %d", got, tc.wantCalls)
			}
			if tc.wantCalls > 0 && ex.last.Kind != tc.wantKind {
				t.Errorf("exchanged a %v, want %v", ex.last.Kind, tc.wantKind)
			}
			// From now on the store serves the session: no second exchange.
			again, err := c.Resolve(ctx, ex.exchange)
			if err != nil {
				t.Fatal(err)
			}
			if got := ex.calls.Load(); got != tc.wantCalls || again.Origin != tc.wantSource {
				t.Errorf("second resolve: %d exchanges, origin %s", got, again.Origin)
			}
			for _, secret := range []string{login, envLogin, "auth-netrc", "auth-env"} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("logs reveal a credential: %s", logs.String())
				}
			}
		})
	}
}

func TestChainExchangeFailureStoresNothing(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	s, _ := newTestStore(t, SystemKeyring{})
	login := testLoginToken(t, "alice", "auth-spent")
	c := &Chain{Store: s, NetrcPath: filepath.Join(t.TempDir(), "none"),
		Getenv: func(k string) string { return map[string]string{EnvToken: login}[k] }}
	ex := &recordingExchange{err: jotta.ErrSignInRequired}
	_, err := c.Resolve(ctx, ex.exchange)
	if !errors.Is(err, jotta.ErrSignInRequired) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), login) || strings.Contains(err.Error(), "auth-spent") {
		t.Errorf("error reveals the token: %v", err)
	}
	if !strings.Contains(err.Error(), EnvToken) {
		t.Errorf("error does not say where the token came from: %v", err)
	}
	if _, err := s.LoadToken(ctx); !errors.Is(err, jotta.ErrSignInRequired) {
		t.Errorf("a session was stored after a failed exchange: %v", err)
	}
}

func TestChainEnvironmentFallbackUsesOSEnv(t *testing.T) {
	keyring.MockInit()
	t.Setenv(EnvToken, testRefreshToken)
	t.Setenv(EnvUsername, "")
	t.Setenv(EnvPassword, "")
	s, _ := newTestStore(t, SystemKeyring{})
	c := &Chain{Store: s, NetrcPath: filepath.Join(t.TempDir(), "none")}
	sec, ok, err := c.External()
	if err != nil || !ok {
		t.Fatalf("External: ok=%v err=%v", ok, err)
	}
	if sec.Source != SourceEnv || sec.Kind != KindRefreshToken || sec.Reveal() != testRefreshToken {
		t.Errorf("got %v", sec)
	}
}

func TestChainReplacesSessionWhenItsSourceHasANewToken(t *testing.T) {
	first := testLoginToken(t, "alice", "auth-first")
	second := testLoginToken(t, "alice", "auth-second")
	cases := []struct {
		name         string
		storedOrigin Source // how the first session was made
		nowInNetrc   string
		exchangeErr  error
		wantCalls    int32 // exchanges after the first session exists
		wantRefresh  string
	}{
		{name: "same token: stored session served", storedOrigin: SourceNetrc, nowInNetrc: first, wantCalls: 0, wantRefresh: "rt-from-netrc"},
		{name: "new token in netrc replaces the session", storedOrigin: SourceNetrc, nowInNetrc: second, wantCalls: 1, wantRefresh: "rt-from-netrc-2"},
		{name: "new token that fails keeps the session", storedOrigin: SourceNetrc, nowInNetrc: second,
			exchangeErr: jotta.ErrSignInRequired, wantCalls: 1, wantRefresh: "rt-from-netrc"},
		{name: "explicit login is not replaced by netrc", storedOrigin: SourceLogin, nowInNetrc: second, wantCalls: 0, wantRefresh: "rt-login"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keyring.MockInit()
			ctx := context.Background()
			s, logs := newTestStore(t, SystemKeyring{})
			netrc := filepath.Join(t.TempDir(), ".netrc")
			write := func(tok string) {
				if err := os.WriteFile(netrc, []byte("machine jottacloud password "+tok), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c := &Chain{Store: s, NetrcPath: netrc, Getenv: func(string) string { return "" }, Logger: s.log}
			if tc.storedOrigin == SourceLogin {
				if err := s.SaveSession(ctx, testToken("rt-login"), SourceLogin, "alice"); err != nil {
					t.Fatal(err)
				}
			} else {
				write(first)
				if _, err := c.Resolve(ctx, (&recordingExchange{}).exchange); err != nil {
					t.Fatal(err)
				}
			}
			write(tc.nowInNetrc)
			var calls int32
			ex := func(_ context.Context, sec Secret) (*jotta.Token, error) {
				calls++
				if tc.exchangeErr != nil {
					return nil, tc.exchangeErr
				}
				return testToken("rt-from-netrc-2"), nil
			}
			info, err := c.Resolve(ctx, ex)
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			got, err := s.LoadToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if calls != tc.wantCalls || got.RefreshToken != tc.wantRefresh {
				t.Errorf("%d exchanges, stored %q; want %d, %q", calls, got.RefreshToken, tc.wantCalls, tc.wantRefresh)
			}
			if info.Origin != tc.storedOrigin {
				t.Errorf("origin %s, want %s", info.Origin, tc.storedOrigin)
			}
			// The replaced session is not exchanged again on the next start.
			if _, err := c.Resolve(ctx, ex); err != nil || calls != tc.wantCalls+boolToInt(tc.exchangeErr != nil) {
				t.Errorf("third resolve: err %v, %d exchanges", err, calls)
			}
			if strings.Contains(logs.String(), "auth-second") {
				t.Errorf("logs reveal a credential")
			}
		})
	}
}

func boolToInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func TestChainUnreadableKeyringIsMentioned(t *testing.T) {
	cases := []struct {
		name        string
		env         map[string]string
		exchangeErr error
		wantErr     error // also matched; nil means success
	}{
		{name: "nothing else: sign-in error names the keyring", wantErr: ErrNoCredentials},
		{name: "env token that fails: error names the keyring", env: map[string]string{EnvToken: testRefreshToken},
			exchangeErr: jotta.ErrSignInRequired, wantErr: jotta.ErrSignInRequired},
		{name: "env token that works: session goes to the file", env: map[string]string{EnvToken: testRefreshToken}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kr := newFakeKeyring()
			kr.setDown(errKeyringDown)
			s, _ := newTestStore(t, kr)
			c := &Chain{Store: s, NetrcPath: filepath.Join(t.TempDir(), "none"), Getenv: func(k string) string { return tc.env[k] }}
			ex := &recordingExchange{err: tc.exchangeErr}
			info, err := c.Resolve(context.Background(), ex.exchange)
			if tc.wantErr == nil {
				if err != nil || info.Backend != SourceFile {
					t.Fatalf("err %v, backend %s", err, info.Backend)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "keyring") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestStoreLogin(t *testing.T) {
	cases := []struct {
		name     string
		token    string
		exErr    error
		wantKind Kind
		wantErr  error
	}{
		{name: "login token replaces stored session", token: testLoginToken(t, "dora@example.org", "auth-typed"), wantKind: KindLoginToken},
		{name: "refresh token", token: testRefreshToken, wantKind: KindRefreshToken},
		{name: "password refused without exchange", token: "hunter2", wantErr: ErrPasswordLogin},
		{name: "spent token", token: testRefreshToken, exErr: jotta.ErrSignInRequired, wantErr: jotta.ErrSignInRequired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newTestStore(t, newFakeKeyring())
			if err := s.SaveSession(ctx, testToken("rt-old"), SourceNetrc, "old"); err != nil {
				t.Fatal(err)
			}
			ex := &recordingExchange{err: tc.exErr}
			info, err := s.Login(ctx, tc.token, ex.exchange)
			got, lerr := s.LoadToken(ctx)
			if lerr != nil {
				t.Fatal(lerr)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if got.RefreshToken != "rt-old" {
					t.Errorf("failed login replaced the session")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ex.last.Kind != tc.wantKind || info.Origin != SourceLogin || got.RefreshToken != "rt-from-login" {
				t.Errorf("kind %v, info %+v, stored %q", ex.last.Kind, info, got.RefreshToken)
			}
		})
	}
}
