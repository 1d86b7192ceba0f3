//go:build unix

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// The acceptance tests of the backup engine, end to end: the jotta binary
// against the emulator over loopback.

// TestE2EInitialPassThenNothingThenOneFile: a generated tree reaches the
// server with the right md5s; a second pass sends and hashes nothing; a
// changed file is the only one sent again.
func TestE2EInitialPassThenNothingThenOneFile(t *testing.T) {
	e := newE2E(t)
	local := filepath.Join(e.dir, "tree")
	files := map[string][]byte{
		"top.txt":          []byte("top level"),
		"empty.dat":        {},
		"a/b/c/d/deep.txt": []byte("deep inside"),
		"a/b/empty-too":    {},
		"a/b/sibling.bin":  e2eRandom(1, 100_000),
		"unicode/" + norm.NFC.String("Ålesund café.txt"): []byte("nfc name"),
		"unicode/日本語/ファイル.txt":                           []byte("japanese"),
		"unicode/emoji 😀.txt":                            []byte("emoji"),
		"big/fifty.bin":                                  e2eRandom(2, 50<<20),
	}
	for i := range 30 {
		files[fmt.Sprintf("many/f%02d.txt", i)] = []byte(fmt.Sprintf("small file %d", i))
	}
	e2eWriteFiles(t, local, files)
	const remote = "/Laptop/Archive/tree"
	want := e2eMD5s(files)

	first := e.scan(t, 0, local, remote)
	if !first.Complete || len(first.Problems) != 0 {
		t.Fatalf("first pass: complete=%v problems=%v", first.Complete, first.Problems)
	}
	var total int64
	for _, d := range files {
		total += int64(len(d))
	}
	c := first.Counters
	if c.FilesSeen != int64(len(files)) || c.FilesUploaded+c.FilesDeduplicated != int64(len(files)) {
		t.Errorf("first pass counters %+v, want %d files seen and stored", c, len(files))
	}
	if c.BytesUploaded != total || c.BytesHashed != total {
		t.Errorf("first pass sent %d and hashed %d bytes, want %d", c.BytesUploaded, c.BytesHashed, total)
	}
	if len(first.Created) == 0 || first.Created[len(first.Created)-1] != remote {
		t.Errorf("created folders %v, want them to end with %s", first.Created, remote)
	}
	e2eSameFiles(t, e.remoteFiles(t, remote), want)
	if v := e.jotta(t, "verify", local, remote); v.code != 0 {
		t.Errorf("jotta verify after the first pass: exit %d\n%s\n%s", v.code, v.stdout, v.stderr)
	}

	before := e.emu.Stats().UploadBytes
	second := e.scan(t, 0, local, remote)
	c = second.Counters
	if c.BytesUploaded != 0 || c.BytesHashed != 0 || c.FilesHashed != 0 || c.FilesUploaded != 0 || c.FilesDeduplicated != 0 {
		t.Errorf("unchanged pass did work: %+v", c)
	}
	if c.FilesUnchanged != int64(len(files)) || c.ListRequests != 1 {
		t.Errorf("unchanged pass: %d unchanged, %d listings; want %d and 1", c.FilesUnchanged, c.ListRequests, len(files))
	}
	if got := e.emu.Stats().UploadBytes - before; got != 0 {
		t.Errorf("server received %d upload bytes during an unchanged pass", got)
	}

	changed := []byte("deep inside, edited")
	files["a/b/c/d/deep.txt"] = changed
	e2eWriteFiles(t, local, map[string][]byte{"a/b/c/d/deep.txt": changed})
	before = e.emu.Stats().UploadBytes
	third := e.scan(t, 0, local, remote)
	c = third.Counters
	if c.FilesUploaded != 1 || c.BytesUploaded != int64(len(changed)) || c.FilesHashed != 1 || c.BytesHashed != int64(len(changed)) {
		t.Errorf("after editing one file: %+v, want exactly it hashed and sent (%d bytes)", c, len(changed))
	}
	if got := e.emu.Stats().UploadBytes - before; got != int64(len(changed)) {
		t.Errorf("server received %d bytes, want %d", got, len(changed))
	}
	e2eSameFiles(t, e.remoteFiles(t, remote), e2eMD5s(files))
	if v := e.jotta(t, "verify", local, remote); v.code != 0 {
		t.Errorf("jotta verify after the edit: exit %d\n%s\n%s", v.code, v.stdout, v.stderr)
	}
	// verify must be able to fail: an edit not yet backed up is a difference.
	e2eWriteFiles(t, local, map[string][]byte{"top.txt": []byte("edited, not backed up")})
	if v := e.jotta(t, "verify", local, remote); v.code != exitPartial || !strings.Contains(v.stdout+v.stderr, "top.txt") {
		t.Errorf("jotta verify with an unsaved edit: exit %d, want 1 naming top.txt\n%s\n%s", v.code, v.stdout, v.stderr)
	}
}

