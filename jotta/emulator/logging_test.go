package emulator_test

import (
	"bytes"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"jottacloudclient/jotta/emulator"
)

// lockedBuffer is a goroutine-safe log sink.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, emulator.Options{Logger: logger})
	s, _ := e.run.MintLoginToken()
	lt := decodeLogin(t, s)
	_, tr := e.passwordGrant(lt)
	_, tr2 := e.tokenPost(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}, "client_id": {"jottacli"}}, false)
	e.access = tr2.AccessToken
	e.put("/jfs/Jotta/Archive/a.txt", []byte("a"))
	mustStatus(t, e.jfs("GET", "Jotta/Archive"), 200)
	out := logs.String()
	if !strings.Contains(out, "emulator request") || !strings.Contains(out, "/jfs/"+e.user+"/Jotta/Archive") {
		t.Fatalf("debug log lacks request lines:\n%s", out)
	}
	for name, secret := range map[string]string{
		"login secret": lt.AuthToken, "login token": s,
		"access token": tr.AccessToken, "refresh token": tr.RefreshToken,
		"rotated access": tr2.AccessToken, "rotated refresh": tr2.RefreshToken,
	} {
		if secret == "" {
			t.Fatalf("%s missing", name)
		}
		if strings.Contains(out, secret) {
			t.Errorf("debug log contains the %s", name)
		}
	}
}
