package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// recordingStore remembers every token the client saves, so a test knows
// each secret that existed.
type recordingStore struct {
	inner interface {
		jotta.TokenStore
		jotta.TokenLocker
	}
	mu   sync.Mutex
	seen []string
}

func (r *recordingStore) note(t *jotta.Token) {
	if t == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, t.AccessToken, t.RefreshToken)
}

func (r *recordingStore) LoadToken(ctx context.Context) (*jotta.Token, error) {
	t, err := r.inner.LoadToken(ctx)
	r.note(t)
	return t, err
}

func (r *recordingStore) SaveToken(ctx context.Context, t *jotta.Token) error {
	r.note(t)
	return r.inner.SaveToken(ctx, t)
}

func (r *recordingStore) LockToken(ctx context.Context) (func(), error) {
	return r.inner.LockToken(ctx)
}

func (r *recordingStore) secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// tokenStrings collects the values of every access_token, refresh_token
// and auth_token field in a JSON document.
func tokenStrings(data []byte) []string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if s, ok := val.(string); ok && s != "" && (k == "access_token" || k == "refresh_token" || k == "auth_token") {
					out = append(out, s)
				}
				walk(val)
			}
		case []any:
			for _, val := range x {
				walk(val)
			}
		}
	}
	walk(v)
	return out
}

// loginSecrets are the login token and the single-use secret inside it.
func loginSecrets(lt string) []string {
	out := []string{lt}
	if d, err := api.DecodeLoginToken(lt); err == nil && d.AuthToken != "" {
		out = append(out, d.AuthToken)
	}
	return out
}

