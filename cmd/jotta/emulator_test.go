package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// startEmulatorCmd runs "jotta emulator args…" in-process and returns the
// printed key=value lines, a stop function and the command's result.
func startEmulatorCmd(t *testing.T, args ...string) (map[string]string, func() error) {
	t.Helper()
	pr, pw := io.Pipe()
	g := newGlobals()
	g.stdout = pw
	g.stderr = io.Discard
	root := newRootCmd(g)
	root.SetArgs(append([]string{"emulator"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := root.ExecuteContext(ctx)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	vals := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(vals) < 3 && sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		vals[k] = v
	}
	go io.Copy(io.Discard, pr)
	stop := func() error {
		cancel()
		return <-done
	}
	if len(vals) < 3 {
		err := stop()
		t.Fatalf("emulator printed %v (err %v)", vals, err)
	}
	return vals, stop
}

func TestEmulatorCommand(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		args    []string
		user    string
		compact bool // replies without line breaks
	}{
		{"in memory", nil, "", false},
		{"data dir and user", []string{"--data", dir, "--user", "jc1234", "--token-lifetime", "5s", "--quota", "1000"}, "jc1234", false},
		{"data dir again keeps the user", []string{"--data", dir}, "jc1234", false},
		{"over a shaped link", []string{"--latency", "20ms", "--bandwidth", "100Mbit"}, "", false},
		// Seed 3 picks compact replies among other shapes.
		{"in shapes of the real service", []string{"--shapes", "3"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vals, stop := startEmulatorCmd(t, tc.args...)
			if !strings.HasPrefix(vals["url"], "http://127.0.0.1:") || vals["user"] == "" {
				t.Fatalf("printed %v", vals)
			}
			if tc.user != "" && vals["user"] != tc.user {
				t.Fatalf("user %q, want %q", vals["user"], tc.user)
			}
			raw, err := base64.RawURLEncoding.DecodeString(vals["login_token"])
			if err != nil {
				t.Fatalf("login token: %v", err)
			}
			var lt struct{ Username, Realm, Well_known_link, Auth_token string }
			if err := json.Unmarshal(raw, &lt); err != nil || !strings.HasPrefix(lt.Well_known_link, vals["url"]) {
				t.Fatalf("login token %s (%v)", raw, err)
			}
			resp, err := http.PostForm(vals["url"]+"/auth/realms/jottacloud/protocol/openid-connect/token", url.Values{
				"grant_type": {"password"}, "client_id": {"jottacli"}, "username": {lt.Username}, "password": {lt.Auth_token}})
			if err != nil {
				t.Fatal(err)
			}
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			json.NewDecoder(resp.Body).Decode(&tok)
			resp.Body.Close()
			req, _ := http.NewRequest("GET", vals["url"]+"/jfs/"+vals["user"], nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<username>"+vals["user"]+"</username>")) {
				t.Fatalf("user listing %d %s", resp.StatusCode, body)
			}
			if got := !bytes.Contains(bytes.TrimSpace(body), []byte("\n")); got != tc.compact {
				t.Errorf("user listing compact = %v, want %v:\n%s", got, tc.compact, body)
			}
			if err := stop(); err != nil {
				t.Fatalf("command returned %v after cancel", err)
			}
		})
	}
}

func TestEmulatorCommandRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"negative lifetime", []string{"--token-lifetime", "-1s"}},
		{"bad listen address", []string{"--listen", "256.1.1.1:99999"}},
		{"extra argument", []string{"extra"}},
		{"negative latency", []string{"--latency", "-5ms"}},
		{"bandwidth without unit", []string{"--bandwidth", "100"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGlobals()
			g.stdout, g.stderr = io.Discard, io.Discard
			root := newRootCmd(g)
			root.SetArgs(append([]string{"emulator"}, tc.args...))
			if err := root.ExecuteContext(context.Background()); err == nil {
				t.Fatal("command accepted bad flags")
			}
		})
	}
}
