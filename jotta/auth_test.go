package jotta_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
)

func TestLoginAndAccount(t *testing.T) {
	em := startEmulator(t, emulator.Options{Quota: 1 << 30})
	ctx := context.Background()
	lt, err := em.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jotta.Login(ctx, nil, lt)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.ClientID != jotta.ClientID || tok.TokenURL == "" || tok.Expiry.Before(time.Now()) {
		t.Fatalf("token fields missing: client=%q url=%q expiry=%v", tok.ClientID, tok.TokenURL, tok.Expiry)
	}
	t.Run("login token is single use", func(t *testing.T) {
		_, err := jotta.Login(ctx, nil, lt)
		if !errors.Is(err, jotta.ErrSignInRequired) {
			t.Fatalf("second use: %v", err)
		}
		assertNoSecrets(t, "error", err.Error(), *tok)
	})
	t.Run("garbage login token", func(t *testing.T) {
		if _, err := jotta.Login(ctx, nil, "not-a-token"); err == nil {
			t.Fatal("accepted garbage")
		}
	})
	st := &memStore{}
	_ = st.SaveToken(ctx, tok)
	c := newClient(t, em.URL, st, nil)
	user, err := c.Username(ctx)
	if err != nil || user != em.User() {
		t.Fatalf("username %q, %v; want %q", user, err, em.User())
	}
	q, err := c.Quota(ctx)
	if err != nil || q.Total != 1<<30 {
		t.Errorf("quota %+v %v", q, err)
	}
	u, err := c.User(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != em.User() || len(u.Devices) == 0 || u.Devices[0].Name != "Jotta" {
		t.Errorf("user document: %+v", u)
	}
}

func TestNoStoredSession(t *testing.T) {
	em := startEmulator(t, emulator.Options{})
	c := newClient(t, em.URL, &memStore{}, nil)
	_, err := c.Username(context.Background())
	if !errors.Is(err, jotta.ErrSignInRequired) {
		t.Fatalf("err = %v", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	cases := []struct {
		name string
		opts jotta.Options
	}{
		{"no store", jotta.Options{}},
		{"bad endpoint", jotta.Options{Store: &memStore{}, Endpoint: "127.0.0.1:80"}},
		{"bad api base", jotta.Options{Store: &memStore{}, APIBase: "ftp://x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := jotta.New(c.opts); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestRefreshRotation keeps calling for about ten seconds with two-second
// access tokens: the client refreshes several times, the store always holds
// the newest refresh token, and replaying a spent one kills the session.
func TestRefreshRotation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for ten seconds")
	}
	em := startEmulator(t, emulator.Options{AccessTokenLifetime: 2 * time.Second})
	st := signIn(t, em)
	logs := &logBuffer{}
	c := newClient(t, em.URL, st, logs)
	ctx := context.Background()
	first := st.current()
	var seen []jotta.Token
	deadline := time.Now().Add(10 * time.Second)
	calls := 0
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		<-tick.C
		if _, err := c.List(ctx, "/Jotta/Archive", jotta.ListOptions{}); err != nil {
			t.Fatalf("call %d: %v", calls, err)
		}
		calls++
		cur, err := c.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stored := st.current(); stored.RefreshToken != cur.RefreshToken {
			t.Fatalf("after call %d the store does not hold the refresh token in use", calls)
		}
		if len(seen) == 0 || seen[len(seen)-1].RefreshToken != cur.RefreshToken {
			seen = append(seen, *cur)
		}
	}
	refreshes := em.Stats().Refreshes
	t.Logf("%d calls, %d refreshes", calls, refreshes)
	if refreshes < 3 {
		t.Fatalf("only %d refreshes in ten seconds of two-second tokens", refreshes)
	}
	if int64(st.savedCount()-1) != refreshes {
		t.Errorf("store saved %d rotated tokens, server made %d refreshes", st.savedCount()-1, refreshes)
	}
	assertNoSecrets(t, "debug log", logs.String(), seen...)

	// Another process replays a spent refresh token.
	old := first
	old.Expiry = time.Now().Add(-time.Minute)
	replay := newClient(t, em.URL, &memStore{tok: &old}, nil)
	_, err := replay.List(ctx, "/Jotta/Archive", jotta.ListOptions{})
	if !errors.Is(err, jotta.ErrSignInRequired) {
		t.Fatalf("replayed refresh token: err = %v", err)
	}
	assertNoSecrets(t, "error", err.Error(), seen...)
	if em.Stats().Revocations == 0 {
		t.Error("the emulator did not revoke the session")
	}
	// The revoked session is dead for the original client too.
	em.ExpireAccessTokens()
	_, err = c.List(ctx, "/Jotta/Archive", jotta.ListOptions{})
	if !errors.Is(err, jotta.ErrSignInRequired) {
		t.Fatalf("original client after revocation: err = %v", err)
	}
}

// TestRefreshSingleFlight: many goroutines meet a refused token at once;
// only one refresh happens.
func TestRefreshSingleFlight(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	if _, err := e.client.Username(ctx); err != nil {
		t.Fatal(err)
	}
	e.em.ExpireAccessTokens()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := e.client.List(ctx, "/Jotta/Archive", jotta.ListOptions{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := e.em.Stats().Refreshes; got != 1 {
		t.Errorf("%d refreshes, want 1", got)
	}
}

// TestRefreshTokenLocker: two clients (two processes) share one locked
// store; when both find their token refused, one refreshes and the other
// picks up the stored result instead of replaying the spent token.
func TestRefreshTokenLocker(t *testing.T) {
	em := startEmulator(t, emulator.Options{})
	ms := signIn(t, em)
	st := &lockingStore{memStore: ms}
	a := newClient(t, em.URL, st, nil)
	b := newClient(t, em.URL, st, nil)
	ctx := context.Background()
	for _, c := range []*jotta.Client{a, b} {
		if _, err := c.List(ctx, "/Jotta/Archive", jotta.ListOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	em.ExpireAccessTokens()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, c := range []*jotta.Client{a, b} {
		wg.Go(func() {
			_, errs[i] = c.List(ctx, "/Jotta/Archive", jotta.ListOptions{})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := em.Stats().Refreshes; got != 1 {
		t.Errorf("%d refreshes, want 1", got)
	}
	if em.Stats().Revocations != 0 {
		t.Error("session revoked: a spent refresh token was replayed")
	}
	if st.locks < 1 {
		t.Error("the store lock was never taken")
	}
}

// TestLongUploadOutlivesToken: the access token expires while the bytes
// are on the way; the upload completes and later calls refresh.
func TestLongUploadOutlivesToken(t *testing.T) {
	if testing.Short() {
		t.Skip("takes seconds")
	}
	em := startEmulator(t, emulator.Options{AccessTokenLifetime: 2 * time.Second})
	st := signIn(t, em)
	c := newClient(t, em.URL, st, nil)
	data := randomBytes(3<<20, 7)
	lim := newLimiter(1 << 20) // 1 MiB/s: three seconds for three MiB
	res, err := c.Upload(context.Background(), "/Jotta/Archive/slow.bin", bytesReader(data), jotta.UploadMeta{Size: int64(len(data)), MD5: md5hex(data), Created: t0, Modified: t0}, jotta.UploadOptions{WrapReader: jotta.RateLimitedReader(lim)})
	if err != nil {
		t.Fatal(err)
	}
	if res.MD5 != md5hex(data) || res.Attempts != 1 {
		t.Errorf("result %+v", res)
	}
}

func ExampleLogin() {
	em, err := emulator.Start("", emulator.Options{})
	if err != nil {
		panic(err)
	}
	defer em.Close()
	loginToken, _ := em.MintLoginToken()
	tok, err := jotta.Login(context.Background(), nil, loginToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.ClientID)
	// Output: jottacli
}

func TestRefreshTokenExchange(t *testing.T) {
	em := startEmulator(t, emulator.Options{})
	st := signIn(t, em)
	ctx := context.Background()
	old := st.current()
	if jotta.IsLoginToken(old.RefreshToken) {
		t.Fatal("a refresh token taken for a login token")
	}
	lt, _ := em.MintLoginToken()
	if !jotta.IsLoginToken(lt) {
		t.Fatal("a login token not recognised")
	}
	tok, err := jotta.RefreshToken(ctx, nil, old.TokenURL, old.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == old.RefreshToken || tok.TokenURL != old.TokenURL || tok.ClientID != jotta.ClientID {
		t.Errorf("exchange did not rotate or lost fields")
	}
	c := newClient(t, em.URL, &memStore{tok: tok}, nil)
	if _, err := c.Username(ctx); err != nil {
		t.Fatal(err)
	}
	// The spent one is now a replay.
	if _, err := jotta.RefreshToken(ctx, nil, old.TokenURL, old.RefreshToken); !errors.Is(err, jotta.ErrSignInRequired) {
		t.Errorf("replay: %v", err)
	}
}