// TestE2ERenamedFolderSendsNothing: renaming a folder of 20 files is a
// server-side move (or dedup at worst), never an upload of bytes.
func TestE2ERenamedFolderSendsNothing(t *testing.T) {
	e := newE2E(t)
	local := filepath.Join(e.dir, "docs")
	files := map[string][]byte{"keep.txt": []byte("stays")}
	for i := range 20 {
		files[fmt.Sprintf("reports/2024/r%02d.txt", i)] = e2eRandom(uint64(100+i), 10_000+i)
	}
	e2eWriteFiles(t, local, files)
	const remote = "/Laptop/Archive/docs"
	e.scan(t, 0, local, remote)

	if err := os.Rename(filepath.Join(local, "reports"), filepath.Join(local, "reports-old")); err != nil {
		t.Fatal(err)
	}
	moved := map[string][]byte{"keep.txt": files["keep.txt"]}
	for p, d := range files {
		if strings.HasPrefix(p, "reports/") {
			moved["reports-old/"+strings.TrimPrefix(p, "reports/")] = d
		}
	}
	before := e.emu.Stats().UploadBytes
	s := e.scan(t, 0, local, remote)
	if s.Counters.BytesUploaded != 0 || s.Counters.FilesUploaded != 0 {
		t.Errorf("rename sent %d bytes in %d files: %+v", s.Counters.BytesUploaded, s.Counters.FilesUploaded, s.Counters)
	}
	if got := e.emu.Stats().UploadBytes - before; got != 0 {
		t.Errorf("server received %d upload bytes for a rename", got)
	}
	if s.Counters.FoldersMoved+s.Counters.FilesMoved+s.Counters.FilesDeduplicated == 0 {
		t.Errorf("rename neither moved nor deduplicated anything: %+v", s.Counters)
	}
	e2eSameFiles(t, e.remoteFiles(t, remote), e2eMD5s(moved))
}

