package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jottacloudclient/jotta/emulator"
)

// acctLoginSecrets returns a login token and the secret inside it.
func acctLoginSecrets(t *testing.T, tok string) []string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatalf("login token: %v", err)
	}
	var body struct {
		AuthToken string `json:"auth_token"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.AuthToken == "" {
		t.Fatalf("login token body: %v", err)
	}
	return []string{tok, body.AuthToken}
}

// TestDebugOutputHoldsNoSecrets runs every account command at debug level,
// forcing token refreshes between them, and then looks for every token the
// server handed out (and the login tokens) in what the commands printed,
// in the scan's error file, in the configuration and in every file the app
// keeps except the session store itself.
func TestDebugOutputHoldsNoSecrets(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	if err := os.MkdirAll(filepath.Dir(h.configPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.configPath(), []byte("[account]\nendpoint = \""+h.url+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	acctWriteTree(t, local, map[string][]byte{"a.txt": []byte("alpha"), "sub/b.bin": acctRandom(5, 70_000)})
	out := t.TempDir()
	errorFile := filepath.Join(t.TempDir(), "errors.txt")

	var secrets []string
	var captured bytes.Buffer
	step := func(stdin string, extra []string, want int, args ...string) {
		t.Helper()
		r := h.run(stdin, extra, append([]string{"--loglevel", "debug"}, args...)...)
		if r.code != want {
			t.Fatalf("jotta %v: want exit %d, got %s", args, want, r)
		}
		captured.WriteString(r.stdout)
		captured.WriteString(r.stderr)
		// The next command finds an expired access token and refreshes.
		h.emu.ExpireAccessTokens()
	}

	tok := h.mint()
	secrets = append(secrets, acctLoginSecrets(t, tok)...)
	step(tok+"\n", nil, 0, "login", "--token-stdin")
	step(tok+"\n", nil, exitUsage, "login", "--token-stdin") // spent: the error must not echo it
	step("", nil, 0, "whoami")
	step("", nil, 0, "scan", "--errorfile", errorFile, local, "/Laptop/Archive/docs")
	step("", nil, 0, "ls", "-R", "-l", "/Laptop/Archive")
	step("", nil, 0, "ls", "--trash")
	step("", nil, 0, "download", "/Laptop/Archive/docs", out)
	step("", nil, 0, "verify", local, "/Laptop/Archive/docs")
	step("", nil, 0, "status")

	// A token from the environment, and one in a netrc others can read.
	envHome := newAcctHome(t, emulator.Options{})
	envTok := envHome.mint()
	secrets = append(secrets, acctLoginSecrets(t, envTok)...)
	r := envHome.run("", []string{"JOTTACLOUD_TOKEN=" + envTok}, "--loglevel", "debug", "whoami")
	if r.code != 0 {
		t.Fatalf("whoami with JOTTACLOUD_TOKEN: %s", r)
	}
	captured.WriteString(r.stdout + r.stderr)
	netrc := filepath.Join(t.TempDir(), "netrc")
	netTok := h.mint()
	secrets = append(secrets, acctLoginSecrets(t, netTok)...)
	if err := os.WriteFile(netrc, []byte("machine jottacloud password "+netTok+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(netrc, 0o644); err != nil {
		t.Fatal(err)
	}
	r = newAcctHome(t, emulator.Options{}).run("", []string{"JOTTA_NETRC=" + netrc}, "--loglevel", "debug", "whoami")
	if r.code != exitUsage {
		t.Fatalf("whoami with an open netrc: %s", r)
	}
	captured.WriteString(r.stdout + r.stderr)

	if st := h.emu.Stats(); st.Refreshes < 5 {
		t.Fatalf("only %d refreshes happened: the check would prove little", st.Refreshes)
	}
	secrets = append(secrets, h.issued.all()...)
	secrets = append(secrets, envHome.issued.all()...)
	if len(secrets) < 12 {
		t.Fatalf("only %d secrets collected", len(secrets))
	}
	if !strings.Contains(captured.String(), "level=DEBUG") {
		t.Fatalf("no debug lines were captured:\n%s", captured.String())
	}

	places := map[string][]byte{"output": captured.Bytes()}
	if b, err := os.ReadFile(errorFile); err == nil {
		places[errorFile] = b
	} else {
		t.Errorf("scan wrote no error file: %v", err)
	}
	for _, root := range []string{filepath.Join(h.dir, "config"), filepath.Join(h.dir, "cache")} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || p == h.tokenFile() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			places[p] = b
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := places[h.configPath()]; !ok {
		t.Fatal("the configuration file was not among the files checked")
	}
	for where, b := range places {
		for _, s := range secrets {
			if len(s) >= 8 && bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret (%d chars, starting %q)", where, len(s), s[:4])
			}
		}
	}

	// The session file does hold the newest tokens, and only there.
	session, err := os.ReadFile(h.tokenFile())
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Token struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		} `json:"token"`
	}
	if err := json.Unmarshal(session, &rec); err != nil || rec.Token.RefreshToken == "" {
		t.Fatalf("session file: %v", err)
	}
	for _, s := range []string{rec.Token.AccessToken, rec.Token.RefreshToken} {
		if s != "" && bytes.Contains(captured.Bytes(), []byte(s)) {
			t.Error("the output holds the stored session's token")
		}
	}
}