// checkNoSecrets fails t when any file below dir other than a session
// file contains one of secrets. Bolt indexes, logs, error files and
// configs are all read as bytes.
func checkNoSecrets(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	var real []string
	for _, s := range secrets {
		if len(s) >= 8 {
			real = append(real, s)
		}
	}
	if len(real) == 0 {
		t.Fatal("no secrets to look for; the check would prove nothing")
	}
	scanned := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || d.Name() == "session.json" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		scanned++
		for _, s := range real {
			if bytes.Contains(data, []byte(s)) {
				rel, _ := filepath.Rel(dir, p)
				t.Errorf("%s contains a secret (%d bytes long, starting %q)", rel, len(s), s[:4])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned == 0 {
		t.Fatal("no files scanned for secrets")
	}
}

// checkSessionFile checks the session file's and its folder's modes.
func checkSessionFile(t *testing.T, path string) []byte {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("session file: %v", err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("session file %s has mode %o, want 600", path, m)
	}
	di, err := os.Stat(filepath.Dir(path))
	if err == nil && di.Mode().Perm()&0o077 != 0 {
		t.Errorf("credentials folder %s has mode %o; others must not enter it", filepath.Dir(path), di.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// secrets are the CLI's stored session tokens and the login token used.
func (c *cliEnv) secrets(loginToken string) []string {
	c.t.Helper()
	data := checkSessionFile(c.t, filepath.Join(c.configDir(), "jottacloudclient", "session.json"))
	s := append(tokenStrings(data), loginSecrets(loginToken)...)
	if len(s) < 3 {
		c.t.Fatalf("found %d secrets in the session file and login token; expected an access and a refresh token", len(s))
	}
	return s
}

// TestSecretsStayOutOfFiles runs passes at debug level through refreshes,
// server errors and a revoked session, then looks for every token that
// existed in the logs, the pass errors and problems, the index, the
// config file and the error output.
func TestSecretsStayOutOfFiles(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := ctxFor(t)
	rec := &recordingStore{inner: e.store}
	c, err := jotta.New(jotta.Options{Endpoint: e.url, Store: rec, Logger: e.log, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	local := e.localDir("secret-docs")
	fillTree(t, local, 30, 3_000)
	cfg := config.Default()
	if err := config.Save(e.paths.Config, cfg); err != nil {
		t.Fatal(err)
	}
	eng := e.engineOn(app.NewRemote(c), syncer.Options{})
	p := syncer.Pair{ID: "secret-docs", Local: local, Remote: "/Laptop/Backup/secret-docs"}
	var messages strings.Builder
	note := func(res *syncer.PassResult, err error) {
		if err != nil {
			messages.WriteString(err.Error() + "\n")
		}
		messages.WriteString(problemsText(res.Problems))
	}

	// A refresh that the token endpoint refuses, then one that works with
	// uploads answered 401 on the way, then a revoked session.
	e.emu.ExpireAccessTokens()
	e.emu.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointToken, Status: 500, Times: 1})
	res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
	note(res, err)
	e.emu.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointAllocate, Status: 401, Times: 3})
	res, err = eng.RunPass(ctx, p, syncer.PassOptions{})
	note(res, err)
	if err != nil {
		t.Fatalf("pass after the token endpoint recovered: %v", err)
	}
	writeFile(t, local, "later.txt", []byte("after the session was revoked"))
	e.emu.RevokeSessions()
	e.emu.ExpireAccessTokens()
	res, err = eng.RunPass(ctx, p, syncer.PassOptions{})
	note(res, err)
	if err == nil {
		t.Fatal("a pass with a revoked session succeeded")
	}
	if st := e.emu.Stats(); st.Refreshes < 1 {
		t.Fatalf("%d refreshes; the scenario needs at least one\n%s", st.Refreshes, messages.String())
	}
	path := eng.IndexPath(p.ID)
	_ = eng.Close()

	secrets := append(rec.secrets(), tokenStrings(checkSessionFile(t, e.store.TokenFile()))...)
	dump := filepath.Join(e.root, "dump")
	writeFile(t, dump, "debug.log", []byte(e.logs.String()))
	writeFile(t, dump, "messages.txt", []byte(messages.String()))
	if !strings.Contains(e.logs.String(), "level=DEBUG") {
		t.Error("the log holds no debug lines; the check would prove little")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("index: %v", err)
	}
	checkNoSecrets(t, e.root, secrets...)
}

// TestCLISecretsStayOutOfFiles signs the CLI in, runs a debug-level scan
// through token refreshes, a failing scan with a revoked session and a
// rejected login, then looks for the tokens in every file the CLI wrote
// and in its output.
func TestCLISecretsStayOutOfFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the jotta binary; skipped with -short")
	}
	c := newCLIEnv(t, emulator.Options{})
	lt := c.login()
	local := filepath.Join(c.dir, "data")
	fillTree(t, local, 20, 2_000)
	c.emu.ExpireAccessTokens()
	errFile := filepath.Join(c.dir, "errors.txt")
	args := []string{"scan", "--no-progress", "--loglevel", "debug", "--errorfile", errFile, local, "/Laptop/Backup/cli"}
	out, code := c.run("scan", "", args...)
	if code != 0 {
		t.Fatalf("scan: exit %d: %s", code, out)
	}
	writeFile(t, c.dir, "stdout-scan.txt", []byte(out))
	if c.emu.Stats().Refreshes < 1 {
		t.Fatal("the scan never refreshed its token; the scenario needs one")
	}
	secrets := c.secrets(lt)

	c.emu.RevokeSessions()
	c.emu.ExpireAccessTokens()
	writeFile(t, local, "new.txt", []byte("after revocation"))
	out, code = c.run("scan-revoked", "", args...)
	writeFile(t, c.dir, "stdout-scan-revoked.txt", []byte(out))
	if code == 0 {
		t.Error("a scan with a revoked session exited 0")
	}
	stderr, _ := os.ReadFile(filepath.Join(c.dir, "stderr-scan-revoked.log"))
	if !strings.Contains(strings.ToLower(string(stderr)), "login") {
		t.Errorf("the revoked scan does not tell the user to sign in again:\n%s", tail(string(stderr), 2000))
	}
	const bogus = "definitely-not-a-login-token-but-secret-looking-0123456789"
	out, code = c.run("login-bad", bogus+"\n", "login", "--token-stdin")
	writeFile(t, c.dir, "stdout-login-bad.txt", []byte(out))
	if code == 0 {
		t.Error("login with a bogus token exited 0")
	}
	checkNoSecrets(t, c.dir, append(secrets, bogus)...)
}

// TestTLSVerificationNeverDisabled: the client refuses an HTTP client that
// skips certificate checks, and its default client rejects a server with
// an untrusted certificate.
func TestTLSVerificationNeverDisabled(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	defer ts.Close()
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	cases := []struct {
		name string
		open func() error
	}{
		{"jotta.New with an insecure client", func() error {
			_, err := jotta.New(jotta.Options{Store: jotta.NewMemoryTokenStore(nil), HTTPClient: insecure})
			return err
		}},
		{"jotta.New with an insecure client and an https endpoint", func() error {
			_, err := jotta.New(jotta.Options{Endpoint: ts.URL, Store: jotta.NewMemoryTokenStore(nil), HTTPClient: insecure})
			return err
		}},
		{"a default client against an untrusted certificate", func() error {
			c, err := jotta.New(jotta.Options{Endpoint: ts.URL, Store: jotta.NewMemoryTokenStore(&jotta.Token{AccessToken: "a", RefreshToken: "r"}),
				Retry: jotta.RetryPolicy{MaxAttempts: 1}})
			if err != nil {
				return err
			}
			_, err = c.Username(context.Background())
			return err
		}},
		{"jotta.RefreshToken against an untrusted certificate", func() error {
			_, err := jotta.RefreshToken(context.Background(), nil, ts.URL+"/token", "some-refresh-token")
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.open()
			if err == nil {
				t.Fatal("accepted; TLS verification must stay on")
			}
			msg := err.Error()
			if !strings.Contains(msg, "TLS") && !strings.Contains(msg, "certificate") && !strings.Contains(msg, "x509") {
				t.Errorf("error %q does not say the certificate or TLS is the problem", msg)
			}
		})
	}
}
