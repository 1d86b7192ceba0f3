package creds

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"jottacloudclient/jotta"
)

// testLoginToken builds a personal login token the way JottaCloud's web
// settings do: base64url (no padding) of a small JSON object.
func testLoginToken(t *testing.T, user, secret string) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{
		"username":        user,
		"realm":           "jottacloud",
		"well_known_link": "https://id.example.test/auth/realms/jottacloud/.well-known/openid-configuration",
		"auth_token":      secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// A JWT-shaped refresh token.
const testRefreshToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZWZyZXNoLXRlc3QifQ.c2lnbmF0dXJlLXNlY3JldA"

func testToken(refresh string) *jotta.Token {
	return &jotta.Token{
		AccessToken:  "access-" + refresh,
		RefreshToken: refresh,
		Expiry:       time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		TokenURL:     "https://id.example.test/token",
		ClientID:     "jottacli",
	}
}

// fakeKeyring is an in-memory keyring that can be switched off or given a
// size limit, to drive the store's fallbacks.
type fakeKeyring struct {
	mu       sync.Mutex
	items    map[string]string
	down     error // returned by every call while set
	maxBytes int   // Set fails with ErrSetDataTooBig above this, when > 0
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{items: map[string]string{}} }

func (k *fakeKeyring) setDown(err error) { k.mu.Lock(); k.down = err; k.mu.Unlock() }

func (k *fakeKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down != nil {
		return "", k.down
	}
	v, ok := k.items[service+"/"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *fakeKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down != nil {
		return k.down
	}
	if k.maxBytes > 0 && len(secret) > k.maxBytes {
		return keyring.ErrSetDataTooBig
	}
	k.items[service+"/"+user] = secret
	return nil
}

func (k *fakeKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down != nil {
		return k.down
	}
	if _, ok := k.items[service+"/"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.items, service+"/"+user)
	return nil
}

var errKeyringDown = errors.New("org.freedesktop.secrets: no such service")
