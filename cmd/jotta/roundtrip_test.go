package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// hostileTree is a folder of names that are hard to back up and bring
// back: percent sequences the service decodes twice, URL and servlet
// characters, spaces at the ends, 255-byte names, backslashes, Unicode
// form and case twins, emoji, control characters, bytes that are not
// UTF-8, characters Windows forbids, deep nesting, empty files and
// folders. notBackedUp are the names JottaCloud cannot hold so that they
// come back (each must be a listed problem).
func hostileTree() (files map[string][]byte, emptyDirs, notBackedUp []string) {
	nfc, nfd := norm.NFC.String("café.txt"), norm.NFD.String("café.txt")
	deep := strings.Repeat("level/", 30) + "bottom.txt"
	names := []string{
		// percent sequences
		"Report%20final.pdf", "Photos%202020/a.jpg", "Photos%202020/b%2Fc.jpg", "100%.txt", "%41%42%43",
		"%%", "%zz", "x%25y", "50\uFF05 off", "%E2%82%AC euro",
		// URL and servlet characters
		"a+b.txt", "c#d.txt", "what?.txt", "semi;colon.txt", "com,ma.txt", "all+#?;,&=$@.txt",
		"+", "#", "?", ";", ",", "plus+/inside+.txt", "hash#dir/x#y.txt",
		// spaces
		" lead.txt", "trail.txt ", "  both  ", "in the middle.txt", "dir with trailing space /f.txt",
		// 255 bytes
		strings.Repeat("a", 251) + ".txt",
		strings.Repeat("é", 127) + "x",
		strings.Repeat("日", 85),
		strings.Repeat("\U0001F600", 63) + "abc",
		// backslash and characters Windows forbids
		`back\slash.txt`, `\\`, `dir\name/f.txt`, "a:b.txt", "x*y", `q"uote`, "<>|",
		// Unicode forms
		nfc, nfd, norm.NFD.String("Ångström/ölfilm.txt"), "\u212B.txt", "\u1112\u1161\u11AB.txt",
		// emoji
		"\U0001F600.txt", "\U0001F468\u200D\U0001F469\u200D\U0001F467 family.txt", "\U0001F1F3\U0001F1F4 flag",
		// control characters and bytes that are not UTF-8
		"tab\there.txt", "new\nline.txt", "bell\a.txt", "del\x7f.txt", "\x01start", "bad\xff\xfe.txt",
		// look-alikes and the encoding's own quote
		"\u201Bquote", "\u201BFF", "\u2400nul picture", "lone\u201B",
		// dots
		"...", ".hidden", "trailing.", "dir.with.dots/f.g.h",
		deep,
		// case twins: byte order puts the upper-case one first
		"Report.txt", "report.txt",
	}
	files = map[string][]byte{}
	for i, n := range names {
		files[n] = []byte(fmt.Sprintf("content %d of %q\n", i, n))
	}
	files["empty.txt"] = nil
	files["empty dir sibling/zero"] = nil
	emptyDirs = []string{"empty-dir", "nested/empty/folder", "Photos%202020/empty %41"}
	notBackedUp = []string{
		"report.txt",                 // the server cannot hold both twins
		strings.Repeat("%", 100),     // 300 bytes once encoded
		strings.Repeat("\u0958", 85), // 850 bytes once encoded
	}
	for _, n := range notBackedUp[1:] {
		files[n] = []byte("too long on the server")
	}
	return files, emptyDirs, notBackedUp
}

