package main

import (
	"context"
	"fmt"
	"jottacloudclient/syncer"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

// acctWriteTree creates files (relative path → content) below root.
func acctWriteTree(t *testing.T, root string, files map[string][]byte) {
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

// TestVerifyReportsDifferences checks the exit codes and the report: all
// matching is 0, an extra remote file is only information, one changed and
// one missing file are 1 and both are named.
func TestVerifyReportsDifferences(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	files := map[string][]byte{
		"a.txt":          []byte("alpha"),
		"sub/b.bin":      acctRandom(4, 100_000),
		"sub/deep/c.txt": []byte("gamma"),
		"Ünïcødé.txt":    []byte("nfc"),
	}
	local := t.TempDir()
	acctWriteTree(t, local, files)
	h.put("Archive/tree", files, time.Now())
	h.login()

	r := h.jotta(0, "verify", local, "/Jotta/Archive/tree")
	if !strings.Contains(r.stdout, "verified 4 local file(s)") || !strings.Contains(r.stdout, "4 match") {
		t.Errorf("all-match report: %s", r)
	}

	h.put("Archive/tree", map[string][]byte{"only-remote.txt": []byte("extra")}, time.Now())
	r = h.jotta(0, "verify", local, "/Jotta/Archive/tree")
	if !strings.Contains(r.stdout, "extra remotely: only-remote.txt") {
		t.Errorf("extra file not reported: %s", r)
	}

	acctWriteTree(t, local, map[string][]byte{"sub/deep/c.txt": []byte("GAMMA"), "new.txt": []byte("fresh")})
	r = h.jotta(exitPartial, "verify", local, "/Jotta/Archive/tree")
	for _, want := range []string{"differs: sub/deep/c.txt", "missing remotely: new.txt", "1 differ, 1 missing remotely"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q: %s", want, r)
		}
	}
	if strings.Contains(r.stdout, "differs: a.txt") || strings.Contains(r.stdout, "missing remotely: a.txt") {
		t.Errorf("an unchanged file was reported: %s", r)
	}

	// Excluding the two differences makes the folders match again.
	h.jotta(0, "verify", "--exclude", "new.txt", "--exclude", "deep/", local, "/Jotta/Archive/tree")

	r = h.jotta(exitPartial, "verify", local, "/Jotta/Archive/not-there")
	if !strings.Contains(r.stdout, "does not exist") || !strings.Contains(r.stdout, "5 missing remotely") {
		t.Errorf("missing remote folder: %s", r)
	}
}

// TestVerifyFailsForWhatScanCannotBackUp: a case twin that scan reports as
// not backed up makes verify exit 1 and say why, next to files that match;
// a file stored under another case is not a match either.
func TestVerifyFailsForWhatScanCannotBackUp(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	remote := map[string][]byte{"Report.txt": []byte("upper"), "notes.txt": []byte("n")}
	local := t.TempDir()
	acctWriteTree(t, local, map[string][]byte{"Report.txt": []byte("upper"), "report.txt": []byte("lower"), "Notes.txt": []byte("n")})
	h.put("Archive/twins", remote, time.Now())
	h.login()

	r := h.jotta(exitPartial, "verify", local, "/Jotta/Archive/twins")
	for _, want := range []string{"not backed up: report.txt: ", "upper and lower case", `differs: Notes.txt (stored as "notes.txt"`, "1 match", "1 not backed up"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q: %s", want, r)
		}
	}
}

func TestVerifyUsageErrors(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	h.login()
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one argument", []string{"verify", t.TempDir()}, "two arguments"},
		{"missing local folder", []string{"verify", filepath.Join(t.TempDir(), "nope"), "/Jotta/Archive"}, "does not exist"},
		{"local file", []string{"verify", file, "/Jotta/Archive"}, "is a file"},
		{"remote without mount point", []string{"verify", t.TempDir(), "/Jotta"}, "/device/mountpoint"},
		{"relative remote", []string{"verify", t.TempDir(), "Jotta/Archive"}, "/device/mountpoint"},
		{"empty exclude", []string{"verify", "--exclude", " ", t.TempDir(), "/Jotta/Archive"}, "--exclude needs a pattern"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.jotta(exitUsage, tc.args...)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q: %s", tc.want, r.stderr)
			}
		})
	}
}

// TestVerifyWalkSelectsLikeScan checks which local files verify compares:
// the same selection rules as a backup pass.
func TestVerifyWalkSelectsLikeScan(t *testing.T) {
	root := t.TempDir()
	acctWriteTree(t, root, map[string][]byte{
		"keep.txt":            nil,
		"skip.tmp":            nil,
		".hidden":             nil,
		".dotdir/x":           nil,
		"cache/y":             nil,
		"sub/.jottaignore":    []byte("# comment\n*.log\n"),
		"sub/a.log":           nil,
		"sub/a.txt":           nil,
		"other/a.log":         nil,
		"sub/inner/b.log":     nil,
		"sub/inner/keep.json": nil,
	})
	if err := os.Symlink(filepath.Join(root, "keep.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	all := []string{".dotdir/x", ".hidden", "cache/y", "keep.txt", "other/a.log", "skip.tmp",
		"sub/.jottaignore", "sub/a.txt", "sub/inner/keep.json"}
	for _, tc := range []struct {
		name     string
		excludes []string
		hidden   bool
		follow   bool
		want     []string
	}{
		{"defaults", nil, true, false, all},
		{"no hidden", nil, false, false, []string{"cache/y", "keep.txt", "other/a.log", "skip.tmp", "sub/a.txt", "sub/inner/keep.json"}},
		{"excludes", []string{"*.tmp", "cache/"}, true, false, []string{".dotdir/x", ".hidden", "keep.txt", "other/a.log",
			"sub/.jottaignore", "sub/a.txt", "sub/inner/keep.json"}},
		{"negation", []string{"*.txt", "!keep.txt"}, true, false, []string{".dotdir/x", ".hidden", "cache/y", "keep.txt", "other/a.log",
			"skip.tmp", "sub/.jottaignore", "sub/inner/keep.json"}},
		{"follow symlinks", nil, true, true, append(append([]string(nil), all...), "link.txt")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pair := syncer.Pair{ID: "verify", Local: root, Remote: "/Laptop/Backup",
				Excludes: tc.excludes, SkipHidden: !tc.hidden, FollowSymlinks: tc.follow}
			files, _, err := syncer.Select(context.Background(), pair, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, f.Rel)
			}
			sort.Strings(got)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("selected\n  %v\nwant\n  %v", got, want)
			}
		})
	}
}

