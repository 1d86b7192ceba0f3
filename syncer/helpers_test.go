package syncer_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

const testRemote = "/TestBox/Backup/docs"

func newEngine(t testing.TB, r syncer.Remote, opts syncer.Options) *syncer.Engine {
	t.Helper()
	if opts.StateDir == "" {
		opts.StateDir = t.TempDir()
	}
	opts.NoWatch = opts.NewWatcher == nil
	e, err := syncer.New(r, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func pairFor(local string) syncer.Pair {
	return syncer.Pair{ID: "docs", Local: local, Remote: testRemote}
}

func writeFile(t testing.TB, root, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func pass(t testing.TB, e *syncer.Engine, p syncer.Pair, po syncer.PassOptions) *syncer.PassResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := e.RunPass(ctx, p, po)
	if err != nil {
		t.Fatalf("pass: %v", err)
	}
	return res
}

// remoteFiles lists the pair's remote folder: path → md5.
func remoteFiles(t testing.TB, r syncer.Remote) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := r.List(context.Background(), testRemote, func(e syncer.Entry) error {
		if !e.Dir {
			out[e.Path] = e.MD5
		}
		return nil
	})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	return out
}

func problemFor(res *syncer.PassResult, path string) (syncer.Problem, bool) {
	for _, p := range res.Problems {
		if p.Path == path {
			return p, true
		}
	}
	return syncer.Problem{}, false
}

func assertProblem(t *testing.T, res *syncer.PassResult, path, reasonPart string) {
	t.Helper()
	p, ok := problemFor(res, path)
	if !ok {
		t.Errorf("no problem reported for %q; problems: %+v", path, res.Problems)
		return
	}
	if !strings.Contains(p.Reason, reasonPart) {
		t.Errorf("problem for %q = %q, want it to mention %q", path, p.Reason, reasonPart)
	}
}

// assertSkipped checks that path was skipped by design for why, and is
// not also a problem.
func assertSkipped(t *testing.T, res *syncer.PassResult, path string, why syncer.SkipReason) {
	t.Helper()
	if _, ok := problemFor(res, path); ok {
		t.Errorf("%q is reported as a problem; it is skipped by design", path)
	}
	for _, s := range res.Skipped {
		if s.Path == path {
			if s.Reason != why {
				t.Errorf("%q skipped as %q, want %q", path, s.Reason, why)
			}
			return
		}
	}
	t.Errorf("%q not listed as skipped; skipped: %+v", path, res.Skipped)
}

var _ = syncertest.NewMemRemote
