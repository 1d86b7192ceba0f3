package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
)

// acctHome is an emulator on loopback plus a private home for CLI
// processes: their own config and cache directories, no D-Bus session (so
// the session lives in the 0600 token file), no netrc, and the emulator as
// endpoint. The emulator is served through a wrapper that records every
// token the identity provider hands out and can damage download bytes.
type acctHome struct {
	t      testing.TB
	emu    *emulator.Server
	url    string
	dir    string
	env    []string
	issued *acctIssued
	// corruptDownloads flips one byte of every download reply.
	corruptDownloads atomic.Bool
	// implicitFolders drops every <folder> element from liststream
	// replies, so folders are known only as the parents of their files.
	implicitFolders atomic.Bool
}

// acctIssued collects the secrets the token endpoint returned.
type acctIssued struct {
	mu     sync.Mutex
	tokens []string
}

func (a *acctIssued) add(s ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, v := range s {
		if v != "" {
			a.tokens = append(a.tokens, v)
		}
	}
}

func (a *acctIssued) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.tokens...)
}

// acctTee copies a reply body aside.
type acctTee struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *acctTee) Write(p []byte) (int, error) {
	w.buf.Write(p)
	return w.ResponseWriter.Write(p)
}

// acctFlipper changes the first body byte it sends.
type acctFlipper struct {
	http.ResponseWriter
	done bool
}

func (w *acctFlipper) Write(p []byte) (int, error) {
	if !w.done && len(p) > 0 {
		q := append([]byte(nil), p...)
		q[0] ^= 0xff
		w.done = true
		return w.ResponseWriter.Write(q)
	}
	return w.ResponseWriter.Write(p)
}

var (
	acctFolderElem = regexp.MustCompile(`<folder>.*?</folder>\n?`)
	acctFileParent = regexp.MustCompile(`<file><path[^>]*>([^<]*)</path>`)
	acctStatFolder = regexp.MustCompile(`<folders>\d+</folders>`)
)

// acctDropFolders removes the <folder> elements of a liststream document
// and counts the folders as rclone does: one per distinct file parent.
func acctDropFolders(doc []byte) []byte {
	doc = acctFolderElem.ReplaceAll(doc, nil)
	parents := map[string]bool{}
	for _, m := range acctFileParent.FindAllSubmatch(doc, -1) {
		parents[string(m[1])] = true
	}
	return acctStatFolder.ReplaceAll(doc, []byte(fmt.Sprintf("<folders>%d</folders>", len(parents))))
}

