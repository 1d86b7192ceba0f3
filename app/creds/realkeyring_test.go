package creds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"jottacloudclient/jotta"
)

// TestStoreRealKeyring runs against the real OS keyring (in CI: an
// unlocked gnome-keyring inside dbus-run-session). It uses its own service
// name, so a developer's real session is never touched.
func TestStoreRealKeyring(t *testing.T) {
	if os.Getenv("JOTTA_KEYRING_IT") != "1" {
		t.Skip("set JOTTA_KEYRING_IT=1 to run against the real OS keyring")
	}
	ctx := context.Background()
	service := fmt.Sprintf("jottacloudclient-test-%d", os.Getpid())
	s, err := NewStore(StoreOptions{Dir: t.TempDir(), Keyring: SystemKeyring{}, Service: service})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keyring.Delete(service, KeyringUser) })

	first := testToken("rt-real-first")
	// Keycloak access tokens are JWTs of one to two kilobytes.
	first.AccessToken = strings.Repeat("J", 1800)
	if err := s.SaveSession(ctx, first, SourceLogin, "alice"); err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Backend != SourceKeyring {
		t.Fatalf("backend = %s, want keyring (is the Secret Service unlocked?)", info.Backend)
	}
	if _, err := os.Stat(s.TokenFile()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("token file written although the keyring works: %v", err)
	}
	got, err := s.LoadToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *first {
		t.Errorf("round trip changed the token")
	}

	rotated := testToken("rt-real-second")
	if err := s.SaveToken(ctx, rotated); err != nil {
		t.Fatal(err)
	}
	// A second store (another process) sees the rotated token.
	other, err := NewStore(StoreOptions{Dir: s.dir, Keyring: SystemKeyring{}, Service: service})
	if err != nil {
		t.Fatal(err)
	}
	got, err = other.LoadToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.RefreshToken != rotated.RefreshToken {
		t.Errorf("other store loaded a spent refresh token")
	}

	if err := other.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(service, KeyringUser); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("keyring item survived logout: %v", err)
	}
	if _, err := s.LoadToken(ctx); !errors.Is(err, jotta.ErrSignInRequired) {
		t.Errorf("after logout: %v", err)
	}
}
