package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// TestAwkwardLocalFiles puts one awkward item next to an ordinary file:
// each ends as a backed-up file, an item skipped by design (listed with its
// reason, never a problem) or a listed problem with a reason, and the
// ordinary file is backed up all the same.
func TestAwkwardLocalFiles(t *testing.T) {
	long := strings.Repeat("x", 251) + ".txt" // 255 bytes, the most Linux and the server allow
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		// backedUp are relative paths that must reach the server with
		// their local content.
		backedUp []string
		// renamed maps a local relative path to the name it gets on the
		// server (see package names).
		renamed map[string]string
		// problems maps a relative path to a word its reason must contain.
		problems map[string]string
		// skipped maps a relative path to why it is left out by design.
		skipped map[string]syncer.SkipReason
	}{
		{
			name:     "zero-byte file",
			setup:    func(t *testing.T, dir string) { writeFile(t, dir, "empty.txt", nil) },
			backedUp: []string{"empty.txt"},
		},
		{
			name:     "name of 255 bytes",
			setup:    func(t *testing.T, dir string) { writeFile(t, dir, "long/"+long, []byte("long name")) },
			backedUp: []string{"long/" + long},
		},
		{
			// NFC would replace U+0958 by two characters, so it is stored
			// by its number (10 bytes): 850 bytes for a 255-byte name.
			name:     "name over 255 bytes once encoded for the server",
			setup:    func(t *testing.T, dir string) { writeFile(t, dir, strings.Repeat("\u0958", 85), []byte("qa")) },
			problems: map[string]string{strings.Repeat("\u0958", 85): "850 bytes"},
		},
		{
			// Bytes that are not UTF-8 are stored as ‛ and their hex value.
			name:     "invalid UTF-8 name",
			setup:    func(t *testing.T, dir string) { writeFile(t, dir, "bad\xff\xfename.txt", []byte("x")) },
			backedUp: []string{"bad\xff\xfename.txt"},
			renamed:  map[string]string{"bad\xff\xfename.txt": "bad\u201BFF\u201BFEname.txt"},
		},
		{
			name: "case-only twins",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "Report.txt", []byte("upper"))
				writeFile(t, dir, "report.txt", []byte("lower"))
			},
			backedUp: []string{"Report.txt"},
			problems: map[string]string{"report.txt": "case"},
		},
		{
			name: "Unicode-form twins",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "caf\u00e9.txt", []byte("nfc"))
				writeFile(t, dir, "cafe\u0301.txt", []byte("nfd"))
			},
			// Both are backed up with their own bytes; the NFD name keeps
			// its form on the server with a ‛ before the combining accent.
			backedUp: []string{"caf\u00e9.txt", "cafe\u0301.txt"},
			renamed:  map[string]string{"cafe\u0301.txt": "cafe\u201B\u0301.txt"},
		},
		{
			name: "symbolic link loop to a parent folder",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "tree/leaf.txt", []byte("leaf"))
				mustSymlink(t, "..", filepath.Join(dir, "tree", "up"))
			},
			backedUp: []string{"tree/leaf.txt"},
			skipped:  map[string]syncer.SkipReason{"tree/up": syncer.SkipSymlinkRepeat},
		},
		{
			name:    "symbolic link to itself",
			setup:   func(t *testing.T, dir string) { mustSymlink(t, "self", filepath.Join(dir, "self")) },
			skipped: map[string]syncer.SkipReason{"self": syncer.SkipSymlinkBroken},
		},
		{
			name: "symbolic link outside the folder",
			setup: func(t *testing.T, dir string) {
				mustSymlink(t, os.TempDir(), filepath.Join(dir, "escape"))
			},
			skipped: map[string]syncer.SkipReason{"escape": syncer.SkipSymlinkOutside},
		},
		{
			name: "named pipe",
			setup: func(t *testing.T, dir string) {
				if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
					t.Skipf("mkfifo: %v", err)
				}
			},
			skipped: map[string]syncer.SkipReason{"pipe": syncer.SkipSpecial},
		},
		{
			name: "unix socket",
			setup: func(t *testing.T, dir string) {
				fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
				if err != nil {
					t.Skipf("socket: %v", err)
				}
				defer syscall.Close(fd)
				if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: filepath.Join(dir, "sock")}); err != nil {
					t.Skipf("bind: %v", err)
				}
			},
			skipped: map[string]syncer.SkipReason{"sock": syncer.SkipSpecial},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			ctx := ctxFor(t)
			local := e.localDir("mixed")
			writeFile(t, local, "ordinary/plain.txt", []byte("an ordinary file"))
			tc.setup(t, local)
			eng := e.engine(syncer.Options{})
			p := syncer.Pair{ID: "mixed", Local: local, Remote: "/Laptop/Backup/mixed", FollowSymlinks: true, Prune: syncer.PruneAll}
			res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			if err != nil {
				t.Fatalf("the pass stopped: %v", err)
			}
			remote := e.remoteFiles(p.Remote)
			for _, rel := range append([]string{"ordinary/plain.txt"}, tc.backedUp...) {
				want := md5File(t, filepath.Join(local, filepath.FromSlash(rel)))
				rrel := rel
				if r, ok := tc.renamed[rel]; ok {
					rrel = r
				}
				if got, ok := remote[rrel]; !ok || got.MD5 != want {
					t.Errorf("%q not backed up (server: %+v, present %v)", rel, got, ok)
				}
			}
			for rel, word := range tc.problems {
				found := false
				for _, pr := range res.Problems {
					if pr.Path == rel {
						found = true
						if !strings.Contains(strings.ToLower(pr.Reason), strings.ToLower(word)) {
							t.Errorf("problem for %q says %q; want a reason mentioning %q", rel, pr.Reason, word)
						}
					}
				}
				if !found {
					t.Errorf("no problem listed for %q; problems:\n%s", rel, problemsText(res.Problems))
				}
			}
			for rel, why := range tc.skipped {
				found := false
				for _, s := range res.Skipped {
					if s.Path == rel {
						found = true
						if s.Reason != why {
							t.Errorf("%q skipped as %q, want %q", rel, s.Reason, why)
						}
					}
				}
				if !found {
					t.Errorf("%q not listed as skipped: %+v", rel, res.Skipped)
				}
			}
			if len(res.Problems) != len(tc.problems) {
				t.Errorf("%d problems, want %d:\n%s", len(res.Problems), len(tc.problems), problemsText(res.Problems))
			}
			if len(remote) != 1+len(tc.backedUp) {
				t.Errorf("server holds %d files, want %d: %v", len(remote), 1+len(tc.backedUp), keys(remote))
			}
			// A second pass is quiet: nothing is uploaded again or trashed.
			res2, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			if err != nil || res2.Counters.FilesUploaded != 0 || res2.Counters.FilesTrashed != 0 {
				t.Errorf("second pass: err=%v counters=%+v", err, res2.Counters)
			}
		})
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
