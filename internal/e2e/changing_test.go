package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"jottacloudclient/app"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// onceAt is an io.ReaderAt that runs fn once, the first time a read
// reaches offset at, before serving that read.
type onceAt struct {
	r    io.ReaderAt
	at   int64
	once sync.Once
	fn   func()
}

func (o *onceAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > o.at {
		o.once.Do(o.fn)
	}
	return o.r.ReadAt(p, off)
}

func pattern(n int, b byte) []byte { return bytes.Repeat([]byte{b, b + 1, b + 2, '\n'}, n/4) }

// TestChangedWhileUploaded rewrites a file while the engine backs it up:
// the server never keeps content under an md5 it does not have, the index
// never records the file with a wrong md5, and a later pass backs up the
// final content.
func TestChangedWhileUploaded(t *testing.T) {
	const size = 4 << 20
	cases := []struct {
		name string
		// change rewrites the file at abs while its upload is under way.
		hook func(abs string) (before func(), midway func())
	}{
		{"rewritten with the same size before its bytes are sent", func(abs string) (func(), func()) {
			return func() { mustWrite(abs, pattern(size, 'a')) }, nil
		}},
		{"rewritten with the same size halfway through the upload", func(abs string) (func(), func()) {
			return nil, func() { overwriteInPlace(abs, pattern(size, 'k')) }
		}},
		{"grown halfway through the upload", func(abs string) (func(), func()) {
			return nil, func() { appendTo(abs, pattern(1<<20, 'q')) }
		}},
		{"truncated halfway through the upload", func(abs string) (func(), func()) {
			return nil, func() { _ = os.Truncate(abs, size/4) }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			ctx := ctxFor(t)
			local := e.localDir("work")
			fillTree(t, local, 6, 10_000)
			writeFile(t, local, "big/report.dat", pattern(size, '0'))
			abs := filepath.Join(local, "big", "report.dat")
			before, midway := tc.hook(abs)
			var declared sync.Map // remote path -> md5 the client declared
			hr := &hookRemote{Remote: app.NewRemote(e.client)}
			var fired atomic.Bool
			hr.before = func(_ int64, path string) {
				if strings.HasSuffix(path, "/report.dat") && before != nil && fired.CompareAndSwap(false, true) {
					before()
				}
			}
			hr.wrap = func(path string, src io.ReaderAt, meta syncer.FileMeta) io.ReaderAt {
				declare(&declared, path, meta.MD5)
				if strings.HasSuffix(path, "/report.dat") && midway != nil && fired.CompareAndSwap(false, true) {
					return &onceAt{r: src, at: size / 2, fn: midway}
				}
				return src
			}
			eng := e.engineOn(hr, syncer.Options{Transfers: 2})
			p := syncer.Pair{ID: "work", Local: local, Remote: "/Laptop/Backup/work", Prune: syncer.PruneAll}
			res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			if err != nil {
				t.Fatalf("first pass: %v", err)
			}
			if !fired.Load() {
				t.Fatal("the file was never changed during its upload; the scenario did not happen")
			}
			if !hasProblem(res.Problems, "big/report.dat") {
				t.Errorf("the changed file is not a listed problem of the pass; problems:\n%s", problemsText(res.Problems))
			}
			e.checkServerContent(p.Remote, &declared)
			path := eng.IndexPath(p.ID)
			_ = eng.Close()
			e.checkIndex(path, p.Remote)

			// The file is stable now: the next pass backs it up.
			eng2 := e.engine(syncer.Options{})
			passUntilClean(t, ctx, eng2, p, 1)
			e.verify(local, p.Remote)
			e.checkServerContent(p.Remote, nil)
			_ = eng2.Close()
			if n := e.checkIndex(path, p.Remote); n != 7 {
				t.Errorf("%d files recorded as backed up, want 7", n)
			}
		})
	}
}