// TestE2EPruneSafety: an emptied or missing local root never empties the
// remote folder; a normal prune moves files to the trash.
func TestE2EPruneSafety(t *testing.T) {
	for _, tc := range []struct {
		name     string
		breakIt  func(t *testing.T, local string)
		wantCode int
		wantWhy  string // in the refusal (summary) or the error (stderr)
	}{
		{"emptied root", func(t *testing.T, local string) {
			entries, err := os.ReadDir(local)
			if err != nil {
				t.Fatal(err)
			}
			for _, en := range entries {
				if err := os.RemoveAll(filepath.Join(local, en.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}, 0, "empty"},
		{"removed root", func(t *testing.T, local string) {
			if err := os.RemoveAll(local); err != nil {
				t.Fatal(err)
			}
		}, exitUsage, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t)
			local := filepath.Join(e.dir, "photos")
			files := map[string][]byte{"a.jpg": []byte("a"), "b.jpg": []byte("b"), "sub/c.jpg": []byte("c")}
			e2eWriteFiles(t, local, files)
			const remote = "/Laptop/Archive/photos"
			e.scan(t, 0, local, remote)
			tc.breakIt(t, local)

			r := e.jotta(t, "scan", "--json", "--prune-all", "--prune-limit", "-1", local, remote)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, tc.wantWhy) {
				t.Errorf("output does not say why nothing was pruned (want %q):\n%s\n%s", tc.wantWhy, r.stdout, r.stderr)
			}
			e2eSameFiles(t, e.remoteFiles(t, remote), e2eMD5s(files))
			if e.trashed(t, remote+"/a.jpg") {
				t.Error("a.jpg was trashed")
			}
		})
	}

	t.Run("normal prune goes to the trash", func(t *testing.T) {
		e := newE2E(t)
		local := filepath.Join(e.dir, "notes")
		files := map[string][]byte{"keep.txt": []byte("keep"), "gone.txt": []byte("gone"), "old/x.txt": []byte("x")}
		e2eWriteFiles(t, local, files)
		const remote = "/Laptop/Archive/notes"
		e.scan(t, 0, local, remote)
		if err := os.Remove(filepath.Join(local, "gone.txt")); err != nil {
			t.Fatal(err)
		}
		dry := e.scan(t, 0, local, remote, "--prune-files", "--dry-run")
		if dry.Planned.TrashFiles != 1 || dry.Planned.TrashBytes != 4 || dry.Counters.FilesTrashed != 0 {
			t.Errorf("dry run planned %+v, counted %+v; want one 4-byte file to trash and nothing done", dry.Planned, dry.Counters)
		}
		if e.trashed(t, remote+"/gone.txt") {
			t.Fatal("the dry run trashed gone.txt")
		}
		noPrune := e.scan(t, 0, local, remote)
		if noPrune.Counters.FilesTrashed != 0 {
			t.Errorf("a pass without prune flags trashed %d files", noPrune.Counters.FilesTrashed)
		}
		s := e.scan(t, 0, local, remote, "--prune-files")
		if s.Counters.FilesTrashed != 1 {
			t.Errorf("trashed %d files, want 1 (%+v)", s.Counters.FilesTrashed, s.Counters)
		}
		if !e.trashed(t, remote+"/gone.txt") {
			t.Error("gone.txt is not in the trash (deleted for good, or still live)")
		}
		delete(files, "gone.txt")
		e2eSameFiles(t, e.remoteFiles(t, remote), e2eMD5s(files))
	})
}