// TestRoundTripHostileNames backs a tree of hostile names up with jotta
// scan, restores it into an empty folder and compares: every file the
// pass backed up comes back with its bytes, name and modification time;
// every other file is a listed problem of scan and of verify, which exits
// 1. A second scan reports every backed-up file unchanged and uploads
// nothing.
func TestRoundTripHostileNames(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and restores 200 MiB")
	}
	e := newE2E(t)
	src := filepath.Join(e.dir, "src")
	files, emptyDirs, notBackedUp := hostileTree()
	if n := len(files) + len(emptyDirs); n < 60 {
		t.Fatalf("only %d hostile items", n)
	}
	e2eWriteFiles(t, src, files)
	for _, d := range emptyDirs {
		if err := os.MkdirAll(filepath.Join(src, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const bigName = "big/200 MiB%20file.bin"
	writeBig(t, filepath.Join(src, filepath.FromSlash(bigName)), 200<<20)
	files[bigName] = nil // compared from disk
	// Whole seconds, different per file: the service keeps seconds.
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	i := 0
	for rel := range files {
		i++
		mt := base.Add(time.Duration(i) * time.Hour)
		if err := os.Chtimes(filepath.Join(src, filepath.FromSlash(rel)), mt, mt); err != nil {
			t.Fatal(err)
		}
	}

	const remote = "/Laptop/Archive/hostile"
	s := e.scan(t, exitPartial, src, remote)
	problems := e2eProblemPaths(s)
	for _, p := range notBackedUp {
		if _, ok := problems[p]; !ok {
			t.Errorf("%q is not backed up but scan did not list it; problems: %v", p, problems)
		}
	}
	if len(problems) != len(notBackedUp) {
		t.Errorf("scan listed %d problems, want %d: %v", len(problems), len(notBackedUp), problems)
	}
	backedUp := len(files) - len(notBackedUp)
	if got := int(s.Counters.FilesUploaded + s.Counters.FilesDeduplicated); got != backedUp {
		t.Errorf("scan uploaded %d files, want %d", got, backedUp)
	}

	// Nothing changed: every file is unchanged, and only those files.
	s2 := e.scan(t, exitPartial, src, remote)
	if s2.Counters.FilesUploaded != 0 || int(s2.Counters.FilesUnchanged) != backedUp || len(s2.Problems) != len(notBackedUp) {
		t.Errorf("second scan: counters %+v, %d problems; want 0 uploaded, %d unchanged, %d problems",
			s2.Counters, len(s2.Problems), backedUp, len(notBackedUp))
	}

	out := filepath.Join(e.dir, "restored")
	restored := restoreTree(t, e, remote, out)

	// Every backed-up file came back with its bytes and time; nothing else.
	skip := map[string]bool{}
	for _, p := range notBackedUp {
		skip[p] = true
	}
	for rel := range files {
		if skip[rel] {
			if _, err := os.Lstat(filepath.Join(restored, filepath.FromSlash(rel))); err == nil {
				t.Errorf("%q was not backed up but a restore made it", rel)
			}
			continue
		}
		compareFile(t, filepath.Join(src, filepath.FromSlash(rel)), filepath.Join(restored, filepath.FromSlash(rel)), rel)
	}
	for _, d := range emptyDirs {
		if fi, err := os.Stat(filepath.Join(restored, filepath.FromSlash(d))); err != nil || !fi.IsDir() {
			t.Errorf("empty folder %q did not come back: %v", d, err)
		}
	}
	var extra []string
	_ = filepath.WalkDir(restored, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(restored, p)
		if _, ok := files[filepath.ToSlash(rel)]; !ok {
			extra = append(extra, rel)
		}
		return nil
	})
	if len(extra) > 0 {
		t.Errorf("the restore made files the source does not have: %q", extra)
	}
	diffOnlyProblems(t, src, restored, notBackedUp)

	// verify agrees: every backed-up file matches, the others are listed
	// as not backed up, exit 1.
	r := e.jotta(t, "verify", src, remote)
	if r.code != exitPartial {
		t.Errorf("verify exit %d, want %d\n%s%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	for _, p := range notBackedUp {
		if !strings.Contains(r.stdout, "not backed up: "+p+": ") {
			t.Errorf("verify does not list %q as not backed up:\n%s", p, r.stdout)
		}
	}
	if want := fmt.Sprintf("%d match, 0 differ, 0 missing remotely, 0 unreadable, %d not backed up", backedUp, len(notBackedUp)); !strings.Contains(r.stdout, want) {
		t.Errorf("verify summary lacks %q:\n%s", want, r.stdout)
	}
}

// writeBig writes size bytes quickly: one random MiB repeated, each copy
// stamped with its index so no two MiB are alike.
func writeBig(t *testing.T, path string, size int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	block := e2eRandom(7, 1<<20)
	for i := 0; i < size>>20; i++ {
		copy(block, fmt.Sprintf("MiB %08d", i))
		if _, err := f.Write(block); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// compareFile checks that got has want's bytes (by md5 and size) and
// modification time.
func compareFile(t *testing.T, want, got, rel string) {
	t.Helper()
	wi, err := os.Stat(want)
	if err != nil {
		t.Fatal(err)
	}
	gi, err := os.Lstat(got)
	if err != nil {
		t.Errorf("%q did not come back: %v", rel, err)
		return
	}
	if !gi.Mode().IsRegular() || gi.Size() != wi.Size() {
		t.Errorf("%q came back as %v, %d bytes; want a file of %d bytes", rel, gi.Mode(), gi.Size(), wi.Size())
		return
	}
	_, a, err := verifyHashFile(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := verifyHashFile(context.Background(), got)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("%q came back with other bytes (md5 %s, want %s)", rel, b, a)
	}
	if !gi.ModTime().Equal(wi.ModTime()) {
		t.Errorf("%q came back with time %v, want %v", rel, gi.ModTime(), wi.ModTime())
	}
}

// diffOnlyProblems runs diff -r: the only differences may be the files
// that were not backed up, missing from the restore.
func diffOnlyProblems(t *testing.T, src, restored string, notBackedUp []string) {
	t.Helper()
	if _, err := exec.LookPath("diff"); err != nil {
		t.Log("no diff on this system; the file-by-file comparison stands")
		return
	}
	out, _ := exec.Command("diff", "-r", src, restored).CombinedOutput()
	want := map[string]bool{}
	for _, p := range notBackedUp {
		want[fmt.Sprintf("Only in %s: %s", src, p)] = true
	}
	var unexpected []string
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(line) > 0 && !want[string(line)] {
			unexpected = append(unexpected, string(line))
		}
	}
	sort.Strings(unexpected)
	if len(unexpected) > 0 {
		t.Errorf("diff -r %s %s shows more than the files not backed up:\n%s", src, restored, strings.Join(unexpected, "\n"))
	}
}

// restoreTree brings remote back into the empty folder out with jotta
// restore and returns the folder that holds its contents.
func restoreTree(t *testing.T, e *e2eEnv, remote, out string) string {
	t.Helper()
	r := e.jotta(t, "restore", remote, out)
	if r.code != 0 {
		t.Errorf("restore exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return out
}
