package main

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jottacloudclient/app/restore"
)

// restoreTreeOf describes every file and folder below root: relative path
// → "folder" or "md5 mtime" (mtime in whole seconds). The restore's
// temporary folder must never be there.
func restoreTreeOf(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
			return nil
		case d.Name() == restore.TempDirName:
			t.Errorf("the temporary folder %s was left behind", p)
			return filepath.SkipDir
		case d.IsDir():
			out[rel] = "folder"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum := md5.Sum(b)
		out[rel] = fmt.Sprintf("%s %d", hex.EncodeToString(sum[:]), info.ModTime().Unix())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func restoreSameTree(t testing.TB, what string, got, want map[string]string) {
	t.Helper()
	var diffs []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("missing %s (%s)", k, w))
		} else if g != w {
			diffs = append(diffs, fmt.Sprintf("%s is %q, want %q", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("unexpected %s (%s)", k, g))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%s:\n  %s", what, strings.Join(diffs, "\n  "))
	}
}

// restoreRun runs 'jotta restore --json' with args and decodes the summary.
func (e *e2eEnv) restore(t testing.TB, wantCode int, args ...string) restoreSummary {
	t.Helper()
	args = append([]string{"restore", "--json"}, args...)
	r := e.jotta(t, args...)
	if r.code != wantCode {
		t.Fatalf("jotta %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, wantCode, r.stdout, r.stderr)
	}
	s := restoreSummary{Result: &restore.Result{}}
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("jotta %v: summary is not JSON: %v\nstdout:\n%s\nstderr:\n%s", args, err, r.stdout, r.stderr)
	}
	return s
}