func newAcctHome(t testing.TB, opts emulator.Options) *acctHome {
	t.Helper()
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &acctHome{t: t, emu: emu, dir: t.TempDir(), issued: &acctIssued{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token"):
			tee := &acctTee{ResponseWriter: w}
			emu.ServeHTTP(tee, r)
			var tr struct {
				AccessToken  string `json:"access_token"`
				RefreshToken string `json:"refresh_token"`
				IDToken      string `json:"id_token"`
			}
			if json.Unmarshal(tee.buf.Bytes(), &tr) == nil {
				h.issued.add(tr.AccessToken, tr.RefreshToken, tr.IDToken)
			}
		case r.URL.Query().Get("mode") == "bin" && h.corruptDownloads.Load():
			emu.ServeHTTP(&acctFlipper{ResponseWriter: w}, r)
		case r.URL.Query().Get("mode") == "liststream" && h.implicitFolders.Load():
			rec := httptest.NewRecorder()
			emu.ServeHTTP(rec, r)
			w.WriteHeader(rec.Code)
			_, _ = w.Write(acctDropFolders(rec.Body.Bytes()))
		default:
			emu.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	emu.SetBaseURL(srv.URL)
	h.url = srv.URL
	h.env = acctBaseEnv(h.dir, srv.URL)
	return h
}

// acctBaseEnv is the test process's environment without anything that
// could reach the user's real session or keyring, pointed at dir.
func acctBaseEnv(dir, endpoint string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
			"JOTTA_CONFIG", "JOTTA_NETRC", "NETRC", "JOTTACLOUD_ENDPOINT", "JOTTACLOUD_TOKEN",
			"JOTTACLOUD_USERNAME", "JOTTACLOUD_PASSWORD":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"JOTTA_CONFIG="+filepath.Join(dir, "config", "jottacloudclient", "config.toml"),
		"JOTTA_NETRC="+filepath.Join(dir, "no-netrc"),
		"JOTTACLOUD_ENDPOINT="+endpoint,
	)
}

// configPath is where the CLI processes read their configuration.
func (h *acctHome) configPath() string {
	return filepath.Join(h.dir, "config", "jottacloudclient", "config.toml")
}

// tokenFile is the session file the CLI keeps without a keyring.
func (h *acctHome) tokenFile() string {
	return filepath.Join(h.dir, "config", "jottacloudclient", "session.json")
}

// acctResult is one finished CLI process.
type acctResult struct {
	stdout, stderr string
	code           int
}

func (r acctResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run starts the jotta binary with stdin, extra environment variables
// (KEY=VALUE, later ones win) and args, and waits for it.
func (h *acctHome) run(stdin string, extra []string, args ...string) acctResult {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, buildJottaBinary(h.t), args...)
	cmd.Env = append(append([]string(nil), h.env...), extra...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		h.t.Fatalf("run jotta %v: %v", args, err)
	}
	return acctResult{stdout: out.String(), stderr: errb.String(), code: code}
}

// jotta runs args and fails the test unless the exit code is want.
func (h *acctHome) jotta(want int, args ...string) acctResult {
	h.t.Helper()
	r := h.run("", nil, args...)
	if r.code != want {
		h.t.Fatalf("jotta %v: want exit %d, got %s", args, want, r)
	}
	return r
}

// mint returns a fresh personal login token of the emulator.
func (h *acctHome) mint() string {
	h.t.Helper()
	tok, err := h.emu.MintLoginToken()
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// login signs the home in with a fresh login token and returns it.
func (h *acctHome) login() string {
	h.t.Helper()
	tok := h.mint()
	r := h.run(tok+"\n", nil, "login", "--token-stdin")
	if r.code != 0 {
		h.t.Fatalf("login: %s", r)
	}
	return tok
}

// TestCredentialChainAtTheCLI walks the credentials chain through real
// processes: login then whoami, a token in the environment, the seed's
// password variables, a netrc others can read, and logout.
func TestCredentialChainAtTheCLI(t *testing.T) {
	t.Run("login then whoami", func(t *testing.T) {
		h := newAcctHome(t, emulator.Options{})
		r := h.run(h.mint()+"\n", nil, "login", "--token-stdin")
		if r.code != 0 || !strings.Contains(r.stdout, "Signed in as "+h.emu.User()) {
			t.Fatalf("login: %s", r)
		}
		// Without a keyring the fallback is said once, in words.
		if !strings.Contains(r.stderr, "jotta: note: the OS keyring is not available") || strings.Contains(r.stderr, "level=") || strings.Contains(r.stderr, "keyring_err") {
			t.Errorf("login's note about the keyring reads %q", r.stderr)
		}
		w := h.jotta(0, "whoami")
		for _, want := range []string{"user:       " + h.emu.User(), "email:      demo@example.org", "of unlimited", "(file)", "'jotta login'"} {
			if !strings.Contains(w.stdout, want) {
				t.Errorf("whoami lacks %q:\n%s", want, w.stdout)
			}
		}
		if fi, err := os.Stat(h.tokenFile()); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("token file %v (err %v), want mode 0600", fi, err)
		}
	})
	t.Run("JOTTACLOUD_TOKEN without login", func(t *testing.T) {
		h := newAcctHome(t, emulator.Options{})
		env := []string{"JOTTACLOUD_TOKEN=" + h.mint()}
		for i := range 2 {
			r := h.run("", env, "whoami")
			if r.code != 0 || !strings.Contains(r.stdout, h.emu.User()) || !strings.Contains(r.stdout, "JOTTACLOUD_TOKEN (env)") {
				t.Fatalf("whoami %d: %s", i, r)
			}
		}
		if n := h.emu.Stats().LoginExchanges; n != 1 {
			t.Errorf("the login token was exchanged %d times, want once", n)
		}
	})
	t.Run("password variables are explained", func(t *testing.T) {
		h := newAcctHome(t, emulator.Options{})
		r := h.run("", []string{"JOTTACLOUD_USERNAME=someone@example.org", "JOTTACLOUD_PASSWORD=hunter2"}, "whoami")
		if r.code != exitUsage {
			t.Fatalf("want exit 2, got %s", r)
		}
		for _, want := range []string{"no longer accepts account passwords", "Personal login token", "jotta login"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q: %s", want, r.stderr)
			}
		}
		if strings.Contains(r.stderr+r.stdout, "hunter2") {
			t.Error("the password was printed")
		}
	})
	t.Run("netrc readable by others is refused", func(t *testing.T) {
		h := newAcctHome(t, emulator.Options{})
		netrc := filepath.Join(h.dir, "netrc")
		tok := h.mint()
		if err := os.WriteFile(netrc, []byte("machine jottacloud\n  login demo\n  password "+tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(netrc, 0o640); err != nil {
			t.Fatal(err)
		}
		env := []string{"JOTTA_NETRC=" + netrc}
		r := h.run("", env, "whoami")
		if r.code != exitUsage || !strings.Contains(r.stderr, "chmod 0600 "+netrc) {
			t.Fatalf("want exit 2 with the chmod fix, got %s", r)
		}
		if strings.Contains(r.stderr+r.stdout, tok) {
			t.Error("the netrc token was printed")
		}
		if n := h.emu.Stats().LoginExchanges; n != 0 {
			t.Errorf("the refused token was exchanged %d times", n)
		}
		// After the fix the same file signs in.
		if err := os.Chmod(netrc, 0o600); err != nil {
			t.Fatal(err)
		}
		r = h.run("", env, "whoami")
		if r.code != 0 || !strings.Contains(r.stdout, "~/.netrc (netrc)") {
			t.Fatalf("after chmod 0600: %s", r)
		}
	})
	t.Run("revoked session asks to sign in again", func(t *testing.T) {
		h := newAcctHome(t, emulator.Options{})
		h.login()
		h.emu.RevokeSessions()
		h.emu.ExpireAccessTokens()
		for _, args := range [][]string{{"whoami"}, {"ls", "/"}, {"download", "/Jotta/Archive", t.TempDir()}, {"verify", t.TempDir(), "/Jotta/Archive"}} {
			r := h.run("", nil, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "jotta login") {
				t.Errorf("jotta %v after revocation: want exit 2 saying 'jotta login', got %s", args, r)
			}
		}
	})
	t.Run("logout then whoami asks to sign in", func(t *testing.T) {
		h := newAcctHome(t, emulator.Options{})
		h.login()
		r := h.jotta(0, "logout")
		if !strings.Contains(r.stdout, "Signed out") {
			t.Errorf("logout said %s", r)
		}
		if _, err := os.Stat(h.tokenFile()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("token file still there after logout (err %v)", err)
		}
		w := h.jotta(exitUsage, "whoami")
		if !strings.Contains(w.stderr, "not signed in") || !strings.Contains(w.stderr, "jotta login") {
			t.Errorf("whoami after logout: %s", w)
		}
		// Signed out on purpose: nothing expired, and the advice comes once.
		if strings.Contains(w.stderr, "no longer valid") || strings.Count(w.stderr, "jotta login") != 1 {
			t.Errorf("whoami after logout speaks of an expired session or repeats itself: %s", w)
		}
		again := h.run("", []string{"JOTTACLOUD_TOKEN=" + h.mint()}, "logout")
		if again.code != 0 || !strings.Contains(again.stdout, "no session was stored") ||
			!strings.Contains(again.stderr, "JOTTACLOUD_TOKEN still holds a token") {
			t.Errorf("second logout with a token in the environment: %s", again)
		}
	})
}

// TestLoginKeepsTheSessionOnBadTokens checks that a token that cannot be
// used never replaces or damages the stored session.
func TestLoginKeepsTheSessionOnBadTokens(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	spent := h.login()
	before, err := os.ReadFile(h.tokenFile())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stdin, want string
	}{
		{"password", "hunter2\n", "not a personal login token"},
		{"empty", "\n\n", "no token on standard input"},
		{"two lines", h.mint() + "\n" + h.mint() + "\n", "several lines"},
		{"spent login token", spent + "\n", "any earlier session is kept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.run(tc.stdin, nil, "login", "--token-stdin")
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want exit 2 saying %q, got %s", tc.want, r)
			}
			if !strings.Contains(r.stderr, "Settings → Security") {
				t.Errorf("the message does not say where to get a token: %s", r.stderr)
			}
			after, err := os.ReadFile(h.tokenFile())
			if err != nil || !bytes.Equal(before, after) {
				t.Fatalf("the stored session changed (err %v)", err)
			}
		})
	}
	// The kept session still works.
	if r := h.jotta(0, "whoami"); !strings.Contains(r.stdout, h.emu.User()) {
		t.Errorf("whoami after failed logins: %s", r)
	}
}