// TestE2EAwkwardFiles: each kind of file the pass cannot or must not back
// up is reported (or left out as asked) while everything else is backed up.
func TestE2EAwkwardFiles(t *testing.T) {
	long := strings.Repeat("a", 250) + "\u0958" // 253 bytes here, 256 on the server (NFC decomposes U+0958)
	for _, tc := range []struct {
		name     string
		flags    []string
		setup    func(t *testing.T, local string) // after the ordinary files exist
		extra    map[string][]byte                // more files written first
		wantCode int
		backedUp map[string][]byte // besides ordinary.txt
		problems []string          // paths that must be reported
		skipped  []string          // paths listed as skipped by design
	}{
		{
			name:     "excludes",
			flags:    []string{"--exclude", "*.tmp", "--exclude", "cache/"},
			extra:    map[string][]byte{"x.tmp": []byte("t"), "cache/blob": []byte("c"), "src/y.tmp": []byte("t"), "src/keep.go": []byte("k")},
			backedUp: map[string][]byte{"src/keep.go": []byte("k")},
		},
		{
			name:     "hidden left out when asked",
			flags:    []string{"--hidden=false"},
			extra:    map[string][]byte{".secret": []byte("s"), ".config/app.ini": []byte("i"), "visible/.dot": []byte("d")},
			backedUp: map[string][]byte{},
		},
		{
			name:     "hidden backed up by default",
			extra:    map[string][]byte{".secret": []byte("s")},
			backedUp: map[string][]byte{".secret": []byte("s")},
		},
		{
			name:  "symlink loop",
			flags: []string{"--follow-symlinks"},
			extra: map[string][]byte{"dir/inside.txt": []byte("in")},
			setup: func(t *testing.T, local string) {
				if err := os.Symlink("..", filepath.Join(local, "dir", "loop")); err != nil {
					t.Fatal(err)
				}
			},
			backedUp: map[string][]byte{"dir/inside.txt": []byte("in")},
			skipped:  []string{"dir/loop"},
		},
		{
			name:  "symlink not followed",
			extra: map[string][]byte{"dir/inside.txt": []byte("in")},
			setup: func(t *testing.T, local string) {
				if err := os.Symlink("dir/inside.txt", filepath.Join(local, "link.txt")); err != nil {
					t.Fatal(err)
				}
			},
			backedUp: map[string][]byte{"dir/inside.txt": []byte("in")},
			skipped:  []string{"link.txt"},
		},
		{
			name: "fifo",
			setup: func(t *testing.T, local string) {
				e2eMkfifo(t, filepath.Join(local, "pipe"))
			},
			backedUp: map[string][]byte{},
			skipped:  []string{"pipe"},
		},
		{
			name:  "unreadable file",
			extra: map[string][]byte{"locked.txt": []byte("secret")},
			setup: func(t *testing.T, local string) {
				if os.Geteuid() == 0 {
					t.Skip("running as root: file permissions do not stop root from reading, so an unreadable file cannot be made")
				}
				if err := os.Chmod(filepath.Join(local, "locked.txt"), 0); err != nil {
					t.Fatal(err)
				}
			},
			wantCode: exitPartial,
			backedUp: map[string][]byte{},
			problems: []string{"locked.txt"},
		},
		{
			name:     "case-only twins",
			extra:    map[string][]byte{"Report.txt": []byte("upper"), "report.txt": []byte("lower")},
			wantCode: exitPartial,
			// One of the two is backed up; which one is not specified.
			backedUp: nil,
			problems: nil,
		},
		{
			name:     "256-byte name on the server",
			extra:    map[string][]byte{long: []byte("long name"), "short.txt": []byte("s")},
			wantCode: exitPartial,
			backedUp: map[string][]byte{"short.txt": []byte("s")},
			problems: []string{long},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t)
			local := filepath.Join(e.dir, "src")
			files := map[string][]byte{"ordinary.txt": []byte("always backed up")}
			for p, d := range tc.extra {
				files[p] = d
			}
			e2eWriteFiles(t, local, files)
			if tc.setup != nil {
				tc.setup(t, local)
			}
			const remote = "/Laptop/Archive/src"
			errFile := filepath.Join(e.dir, "errors.txt")
			s := e.scan(t, tc.wantCode, local, remote, append([]string{"--errorfile", errFile}, tc.flags...)...)
			got := e.remoteFiles(t, remote)
			errText, err := os.ReadFile(errFile)
			if err != nil {
				t.Fatalf("error file not written: %v", err)
			}
			if tc.name == "case-only twins" {
				if len(s.Problems) != 1 || !strings.Contains(s.Problems[0].Reason, "case") {
					t.Fatalf("problems %v, want one about names that differ only in case", s.Problems)
				}
				up, low := got["Report.txt"], got["report.txt"]
				if (up == "") == (low == "") || got["ordinary.txt"] == "" || len(got) != 2 {
					t.Fatalf("server has %v, want ordinary.txt and exactly one of the twins", got)
				}
				if !strings.Contains(string(errText), s.Problems[0].Path+"\t") {
					t.Errorf("error file %q does not list %s", errText, s.Problems[0].Path)
				}
				return
			}
			want := map[string][]byte{"ordinary.txt": files["ordinary.txt"]}
			for p, d := range tc.backedUp {
				want[p] = d
			}
			e2eSameFiles(t, got, e2eMD5s(want))
			reported := e2eProblemPaths(s)
			for _, p := range tc.problems {
				if reported[p] == "" {
					t.Errorf("%s not reported; problems: %v", p, s.Problems)
				}
				if !strings.Contains(string(errText), p+"\t") {
					t.Errorf("error file does not list %s:\n%s", p, errText)
				}
			}
			for _, p := range tc.skipped {
				found := false
				for _, k := range s.Skipped {
					found = found || k.Path == p
				}
				if !found {
					t.Errorf("%s not listed as skipped: %v", p, s.Skipped)
				}
			}
			if len(s.Problems) != len(tc.problems) {
				t.Errorf("problems %v, want exactly %v", s.Problems, tc.problems)
			}
			if len(tc.problems) == 0 && len(errText) != 0 {
				t.Errorf("error file should be empty, has:\n%s", errText)
			}
		})
	}
}