// fakeClock is the emulator's clock in a test: a day is set before each pass.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// TestRestorePointInTime backs a folder up on three (fake) days with
// edits, deletions and renames in between, then restores it as of each
// day into an empty folder: every time the tree of that day comes back,
// contents and modification times, and nothing else.
func TestRestorePointInTime(t *testing.T) {
	e := newE2E(t)
	clock := &fakeClock{}
	e.emu.SetClock(clock.Now)
	local := filepath.Join(e.dir, "home")
	const remote = "/Laptop/Archive/home"
	write := func(rel, content string, mtime time.Time) {
		t.Helper()
		e2eWriteFiles(t, local, map[string][]byte{rel: []byte(content)})
		if err := os.Chtimes(filepath.Join(local, rel), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(rel string) {
		t.Helper()
		if err := os.RemoveAll(filepath.Join(local, rel)); err != nil {
			t.Fatal(err)
		}
	}
	rename := func(from, to string) {
		t.Helper()
		if err := os.Rename(filepath.Join(local, from), filepath.Join(local, to)); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Now().Add(-10 * 24 * time.Hour).UTC().Truncate(24 * time.Hour).Add(9 * time.Hour)
	days := []time.Time{base, base.Add(24 * time.Hour), base.Add(48 * time.Hour)}
	changes := []func(mt time.Time){
		func(mt time.Time) {
			write("a.txt", "a on day one", mt)
			write("b.txt", "b on day one", mt)
			write("docs/c.txt", "c on day one", mt)
			write("docs/d.txt", "d on day one", mt.Add(-time.Hour))
			write("old/e.txt", "e on day one", mt)
			write("keep/k.txt", "k on day one", mt)
			if err := os.MkdirAll(filepath.Join(local, "empty"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		func(mt time.Time) {
			write("a.txt", "a as edited on day two", mt)
			remove("b.txt")
			rename("docs/c.txt", "docs/c renamed.txt")
			remove("old")
			write("new.txt", "new on day two", mt)
		},
		func(mt time.Time) {
			write("a.txt", "a as edited again on day three", mt)
			rename("docs", "papers")
			remove("new.txt")
			write("keep/k.txt", "k changed on day three", mt)
		},
	}
	want := make([]map[string]string, len(days))
	for i, day := range days {
		clock.set(day)
		changes[i](day.Add(-30 * time.Minute))
		want[i] = restoreTreeOf(t, local)
		e.scan(t, 0, local, remote, "--prune-all", "--prune-limit", "-1")
	}
	for i, day := range days {
		t.Run(fmt.Sprintf("day %d", i+1), func(t *testing.T) {
			clock.set(days[len(days)-1].Add(time.Hour))
			out := filepath.Join(e.dir, fmt.Sprintf("restored-%d", i+1))
			at := day.Add(6 * time.Hour).Format(time.RFC3339)
			s := e.restore(t, 0, "--at", at, remote, out)
			if !s.Complete || len(s.Problems) > 0 {
				t.Errorf("summary %+v", s)
			}
			restoreSameTree(t, "restored tree as of "+at, restoreTreeOf(t, out), want[i])

			// ls --at shows what the restore brought back.
			ls := e.jotta(t, "ls", "--at", at, remote)
			listed := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(ls.stdout), "\n") {
				if name, ok := strings.CutSuffix(line, "/"); ok {
					listed[name] = "folder"
				} else if line != "" {
					listed[line] = want[i][line]
				}
			}
			restoreSameTree(t, "ls --at "+at, listed, want[i])
		})
	}
	t.Run("before the first backup", func(t *testing.T) {
		out := filepath.Join(e.dir, "restored-too-early")
		at := days[0].Add(-48 * time.Hour).Format(time.RFC3339)
		r := e.jotta(t, "restore", "--at", at, remote, out)
		first := days[0].Local().Format("2006-01-02")
		if r.code != 0 || !strings.Contains(r.stdout, "restored 0 files") ||
			!strings.Contains(r.stderr, "had been backed up by") || !strings.Contains(r.stderr, "try --at "+first) {
			t.Errorf("restore as of before the first backup: exit %d, want 0 and a note naming %s\nstdout:\n%s\nstderr:\n%s", r.code, first, r.stdout, r.stderr)
		}
		// (Empty folders carry no dates, so they show at any time.)
		ls := e.jotta(t, "ls", "--at", at, remote)
		files := strings.Count(ls.stdout, "\n") - strings.Count(ls.stdout, "/\n")
		if ls.code != 0 || files != 0 || !strings.Contains(ls.stderr, "try --at "+first) {
			t.Errorf("ls --at before the first backup: exit %d\nstdout:\n%s\nstderr:\n%s", ls.code, ls.stdout, ls.stderr)
		}
	})
	t.Run("versions", func(t *testing.T) {
		r := e.jotta(t, "ls", "--versions", remote+"/a.txt")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if r.code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[1], "3*") || !strings.Contains(lines[3], days[0].Format("2006-01-02 15:04:05")) {
			t.Errorf("ls --versions: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("latest", func(t *testing.T) {
		out := filepath.Join(e.dir, "restored-latest")
		e.restore(t, 0, remote, out)
		restoreSameTree(t, "latest restore", restoreTreeOf(t, out), want[len(want)-1])
	})
	t.Run("deleted", func(t *testing.T) {
		out := filepath.Join(e.dir, "restored-trash")
		s := e.restore(t, 0, "--deleted", remote, out)
		got := restoreTreeOf(t, out)
		for _, rel := range []string{"b.txt", "old/e.txt", "new.txt"} {
			if _, ok := got[rel]; !ok {
				t.Errorf("%s is not restored from the trash (got %v, summary %+v)", rel, got, s.Result)
			}
		}
		if _, ok := got["a.txt"]; ok {
			t.Error("a.txt is not in the trash but was restored")
		}
	})
}

// restoreHeldWriter passes the first limit bytes of a download through and
// then holds the response until release is closed.
type restoreHeldWriter struct {
	http.ResponseWriter
	limit   int64
	sent    int64
	release <-chan struct{}
	ctx     context.Context
	done    func()
}

func (w *restoreHeldWriter) served() { w.done() }

func (w *restoreHeldWriter) Write(p []byte) (int, error) {
	if w.sent+int64(len(p)) > w.limit {
		select {
		case <-w.release:
		case <-w.ctx.Done():
		}
	}
	n, err := w.ResponseWriter.Write(p)
	w.sent += int64(n)
	return n, err
}

// TestRestoreKilledResumes kills a restore of a 300 MiB file with SIGKILL
// in the middle of the download and runs it again: the second run fetches
// only the bytes the first did not write (counted by the server), the file
// is whole, and nothing is left behind.
func TestRestoreKilledResumes(t *testing.T) {
	e := newE2E(t)
	const (
		size   = 300 << 20
		remote = "/Jotta/Archive/big"
		held   = 120 << 20 // the server holds the download after this many bytes
	)
	mtime := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	// 1 MiB of random bytes, repeated with each copy numbered: cheap to
	// make, yet no two MiB alike.
	block := e2eRandom(11, 1<<20)
	data := make([]byte, size)
	for i := 0; i < size>>20; i++ {
		copy(data[i<<20:], block)
		binary.LittleEndian.PutUint64(data[i<<20:], uint64(i))
	}
	sum := md5.Sum(data)
	want := hex.EncodeToString(sum[:])
	if err := e.emu.PutFile(t.Context(), "/jfs/Jotta/Archive/big/movie.bin", data, mtime); err != nil {
		t.Fatal(err)
	}
	data = nil
	// Downloads opened, and a message per download the server is done with.
	var opened atomic.Int64
	served := make(chan struct{}, 64)
	release := make(chan struct{})
	wrap := func(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
		if r.URL.Query().Get("mode") != "bin" {
			return w
		}
		opened.Add(1)
		done := func() { served <- struct{}{} }
		return &restoreHeldWriter{ResponseWriter: w, limit: held, release: release, ctx: r.Context(), done: done}
	}
	e.front.Store(&wrap)

	out := filepath.Join(e.dir, "out")
	cmd := e.command(t, t.Context(), "restore", remote, out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Wait until the client has written nearly all it was sent, then kill it.
	partSize := func() int64 {
		matches, _ := filepath.Glob(filepath.Join(out, restore.TempDirName, "*.part"))
		var n int64
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil {
				n += st.Size()
			}
		}
		return n
	}
	deadline := time.Now().Add(2 * time.Minute)
	for partSize() < held-(16<<20) {
		select {
		case err := <-exited:
			t.Fatalf("restore ended before it could be killed: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("restore did not progress: %d bytes written", partSize())
		}
		time.Sleep(20 * time.Millisecond) // polling the file system, not synchronising the client
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	close(release)
	e.front.Store(nil) // the second run is served as usual
	for range opened.Load() {
		<-served
	}
	written := partSize()
	t.Logf("killed with %d of %d bytes written", written, size)
	if written <= 0 || written >= size {
		t.Fatalf("partial download holds %d bytes", written)
	}

	e.emu.ResetStats()
	s := e.restore(t, 0, remote, out)
	fetched := e.emu.Stats().DownloadBytes
	if s.Resumed != written || fetched != size-written || s.Bytes != fetched {
		t.Errorf("second run: reused %d, fetched %d (server counted %d); want %d reused and %d fetched",
			s.Resumed, s.Bytes, fetched, written, size-written)
	}
	got := restoreTreeOf(t, out)
	if w := fmt.Sprintf("%s %d", want, mtime.Unix()); got["movie.bin"] != w || len(got) != 1 {
		t.Errorf("restored %v, want movie.bin %s", got, w)
	}
}
