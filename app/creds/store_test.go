package creds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"jottacloudclient/jotta"
)

func newTestStore(t *testing.T, kr Keyring) (*Store, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	s, err := NewStore(StoreOptions{Dir: t.TempDir(), Keyring: kr,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	return s, &logs
}

func assertNoSecrets(t *testing.T, where, text string, toks ...*jotta.Token) {
	t.Helper()
	for _, tok := range toks {
		if strings.Contains(text, tok.RefreshToken) || strings.Contains(text, tok.AccessToken) {
			t.Errorf("%s reveals a token: %s", where, text)
		}
	}
}

func TestStoreUsesMockedSystemKeyring(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	s, logs := newTestStore(t, SystemKeyring{})
	tok := testToken("rt-one-" + t.Name())
	if err := s.SaveSession(ctx, tok, SourceLogin, "alice"); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *tok {
		t.Errorf("loaded %+v, want %+v", *got, *tok)
	}
	raw, err := keyring.Get(KeyringService, KeyringUser)
	if err != nil || !strings.Contains(raw, tok.RefreshToken) {
		t.Fatalf("keyring item not written: err=%v", err)
	}
	if _, err := os.Stat(s.TokenFile()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("token file exists although the keyring works: %v", err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Backend != SourceKeyring || info.Origin != SourceLogin || info.Username != "alice" {
		t.Errorf("info = %+v", info)
	}
	assertNoSecrets(t, "logs", logs.String(), tok)
}

func TestStoreFallsBackToFileWhenKeyringFails(t *testing.T) {
	keyring.MockInitWithError(errKeyringDown)
	ctx := context.Background()
	s, logs := newTestStore(t, SystemKeyring{})
	first, second := testToken("rt-first-"+t.Name()), testToken("rt-second-"+t.Name())
	if err := s.SaveSession(ctx, first, SourceNetrc, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveToken(ctx, second); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode = %v, want 0600", fi.Mode().Perm())
	}
	got, err := s.LoadToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.RefreshToken != second.RefreshToken {
		t.Errorf("loaded an older refresh token")
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Backend != SourceFile || info.Origin != SourceNetrc || info.Username != "bob" {
		t.Errorf("SaveToken lost the origin: info = %+v", info)
	}
	if n := strings.Count(logs.String(), "keyring is not available"); n != 1 {
		t.Errorf("fallback notice logged %d times, want once:\n%s", n, logs.String())
	}
	assertNoSecrets(t, "logs", logs.String(), first, second)
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

// A keyring that was down during a refresh still holds an older token when
// it comes back; the store must not hand that spent token out.
func TestStoreNewestRecordWinsAcrossBackends(t *testing.T) {
	ctx := context.Background()
	kr := newFakeKeyring()
	s, _ := newTestStore(t, kr)
	steps := []struct {
		name        string
		keyringDown bool
		save        string
		wantBackend Source
	}{
		{name: "first save goes to the keyring", save: "rt-a", wantBackend: SourceKeyring},
		{name: "keyring down: newer token in the file", keyringDown: true, save: "rt-b", wantBackend: SourceFile},
		{name: "keyring back, old item there: file still wins", save: "", wantBackend: SourceFile},
		{name: "next save returns to the keyring", save: "rt-c", wantBackend: SourceKeyring},
	}
	want := ""
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.keyringDown {
				kr.setDown(errKeyringDown)
			} else {
				kr.setDown(nil)
			}
			if st.save != "" {
				if err := s.SaveToken(ctx, testToken(st.save)); err != nil {
					t.Fatal(err)
				}
				want = st.save
			}
			got, err := s.LoadToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			info, err := s.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got.RefreshToken != want || info.Backend != st.wantBackend {
				t.Errorf("got %q from %s, want %q from %s", got.RefreshToken, info.Backend, want, st.wantBackend)
			}
		})
	}
	if _, err := os.Stat(s.TokenFile()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale token file left after the keyring took over again: %v", err)
	}
}

func TestStoreDropsAccessTokenWhenKeyringItemTooBig(t *testing.T) {
	ctx := context.Background()
	kr := newFakeKeyring()
	kr.maxBytes = 400
	s, _ := newTestStore(t, kr)
	tok := testToken("rt-big")
	tok.AccessToken = strings.Repeat("A", 2000)
	if err := s.SaveToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.RefreshToken != "rt-big" || got.AccessToken != "" || got.Expiry.Year() != 1970 {
		t.Errorf("got refresh %q, access len %d, expiry %v", got.RefreshToken, len(got.AccessToken), got.Expiry)
	}
	if info, _ := s.Info(ctx); info.Backend != SourceKeyring {
		t.Errorf("backend = %s, want keyring", info.Backend)
	}
}

func TestStoreLoadErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		keyring string // item content; "" means none
		file    string // token file content; "" means none
	}{
		{name: "nothing stored"},
		{name: "damaged file", file: `{"token":{"refresh_token":"rt-secret-part`},
		{name: "damaged keyring item", keyring: `not json rt-secret-part`},
		{name: "record without refresh token", file: `{"version":1,"seq":3,"token":{"access_token":"x"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kr := newFakeKeyring()
			s, _ := newTestStore(t, kr)
			if tc.keyring != "" {
				kr.items[KeyringService+"/"+KeyringUser] = tc.keyring
			}
			if tc.file != "" {
				if err := os.WriteFile(s.TokenFile(), []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := s.LoadToken(ctx)
			if !errors.Is(err, jotta.ErrSignInRequired) {
				t.Fatalf("err = %v, want jotta.ErrSignInRequired", err)
			}
			if strings.Contains(err.Error(), "rt-secret-part") {
				t.Errorf("error reveals stored content: %v", err)
			}
		})
	}
}

func TestStoreDeleteRemovesEverythingItWrote(t *testing.T) {
	ctx := context.Background()
	kr := newFakeKeyring()
	s, _ := newTestStore(t, kr)
	netrc := s.dir + "/netrc-not-ours"
	if err := os.WriteFile(netrc, []byte("machine jottacloud password x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveToken(ctx, testToken("rt-k")); err != nil {
		t.Fatal(err)
	}
	kr.setDown(errKeyringDown)
	if err := s.SaveToken(ctx, testToken("rt-f")); err != nil {
		t.Fatal(err)
	}
	kr.setDown(nil)
	if err := s.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Get(KeyringService, KeyringUser); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("keyring item still there: %v", err)
	}
	if _, err := os.Stat(s.TokenFile()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("token file still there: %v", err)
	}
	if _, err := os.Stat(netrc); err != nil {
		t.Errorf("delete touched a file it did not write: %v", err)
	}
	if _, err := s.LoadToken(ctx); !errors.Is(err, jotta.ErrSignInRequired) {
		t.Errorf("after delete LoadToken err = %v", err)
	}
	// A second logout is not an error.
	if err := s.Delete(ctx); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestStoreDeleteReportsUnreachableKeyring(t *testing.T) {
	ctx := context.Background()
	kr := newFakeKeyring()
	s, _ := newTestStore(t, kr)
	if err := s.SaveToken(ctx, testToken("rt-k")); err != nil {
		t.Fatal(err)
	}
	kr.setDown(errKeyringDown)
	err := s.Delete(ctx)
	if !errors.Is(err, errKeyringDown) || !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("err = %v, want the keyring error", err)
	}
}

func TestStoreRecordOnDiskHasNoSurprises(t *testing.T) {
	keyring.MockInitWithError(errKeyringDown)
	ctx := context.Background()
	s, _ := newTestStore(t, SystemKeyring{})
	if err := s.SaveSession(ctx, testToken("rt-disk"), SourceEnv, ""); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	if rec["version"] != float64(1) || rec["seq"] != float64(1) || rec["origin"] != "env" {
		t.Errorf("record = %v", rec)
	}
}
