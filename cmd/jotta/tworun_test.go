package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

// acctLockedBuffer is a bytes.Buffer safe for a process writing while the
// test reads.
type acctLockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *acctLockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *acctLockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTwoProcessesShareRotatingTokens runs a long-lived 'jotta run' engine
// and a stream of short 'jotta scan', 'ls' and 'whoami' processes on one
// credentials directory for 20 seconds while access tokens live 2 seconds.
// Every refresh rotates the refresh token; a process that presented a
// spent one would make the server revoke the session. None may, the
// commands must all succeed, and the store must end with the newest
// refresh token.
func TestTwoProcessesShareRotatingTokens(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 20 seconds")
	}
	if runtime.GOOS == "windows" {
		t.Skip("stops 'jotta run' with SIGINT")
	}
	const (
		lifetime = 2 * time.Second
		duration = 20 * time.Second
	)
	h := newAcctHome(t, emulator.Options{AccessTokenLifetime: lifetime})
	h.login()

	watched := t.TempDir()
	scanned := t.TempDir()
	acctWriteTree(t, scanned, map[string][]byte{"s.txt": []byte("scan me")})
	cfg := fmt.Sprintf(`[options]
transfers = 2

[[pair]]
id = "docs"
local = %q
remote = "/Laptop/Archive/docs"
interval = "1m"
watch = true
`, watched)
	if err := os.MkdirAll(filepath.Dir(h.configPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.configPath(), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), duration+time.Minute)
	defer cancel()
	engine := exec.CommandContext(ctx, buildJottaBinary(t), "run", "--debounce", "200ms")
	engine.Env = h.env
	var engOut, engErr acctLockedBuffer
	engine.Stdout, engine.Stderr = &engOut, &engErr
	if err := engine.Start(); err != nil {
		t.Fatal(err)
	}
	engineDone := make(chan error, 1)
	go func() { engineDone <- engine.Wait() }()

	// Changes in the watched folder keep the engine passing (and so
	// talking to the server) all the time.
	stop := time.After(duration)
	tick := time.NewTicker(700 * time.Millisecond)
	defer tick.Stop()
	// Short processes start one after another at a pace that leaves the
	// machine to the engine too.
	pace := time.NewTicker(150 * time.Millisecond)
	defer pace.Stop()
	var (
		n        int
		runs     int
		failures []string
	)
	shortRuns := [][]string{
		{"scan", scanned, "/Laptop/Archive/scanned"},
		{"ls", "-R", "/Laptop/Archive"},
		{"whoami"},
	}
loop:
	for {
		select {
		case <-stop:
			break loop
		case err := <-engineDone:
			t.Fatalf("jotta run ended early (%v)\nstdout:\n%s\nstderr:\n%s", err, engOut.String(), engErr.String())
		case <-tick.C:
			n++
			name := filepath.Join(watched, fmt.Sprintf("f%03d.txt", n))
			if err := os.WriteFile(name, []byte(strings.Repeat("x", n)), 0o644); err != nil {
				t.Fatal(err)
			}
		case <-pace.C:
			args := shortRuns[runs%len(shortRuns)]
			runs++
			if r := h.run("", nil, args...); r.code != 0 {
				failures = append(failures, fmt.Sprintf("jotta %v: %s", args, r))
			}
		}
	}
	if err := engine.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := <-engineDone; err != nil {
		t.Errorf("jotta run: %v", err)
	}
	for _, f := range failures {
		t.Error(f)
	}
	logs := engOut.String() + engErr.String()
	if strings.Contains(strings.ToLower(logs), "sign in") {
		t.Errorf("the engine met a sign-in error:\n%s", logs)
	}
	if passes := strings.Count(engOut.String(), "pass done"); passes < 3 {
		t.Errorf("the engine finished %d passes, want several:\n%s", passes, logs)
	}

	st := h.emu.Stats()
	if st.Revocations != 0 {
		t.Errorf("the server revoked %d sessions: a spent refresh token was presented", st.Revocations)
	}
	if st.Refreshes < 5 {
		t.Errorf("only %d refreshes in %s with %s tokens", st.Refreshes, duration, lifetime)
	}
	t.Logf("%d refreshes, %d short processes, %d engine passes, %d requests", st.Refreshes, runs,
		strings.Count(engOut.String(), "pass done"), acctTotalRequests(st))

	// The stored refresh token is the newest one: the server accepts it.
	raw, err := os.ReadFile(h.tokenFile())
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Token struct {
			RefreshToken string `json:"refresh_token"`
			TokenURL     string `json:"token_url"`
			ClientID     string `json:"client_id"`
		} `json:"token"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Token.RefreshToken == "" {
		t.Fatalf("token file: %v", err)
	}
	resp, err := http.PostForm(rec.Token.TokenURL, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rec.Token.RefreshToken}, "client_id": {rec.Token.ClientID},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the stored refresh token was refused: %s", resp.Status)
	}
	if r := h.emu.Stats().Revocations; r != 0 {
		t.Errorf("refreshing with the stored token revoked the session (%d revocations)", r)
	}
}

func acctTotalRequests(st emulator.Stats) int64 {
	var n int64
	for _, v := range st.Requests {
		n += v
	}
	return n
}
