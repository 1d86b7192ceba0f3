package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"jottacloudclient/app"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// e2eEnv is an emulator on loopback, a home for the CLI's config, state and
// session, and a separate client to check what reached the server.
type e2eEnv struct {
	emu     *emulator.Server
	url     string
	arrived atomic.Int64 // request body bytes received so far
	// front, if set, wraps the response writer of every request (a test
	// can watch or hold what the server sends); a writer with a served()
	// method hears when the server is done with the request.
	front  atomic.Pointer[func(http.ResponseWriter, *http.Request) http.ResponseWriter]
	dir    string
	env    []string
	client *jotta.Client
	remote *app.Remote
}

// newE2E starts an in-memory emulator and prepares the environment of CLI
// processes: their own config and cache directories, no D-Bus (so the
// session is kept in the 0600 file), and a login token in
// JOTTACLOUD_TOKEN that the first command exchanges and stores.
func newE2E(t testing.TB) *e2eEnv {
	t.Helper()
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &e2eEnv{emu: emu}
	// The emulator counts upload bytes when a request ends; this front
	// counts request bytes as they arrive, so a test can see an upload in
	// progress.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = &e2eCountingBody{ReadCloser: r.Body, n: &e.arrived}
		}
		if f := e.front.Load(); f != nil {
			w = (*f)(w, r)
		}
		emu.ServeHTTP(w, r)
		if d, ok := w.(interface{ served() }); ok {
			d.served()
		}
	}))
	t.Cleanup(func() {
		ts.Close()
		_ = emu.Close()
	})
	emu.SetBaseURL(ts.URL)
	e.url = ts.URL
	cliToken, err := emu.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	checkToken, err := emu.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := jotta.Login(ctx, nil, checkToken)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	c, err := jotta.New(jotta.Options{Endpoint: e.url, Store: jotta.NewMemoryTokenStore(tok)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := append(acctBaseEnv(dir, e.url), "JOTTACLOUD_TOKEN="+cliToken)
	e.dir, e.env, e.client, e.remote = dir, env, c, app.NewRemote(c)
	return e
}

// e2eCountingBody counts the bytes read from a request body.
type e2eCountingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *e2eCountingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// configPath is the CLI's configuration file.
func (e *e2eEnv) configPath() string {
	return filepath.Join(e.dir, "config", "jottacloudclient", "config.toml")
}

// e2eResult is one finished CLI process.
type e2eResult struct {
	stdout, stderr string
	code           int
}

// command prepares the jotta binary with args in the environment.
func (e *e2eEnv) command(t testing.TB, ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, buildJottaBinary(t), args...)
	cmd.Env = e.env
	return cmd
}

// jotta runs the binary to its end.
func (e *e2eEnv) jotta(t testing.TB, args ...string) e2eResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := e.command(t, ctx, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run jotta %v: %v", args, err)
	}
	return e2eResult{stdout: out.String(), stderr: errb.String(), code: code}
}

// scan runs 'jotta scan --json' and decodes the summary; wantCode is the
// expected exit code.
func (e *e2eEnv) scan(t testing.TB, wantCode int, local, remote string, flags ...string) scanSummary {
	t.Helper()
	args := append([]string{"scan", "--json"}, flags...)
	args = append(args, local, remote)
	r := e.jotta(t, args...)
	if r.code != wantCode {
		t.Fatalf("jotta %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, wantCode, r.stdout, r.stderr)
	}
	var s scanSummary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("jotta %v: summary is not JSON: %v\nstdout:\n%s\nstderr:\n%s", args, err, r.stdout, r.stderr)
	}
	return s
}

// remoteFiles lists the live files below remote: relative path → md5.
func (e *e2eEnv) remoteFiles(t testing.TB, remote string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := e.remote.List(context.Background(), remote, func(en syncer.Entry) error {
		if !en.Dir {
			out[en.Path] = en.MD5
		}
		return nil
	})
	if err != nil {
		t.Fatalf("list %s: %v", remote, err)
	}
	return out
}

// trashed reports whether the remote path is in the trash (not gone).
func (e *e2eEnv) trashed(t testing.TB, path string) bool {
	t.Helper()
	en, err := e.client.Stat(context.Background(), path, jotta.ListOptions{IncludeDeleted: true})
	if errors.Is(err, jotta.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return en.IsDeleted()
}

// e2eWriteFiles creates files (relative path → content) below root.
func e2eWriteFiles(t testing.TB, root string, files map[string][]byte) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// e2eRandom returns n reproducible pseudo-random bytes.
func e2eRandom(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// e2eMD5s hashes the contents of files.
func e2eMD5s(files map[string][]byte) map[string]string {
	out := make(map[string]string, len(files))
	for rel, data := range files {
		sum := md5.Sum(data)
		out[rel] = hex.EncodeToString(sum[:])
	}
	return out
}

// e2eSameFiles fails unless got holds exactly want (path → md5).
func e2eSameFiles(t testing.TB, got, want map[string]string) {
	t.Helper()
	for p, m := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s is not on the server", p)
		} else if g != m {
			t.Errorf("%s has md5 %s on the server, want %s", p, g, m)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is on the server but should not be", p)
		}
	}
}

// e2eProblemPaths returns the paths of the reported problems.
func e2eProblemPaths(s scanSummary) map[string]string {
	out := map[string]string{}
	for _, p := range s.Problems {
		out[p.Path] = p.Reason
	}
	return out
}
