package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"jottacloudclient/app"
	"jottacloudclient/app/creds"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
	"jottacloudclient/syncer/index"
)

// noKeyring is an OS keyring that is never available, so the session goes
// to the 0600 token file, as on a server without a desktop session.
type noKeyring struct{}

var errNoKeyring = errors.New("no keyring in tests")

func (noKeyring) Get(string, string) (string, error) { return "", errNoKeyring }
func (noKeyring) Set(string, string, string) error   { return errNoKeyring }
func (noKeyring) Delete(string, string) error        { return errNoKeyring }

// logBuffer collects log output from many goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// fastRetry keeps retries quick so fault scenarios end in seconds.
var fastRetry = jotta.RetryPolicy{MaxAttempts: 8, MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}

// env is one user: an emulator, a signed-in account with its token file,
// a debug-level log and a state directory.
type env struct {
	t      *testing.T
	emu    *emulator.Server
	url    string // where clients reach the emulator
	root   string
	paths  app.Paths
	acct   app.AccountOptions
	store  *creds.Store
	client *jotta.Client
	logs   *logBuffer
	log    *slog.Logger
}

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newEnv starts an emulator and signs in to it through the app's own
// credentials code (token file fallback).
func newEnv(t *testing.T, eo emulator.Options) *env {
	t.Helper()
	return newEnvFront(t, eo, nil)
}

// newEnvFront is newEnv with front (when not nil) wrapped around the
// emulator's handler, to rewrite requests or replies.
func newEnvFront(t *testing.T, eo emulator.Options, front func(http.Handler) http.Handler) *env {
	t.Helper()
	root := t.TempDir()
	emu, err := emulator.New(eo)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = emu
	if front != nil {
		h = front(emu)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		_ = emu.Close()
	})
	emu.SetBaseURL(ts.URL)
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := &env{t: t, emu: emu, url: ts.URL, root: root, logs: logs, log: log}
	e.paths = app.Paths{
		Config:   filepath.Join(root, "config", "config.toml"),
		CredsDir: filepath.Join(root, "creds"),
		StateDir: filepath.Join(root, "state"),
		LockDir:  filepath.Join(root, "creds"),
	}
	e.acct = app.AccountOptions{
		Paths:     e.paths,
		Endpoint:  e.url,
		Keyring:   noKeyring{},
		Getenv:    func(string) string { return "" },
		NetrcPath: filepath.Join(root, "no-netrc"),
		Logger:    log,
	}
	e.signIn()
	return e
}

// signIn exchanges a fresh login token and opens a client on the stored
// session.
func (e *env) signIn() {
	t := e.t
	t.Helper()
	lt, err := e.emu.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.SignIn(ctxFor(t), e.acct, lt); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	st, err := app.NewStore(e.acct)
	if err != nil {
		t.Fatal(err)
	}
	c, err := jotta.New(jotta.Options{Endpoint: e.url, Store: st, Logger: e.log, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	e.store, e.client = st, c
}

// engine builds the engine the way the CLI does, without file watching.
func (e *env) engine(o syncer.Options) *syncer.Engine {
	e.t.Helper()
	return e.engineOn(app.NewRemote(e.client), o)
}

// remoteOf is the engine's view of the env's account.
func (e *env) remoteOf() syncer.Remote { return app.NewRemote(e.client) }

func (e *env) engineOn(r syncer.Remote, o syncer.Options) *syncer.Engine {
	e.t.Helper()
	o.StateDir = e.paths.StateDir
	o.NoWatch = true
	if o.Logger == nil {
		o.Logger = e.log
	}
	eng, err := syncer.New(r, o)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = eng.Close() })
	watchUserTexts(e.t, eng)
	return eng
}