// TestRewrittenWhileHashed rewrites a file over and over while passes
// run; whatever each pass did, nothing wrong is recorded or stored, and
// once the writer stops the final content is backed up.
func TestRewrittenWhileHashed(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := ctxFor(t)
	local := e.localDir("busy")
	fillTree(t, local, 10, 5_000)
	abs := filepath.Join(local, "busy.log")
	mustWrite(abs, pattern(2<<20, 'A'))
	var declared sync.Map
	hr := &hookRemote{Remote: app.NewRemote(e.client)}
	hr.wrap = func(path string, src io.ReaderAt, meta syncer.FileMeta) io.ReaderAt {
		declare(&declared, path, meta.MD5)
		return src
	}
	eng := e.engineOn(hr, syncer.Options{})
	p := syncer.Pair{ID: "busy", Local: local, Remote: "/Laptop/Backup/busy", Prune: syncer.PruneAll}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			mustWrite(abs, pattern(1<<20+i%5*4096, byte('B'+i%20)))
			writes.Add(1)
		}
	})
	for range 3 {
		res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
		if err != nil {
			t.Fatalf("pass under rewrites: %v", err)
		}
		for _, pr := range res.Problems {
			if pr.Path != "busy.log" {
				t.Errorf("problem with a file nobody touched: %s: %s", pr.Path, pr.Reason)
			}
		}
	}
	close(stop)
	wg.Wait()
	if writes.Load() < 3 {
		t.Fatalf("only %d rewrites happened; the scenario did not run", writes.Load())
	}
	e.checkServerContent(p.Remote, &declared)
	path := eng.IndexPath(p.ID)
	_ = eng.Close()
	e.checkIndex(path, p.Remote)
	eng2 := e.engine(syncer.Options{})
	passUntilClean(t, ctx, eng2, p, 1)
	e.verify(local, p.Remote)
}

func hasProblem(ps []syncer.Problem, path string) bool {
	for _, p := range ps {
		if p.Path == path && p.Reason != "" {
			return true
		}
	}
	return false
}

// checkServerContent downloads every live file below root and checks that
// its bytes have the md5 the server lists, and that the listed md5 is one
// the client declared for it (when declared is not empty for that path).
func (e *env) checkServerContent(root string, declared *sync.Map) {
	e.t.Helper()
	ctx := context.Background()
	for rel, en := range e.remoteFiles(root) {
		rc, err := e.client.Download(ctx, root+"/"+rel, 0, -1)
		if err != nil {
			e.t.Errorf("download %s: %v", rel, err)
			continue
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			e.t.Errorf("download %s: %v", rel, err)
			continue
		}
		if got := md5Hex(data); got != en.MD5 || int64(len(data)) != en.Size {
			e.t.Errorf("server keeps %s as md5 %s (%d bytes) but its content has md5 %s (%d bytes)", rel, en.MD5, en.Size, got, len(data))
		}
		if declared == nil {
			continue
		}
		v, ok := declared.Load(root + "/" + rel)
		if !ok || !v.(*md5Set).has(en.MD5) {
			e.t.Errorf("server keeps %s with md5 %s, which the client never declared for it", rel, en.MD5)
			continue
		}
		// Older revisions too: every completed one holds declared content.
		revs, err := e.client.Revisions(ctx, root+"/"+rel)
		if err != nil {
			e.t.Errorf("revisions of %s: %v", rel, err)
			continue
		}
		for _, r := range revs {
			if strings.EqualFold(r.State, "COMPLETED") && !v.(*md5Set).has(strings.ToLower(r.MD5)) {
				e.t.Errorf("%s revision %d is COMPLETED with md5 %s, which the client never declared", rel, r.Number, r.MD5)
			}
		}
	}
}

// md5Set is the md5s the client declared for one path.
type md5Set struct {
	mu sync.Mutex
	m  map[string]bool
}

func (s *md5Set) add(sum string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	s.m[sum] = true
}

func (s *md5Set) has(sum string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[sum]
}

// declare records md5 as declared for path.
func declare(m *sync.Map, path, sum string) {
	v, _ := m.LoadOrStore(path, &md5Set{})
	v.(*md5Set).add(sum)
}

func mustWrite(p string, data []byte) {
	// Errors surface as problems of the scenario under test; a failed
	// write here makes the later verification fail loudly.
	_ = os.WriteFile(p, data, 0o644)
}

func overwriteInPlace(p string, data []byte) {
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteAt(data, 0)
}

func appendTo(p string, data []byte) {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(data)
}