func TestLoginReadToken(t *testing.T) {
	const tok = "eyJ1c2VybmFtZSI6ImRlbW8iLCJhdXRoX3Rva2VuIjoiYWJjZGVmIn0"
	for _, tc := range []struct {
		name      string
		in        io.Reader
		fromStdin bool
		want      string
		wantErr   string
	}{
		{"token with newline", strings.NewReader(tok + "\n"), true, tok, ""},
		{"surrounding blank lines", strings.NewReader("\n  " + tok + "  \r\n\n"), true, tok, ""},
		{"nothing", strings.NewReader(""), true, "", "no token on standard input"},
		{"password", strings.NewReader("correct horse\n"), true, "", "looks like a password"},
		{"two tokens", strings.NewReader(tok + "\n" + tok + "\n"), true, "", "several lines"},
		{"too long", strings.NewReader(strings.Repeat("a", loginMaxToken+1)), true, "", "more than a token"},
		{"no terminal without --token-stdin", strings.NewReader(tok), false, "", "--token-stdin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var prompt bytes.Buffer
			got, err := loginReadToken(tc.in, &prompt, tc.fromStdin)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "correct horse") {
					t.Errorf("the error repeats the secret: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// client signs a separate session in, to arrange and check the server
// side without the CLI.
func (h *acctHome) client() *jotta.Client {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := jotta.Login(ctx, nil, h.mint())
	if err != nil {
		h.t.Fatalf("login: %v", err)
	}
	c, err := jotta.New(jotta.Options{Endpoint: h.url, Store: jotta.NewMemoryTokenStore(tok)})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// put stores files (relative path → content) below /Jotta/<below>.
func (h *acctHome) put(below string, files map[string][]byte, modified time.Time) {
	h.t.Helper()
	for rel, data := range files {
		if err := h.emu.PutFile(context.Background(), "/"+below+"/"+rel, data, modified); err != nil {
			h.t.Fatalf("seed %s: %v", rel, err)
		}
	}
}

// acctInProcess runs the CLI inside the test process, for tests that
// need a process-wide fake such as the mock keyring.
func acctInProcess(t *testing.T, stdin string, args ...string) acctResult {
	t.Helper()
	g := newGlobals()
	var out, errb bytes.Buffer
	g.stdout, g.stderr = &out, &errb
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	code := exitOK
	if err != nil {
		errb.WriteString("jotta: " + err.Error() + "\n")
		code = exitUsage
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return acctResult{stdout: out.String(), stderr: errb.String(), code: code}
}

// TestLoginStoresTheSessionInTheKeyring signs in with a working (mock) OS
// keyring: the session lives there, not in a file, and logout removes it.
func TestLoginStoresTheSessionInTheKeyring(t *testing.T) {
	keyring.MockInit()
	h := newAcctHome(t, emulator.Options{})
	for _, kv := range h.env {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "XDG_") || strings.HasPrefix(k, "JOTTA") {
			t.Setenv(k, v)
		}
	}
	for _, k := range []string{"JOTTACLOUD_TOKEN", "JOTTACLOUD_USERNAME", "JOTTACLOUD_PASSWORD", "NETRC"} {
		t.Setenv(k, "")
	}
	if r := acctInProcess(t, h.mint()+"\n", "login", "--token-stdin"); r.code != 0 || !strings.Contains(r.stdout, "(keyring)") {
		t.Fatalf("login: %s", r)
	}
	if _, err := os.Stat(h.tokenFile()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a token file was written although the keyring works (err %v)", err)
	}
	if r := acctInProcess(t, "", "whoami"); r.code != 0 || !strings.Contains(r.stdout, "OS keyring (keyring)") {
		t.Errorf("whoami: %s", r)
	}
	if r := acctInProcess(t, "", "logout"); r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Errorf("logout: %s", r)
	}
	if r := acctInProcess(t, "", "whoami"); r.code != exitUsage || !strings.Contains(r.stderr, "not signed in") {
		t.Errorf("whoami after logout: %s", r)
	}
}