// TestE2EKilledUploadResumes: a scan killed with SIGKILL in the middle of
// a 50 MiB upload is finished by the next scan sending only the rest.
func TestE2EKilledUploadResumes(t *testing.T) {
	e := newE2E(t)
	local := filepath.Join(e.dir, "video")
	const size = 50 << 20
	files := map[string][]byte{"movie.bin": e2eRandom(7, size)}
	e2eWriteFiles(t, local, files)
	const remote = "/Laptop/Archive/video"

	// Sign in and create the folders first, so the killed run spends its
	// time on the upload alone.
	e2eWriteFiles(t, filepath.Join(e.dir, "warmup"), map[string][]byte{"w.txt": []byte("w")})
	e.scan(t, 0, filepath.Join(e.dir, "warmup"), "/Laptop/Archive/warmup")

	statsBase := e.emu.Stats().UploadBytes
	ctx := t.Context()
	cmd := e.command(t, ctx, "scan", "--bwlimit", "4MiB/s", local, remote)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	base := e.arrived.Load()
	deadline := time.Now().Add(2 * time.Minute)
	for e.arrived.Load()-base < 12<<20 {
		select {
		case err := <-exited:
			t.Fatalf("scan ended before it could be killed: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("upload did not progress: %d bytes", e.arrived.Load()-base)
		}
		time.Sleep(20 * time.Millisecond) // polling the server, not synchronising the engine
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	if arrived := e.arrived.Load() - base; arrived >= size {
		t.Fatalf("the whole file (%d bytes) arrived before the kill", arrived)
	}

	// The server notices the cut connection on its own time, so the
	// byte counts are compared once the second scan is over: the server
	// then has counted the killed request's bytes too.
	s := e.scan(t, 0, local, remote)
	total := e.emu.Stats().UploadBytes - statsBase
	second := s.Counters.BytesUploaded
	t.Logf("the server received %d bytes in all; the second scan sent %d of them", total, second)
	if total > size+(1<<20) {
		t.Errorf("the server received %d bytes for a %d-byte file: bytes were sent again", total, size)
	}
	if second >= size-(8<<20) || second <= 0 {
		t.Errorf("the second scan sent %d of %d bytes: want only the rest after the %d bytes sent before the kill", second, size, total-second)
	}
	if total < size {
		t.Errorf("the server received %d bytes, less than the file's %d", total, size)
	}
	e2eSameFiles(t, e.remoteFiles(t, remote), e2eMD5s(files))
}

func e2eMkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
}

// BenchmarkE2EUnchangedRescan: a pass over 100,000 files that are all on
// the server already, through the same wiring as 'jotta scan' (engine,
// app.Remote, jotta client) against the emulator over loopback. It
// reports the bytes hashed and the listing requests the server saw per
// pass (goals: 0 and 1).
func BenchmarkE2EUnchangedRescan(b *testing.B) {
	const dirs, perDir = 1000, 100
	e := newE2E(b)
	local := filepath.Join(e.dir, "tree")
	ctx := context.Background()
	mtime := time.Now().Add(-time.Hour)
	buf := make([]byte, 0, 64)
	for d := range dirs {
		rel := fmt.Sprintf("d%02d/s%03d", d/100, d)
		if err := os.MkdirAll(filepath.Join(local, rel), 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range perDir {
			buf = strconv.AppendInt(append(buf[:0], "content "...), int64(d*perDir+f), 10)
			name := rel + "/file" + strconv.Itoa(f) + ".txt"
			if err := os.WriteFile(filepath.Join(local, name), buf, 0o644); err != nil {
				b.Fatal(err)
			}
			// Seed the server directly: uploading 100,000 files over
			// HTTP is not what is measured.
			if err := e.emu.PutFile(ctx, "/Archive/bench/"+name, buf, mtime); err != nil {
				b.Fatal(err)
			}
		}
	}
	const remote = "/Jotta/Archive/bench"
	serverListings := func() int64 {
		r := e.emu.Stats().Requests
		return r[emulator.EndpointListStream] + r[emulator.EndpointJFSGet]
	}

	b.Run("engine", func(b *testing.B) {
		eng, err := syncer.New(e.remote, syncer.Options{StateDir: filepath.Join(e.dir, "state"), NoWatch: true})
		if err != nil {
			b.Fatal(err)
		}
		defer eng.Close()
		p := syncer.Pair{ID: scanPairID(local, remote), Local: local, Remote: remote}
		first, err := eng.RunPass(ctx, p, syncer.PassOptions{})
		if err != nil || first.Counters.BytesUploaded != 0 || first.Planned.Unchanged != dirs*perDir {
			b.Fatalf("initial pass: %v counters %+v planned %+v", err, first.Counters, first.Planned)
		}
		b.ResetTimer()
		var hashed, lists, server int64
		for b.Loop() {
			before := serverListings()
			res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			if err != nil {
				b.Fatal(err)
			}
			server += serverListings() - before
			hashed += res.Counters.BytesHashed
			lists += res.Counters.ListRequests
			if res.Counters.FilesSeen != dirs*perDir || res.Counters.BytesUploaded != 0 || res.Planned.Unchanged != dirs*perDir {
				b.Fatalf("unexpected work: %+v %+v", res.Counters, res.Planned)
			}
		}
		b.ReportMetric(float64(hashed)/float64(b.N), "bytes-hashed/op")
		b.ReportMetric(float64(lists)/float64(b.N), "list-requests/op")
		b.ReportMetric(float64(server)/float64(b.N), "server-listings/op")
	})

	// The whole command: process start, config, credentials, index open,
	// the pass and the summary.
	b.Run("jotta-scan", func(b *testing.B) {
		e.scan(b, 0, local, remote, "--no-progress")
		b.ResetTimer()
		var hashed, server int64
		for b.Loop() {
			before := serverListings()
			s := e.scan(b, 0, local, remote, "--no-progress")
			server += serverListings() - before
			hashed += s.Counters.BytesHashed
			if s.Counters.FilesSeen != dirs*perDir || s.Counters.BytesUploaded != 0 || s.Counters.FilesUnchanged != dirs*perDir {
				b.Fatalf("unexpected work: %+v", s.Counters)
			}
		}
		b.ReportMetric(float64(hashed)/float64(b.N), "bytes-hashed/op")
		b.ReportMetric(float64(server)/float64(b.N), "server-listings/op")
	})
}

// TestE2EInterruptedScan: SIGINT stops a scan with exit 1 and a message
// that says how to finish; the next scan completes the backup.
func TestE2EInterruptedScan(t *testing.T) {
	e := newE2E(t)
	local := filepath.Join(e.dir, "big")
	files := map[string][]byte{"a.bin": e2eRandom(9, 24<<20)}
	e2eWriteFiles(t, local, files)
	e.scan(t, 0, e2eWarm(t, e), "/Laptop/Archive/warm")
	const remote = "/Laptop/Archive/big"

	cmd := e.command(t, t.Context(), "scan", "--bwlimit", "2MiB/s", local, remote)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	base := e.arrived.Load()
	deadline := time.Now().Add(time.Minute)
	for e.arrived.Load()-base < 3<<20 {
		if time.Now().After(deadline) {
			t.Fatal("the upload did not start")
		}
		time.Sleep(20 * time.Millisecond) // polling the server
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	if code := cmd.ProcessState.ExitCode(); code != exitPartial || !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("after SIGINT: exit %d (%v), stderr %q; want 1 and 'interrupted'", code, err, errb.String())
	}
	e.scan(t, 0, local, remote)
	e2eSameFiles(t, e.remoteFiles(t, remote), e2eMD5s(files))
}