// localDir makes an empty local folder for a pair.
func (e *env) localDir(name string) string {
	d := filepath.Join(e.root, "local", name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// writeFile writes data at rel below dir, creating parents.
func writeFile(t *testing.T, dir, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fillTree writes n files with deterministic content of roughly size bytes
// each into dir, spread over a few folders, and returns their total size.
func fillTree(t *testing.T, dir string, n, size int) int64 {
	t.Helper()
	var total int64
	for i := range n {
		sz := size + i%7*13
		data := make([]byte, sz)
		seed := uint32(i*2654435761 + 1)
		for j := range data {
			seed = seed*1664525 + 1013904223
			data[j] = byte(seed >> 24)
		}
		writeFile(t, dir, fmt.Sprintf("d%02d/sub%d/file-%04d.bin", i%10, i%3, i), data)
		total += int64(sz)
	}
	return total
}

func md5File(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// localFiles returns the md5 of every regular file below dir, by
// '/'-separated relative path.
func localFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = md5File(t, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// remoteFiles lists the live, completed files below root through a client
// with no faults in its way, by relative path.
func (e *env) remoteFiles(root string) map[string]syncer.Entry {
	e.t.Helper()
	return listRemote(e.t, e.client, root)
}

// listRemote lists the live, completed files below root by relative path.
func listRemote(t *testing.T, c *jotta.Client, root string) map[string]syncer.Entry {
	t.Helper()
	out := map[string]syncer.Entry{}
	err := app.NewRemote(c).List(ctxFor(t), root, func(en syncer.Entry) error {
		if !en.Dir {
			out[en.Path] = en
		}
		return nil
	})
	if errors.Is(err, syncer.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatalf("list %s: %v", root, err)
	}
	return out
}

// verify checks that the server holds every local file below dir with the
// right md5 and size, and nothing else.
func (e *env) verify(dir, root string) {
	e.t.Helper()
	local := localFiles(e.t, dir)
	remote := e.remoteFiles(root)
	for rel, sum := range local {
		r, ok := remote[rel]
		switch {
		case !ok:
			e.t.Errorf("verify: %s is not on the server", rel)
		case r.MD5 != sum:
			e.t.Errorf("verify: %s has md5 %s on the server, %s locally", rel, r.MD5, sum)
		}
	}
	for rel := range remote {
		if _, ok := local[rel]; !ok {
			e.t.Errorf("verify: the server has %s which is not a local file", rel)
		}
	}
}

// checkIndex opens the pair's index (the engine must be closed) and
// checks that every file it records as backed up (with the content last
// hashed) is on the server with the recorded md5 and size. It returns how
// many records vouch for their file.
func (e *env) checkIndex(indexPath, root string) int {
	e.t.Helper()
	return checkIndexAgainst(e.t, e.remoteFiles(root), indexPath)
}

// checkIndexAgainst checks the index at indexPath against the server's
// files (by relative path) and returns how many records say uploaded.
func checkIndexAgainst(t *testing.T, remote map[string]syncer.Entry, indexPath string) int {
	t.Helper()
	ix, err := index.Open(indexPath)
	if err != nil {
		t.Fatalf("open index: %v", err)
	}
	defer ix.Close()
	n := 0
	err = ix.View(func(r *index.Reader) error {
		return r.ForEach(func(p string, rec index.Record) error {
			// A record vouches for the current content only when what the
			// server confirmed is what was last hashed; an older
			// confirmation is history and the walk ignores it.
			if !rec.Uploaded {
				return nil
			}
			n++
			got, ok := remote[p]
			want := hex.EncodeToString(rec.MD5[:])
			switch {
			case !ok:
				t.Errorf("index: %s is recorded as backed up but the server does not have it", p)
			case got.MD5 != want || got.Size != rec.Size:
				t.Errorf("index: %s is recorded as backed up with md5 %s size %d, the server has %s size %d",
					p, want, rec.Size, got.MD5, got.Size)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// passUntilClean runs passes until one completes without problems, at
// most max times, and returns the last result.
func passUntilClean(t *testing.T, ctx context.Context, eng *syncer.Engine, p syncer.Pair, max int) *syncer.PassResult {
	t.Helper()
	var res *syncer.PassResult
	var err error
	for i := range max {
		res, err = eng.RunPass(ctx, p, syncer.PassOptions{})
		if err == nil && len(res.Problems) == 0 {
			return res
		}
		t.Logf("pass %d: err=%v problems=%d", i+1, err, len(res.Problems))
	}
	t.Fatalf("no clean pass in %d tries: last err=%v problems=%v", max, err, res.Problems)
	return nil
}

func problemsText(ps []syncer.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s: %s\n", p.Path, p.Reason)
	}
	return b.String()
}