func TestVerifyCompare(t *testing.T) {
	local := []*verifyLocal{
		{rel: "same.txt", remote: "same.txt", size: 3, md5: "aaa"},
		{rel: "Case.TXT", remote: "Case.TXT", size: 1, md5: "bbb"},
		{rel: "size.txt", remote: "size.txt", size: 4, md5: "ccc"},
		{rel: "md5.txt", remote: "md5.txt", size: 5, md5: "ddd"},
		{rel: "new.txt", remote: "new.txt", size: 1, md5: "eee"},
		{rel: "locked.txt", remote: "locked.txt", err: os.ErrPermission},
	}
	remote := map[string]*verifyRemote{}
	for _, r := range []verifyRemote{
		{rel: "same.txt", size: 3, md5: "aaa"},
		{rel: "case.txt", size: 1, md5: "bbb"},
		{rel: "size.txt", size: 5, md5: "ccc"},
		{rel: "md5.txt", size: 5, md5: "fff"},
		{rel: "old.txt", size: 1, md5: "ggg"},
	} {
		remote[strings.ToLower(r.rel)] = &r
	}
	rep := verifyCompare(local, remote)
	check := func(name string, got []string, want ...string) {
		t.Helper()
		var short []string
		for _, g := range got {
			short = append(short, strings.SplitN(g, " ", 2)[0])
		}
		if strings.Join(short, ",") != strings.Join(want, ",") {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("missing", rep.Missing, "new.txt")
	// Stored under another case, a file would come back under that name.
	check("differ", rep.Differ, "Case.TXT", "md5.txt", "size.txt")
	check("extra", rep.Extra, "old.txt")
	check("unreadable", rep.Unreadable, "locked.txt")
	if rep.Matched != 1 || rep.Files != 5 || !rep.failed() {
		t.Errorf("matched %d of %d (failed %v), want 1 of 5 and a failure", rep.Matched, rep.Files, rep.failed())
	}
}

// TestVerifySelectsWhatScanBacksUp backs a tricky tree up with jotta scan
// and verifies it with the same flags: verify must find every file scan
// sent and nothing else, so its selection matches the engine's.
func TestVerifySelectsWhatScanBacksUp(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	h.login()
	local := t.TempDir()
	acctWriteTree(t, local, map[string][]byte{
		"keep.txt":              []byte("k"),
		"skip.tmp":              []byte("t"),
		".hidden":               []byte("h"),
		".dotdir/x":             []byte("x"),
		"cache/y":               []byte("y"),
		"sub/.jottaignore":      []byte("*.log\n!important.log\n"),
		"sub/a.log":             []byte("a"),
		"sub/important.log":     []byte("i"),
		"sub/inner/b.log":       []byte("b"),
		"other/a.log":           []byte("o"),
		"Cafe\u0301/nfd.txt":    []byte("nfd folder name"),
		"with space/and+plus.x": []byte("p"),
	})
	if err := os.Symlink(filepath.Join(local, "keep.txt"), filepath.Join(local, "link.txt")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		flags []string
	}{
		{"defaults", nil},
		{"no hidden, excludes", []string{"--hidden=false", "--exclude", "*.tmp", "--exclude", "cache/"}},
		{"follow symlinks", []string{"--follow-symlinks"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			remote := "/Laptop/Archive/" + strings.ReplaceAll(tc.name, " ", "-")
			h.jotta(0, append(append([]string{"scan"}, tc.flags...), local, remote)...)
			r := h.jotta(0, append(append([]string{"verify"}, tc.flags...), local, remote)...)
			if !strings.Contains(r.stdout, "0 differ, 0 missing remotely, 0 unreadable, 0 not backed up; 0 extra remotely") {
				t.Errorf("verify disagrees with scan's selection: %s", r)
			}
			if strings.Contains(r.stdout, "verified 0 ") {
				t.Errorf("nothing was compared: %s", r)
			}
		})
	}
}

// BenchmarkVerifyHash measures verify's local re-hash of 32 MiB in 64 files.
func BenchmarkVerifyHash(b *testing.B) {
	root := b.TempDir()
	var paths []string
	for i := range 64 {
		p := filepath.Join(root, fmt.Sprintf("f%02d", i))
		if err := os.WriteFile(p, acctRandom(uint64(i), 512<<10), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	b.SetBytes(64 * 512 << 10)
	for b.Loop() {
		files := make([]*verifyLocal, len(paths))
		for i, p := range paths {
			files[i] = &verifyLocal{abs: p}
		}
		if err := verifyHash(context.Background(), files); err != nil {
			b.Fatal(err)
		}
		if files[0].md5 == "" {
			b.Fatal("no hash")
		}
	}
}
