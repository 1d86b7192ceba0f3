//go:build unix

package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/text/unicode/norm"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

func TestWalkRulesAndProblems(t *testing.T) {
	local := t.TempDir()
	nfc := norm.NFC.String("café.txt")
	nfd := norm.NFD.String("café.txt")
	// 255 bytes here, but NFC would replace U+0958 by two characters, so
	// each one is stored by its number, 10 bytes: 850 on the server.
	long := strings.Repeat("\u0958", 85)
	files := map[string]string{
		"keep.txt":               "kept",
		"scratch.tmp":            "global exclude",
		"build/out.o":            "pair exclude",
		"src/main.go":            "kept",
		"src/secret.txt":         ".jottaignore",
		"src/.jottaignore":       "secret.txt\n# comment\n\n",
		"src/deeper/secret.txt":  "also matched by the nested pattern",
		"src/deeper/visible.txt": "kept",
		".hidden":                "hidden",
		".config/app.ini":        "hidden folder",
		"Twin.txt":               "upper",
		"twin.txt":               "lower",
		"unicode/" + nfc:         "nfc",
		"unicode/" + nfd:         "nfd",
		long:                     "too long",
		"loop/inside.txt":        "kept",
		"unreadable.txt":         "no access",
	}
	for p, d := range files {
		writeFile(t, local, p, []byte(d))
	}
	if err := os.Symlink("..", filepath.Join(local, "loop", "parent")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("keep.txt", filepath.Join(local, "link-to-keep.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/hostname", filepath.Join(local, "outside")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(local, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Root reads files whatever their mode; the open seam makes the same
	// failure the kernel would give an ordinary user.
	unreadable := filepath.Join(local, "unreadable.txt")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(unreadable, 0o644) })

	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{GlobalExcludes: []string{"*.tmp"}})
	if os.Geteuid() == 0 {
		syncer.SetOpenFile(e, func(p string) (*os.File, error) {
			if p == unreadable {
				return nil, &os.PathError{Op: "open", Path: p, Err: syscall.EACCES}
			}
			return os.Open(p)
		})
	}
	p := pairFor(local)
	p.Excludes = []string{"build/"}
	p.SkipHidden = true
	p.FollowSymlinks = true
	res := pass(t, e, p, syncer.PassOptions{})

	assertProblem(t, res, "twin.txt", "differ only in upper and lower case")
	assertProblem(t, res, long, "850 bytes there (255 here)")
	assertSkipped(t, res, "pipe", syncer.SkipSpecial)
	assertSkipped(t, res, "loop/parent", syncer.SkipSymlinkRepeat)
	assertSkipped(t, res, "outside", syncer.SkipSymlinkOutside)
	assertSkipped(t, res, "build", syncer.SkipExcluded)
	assertSkipped(t, res, "src/.jottaignore", syncer.SkipHidden)
	if len(res.Problems) != 3 {
		t.Errorf("%d problems, want the 3 that need the user: %+v", len(res.Problems), res.Problems)
	}
	if res.Skipped[0].Text() == "" || syncer.SkipCounts(res.Skipped)[syncer.SkipSpecial] != 1 {
		t.Errorf("skip counts %v", syncer.SkipCounts(res.Skipped))
	}
	assertProblem(t, res, "unreadable.txt", "permission denied")

	got := remoteFiles(t, mem)
	// NFC and NFD twins are both backed up, the NFD one under a name that
	// keeps its form.
	nfdRemote := "unicode/cafe\u201B\u0301.txt"
	want := []string{"keep.txt", "src/main.go", "src/deeper/visible.txt", "Twin.txt", "unicode/" + nfc, nfdRemote, "loop/inside.txt", "link-to-keep.txt"}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("%s not backed up; remote has %v", w, got)
		}
	}
	if _, ok := got["src/.jottaignore"]; ok {
		t.Error("the exclude file starts with a dot and hidden files are skipped")
	}
	if len(got) != len(want) {
		t.Errorf("remote holds %d files, want %d: %v", len(got), len(want), got)
	}
	if got["unicode/"+nfc] != md5hex([]byte("nfc")) || got[nfdRemote] != md5hex([]byte("nfd")) {
		t.Error("each Unicode twin should be stored with its own bytes under its own name")
	}
	if got["Twin.txt"] != md5hex([]byte("upper")) {
		t.Error("the first twin in byte order should be the one backed up")
	}
}

func TestUnreadableFileAsOrdinaryUser(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission bits do not stop reads (TestWalkRulesAndProblems covers the case through the open seam)")
	}
	local := t.TempDir()
	writeFile(t, local, "ok.txt", []byte("ok"))
	writeFile(t, local, "locked.txt", []byte("locked"))
	locked := filepath.Join(local, "locked.txt")
	os.Chmod(locked, 0)
	t.Cleanup(func() { os.Chmod(locked, 0o644) })
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	res := pass(t, e, pairFor(local), syncer.PassOptions{})
	assertProblem(t, res, "locked.txt", "permission denied")
	if _, ok := remoteFiles(t, mem)["ok.txt"]; !ok {
		t.Error("readable file not backed up")
	}
}

func TestUnreadableFolderAsOrdinaryUser(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission bits do not stop reading a folder")
	}
	local := t.TempDir()
	writeFile(t, local, "ok.txt", []byte("ok"))
	writeFile(t, local, "locked/inner.txt", []byte("inner"))
	locked := filepath.Join(local, "locked")
	os.Chmod(locked, 0)
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	p.Prune = syncer.PruneAll
	res := pass(t, e, p, syncer.PassOptions{})
	assertProblem(t, res, "locked", "cannot read folder")
	if _, ok := remoteFiles(t, mem)["ok.txt"]; !ok {
		t.Error("readable file not backed up")
	}
}

func TestExcludedAndSkippedCopiesAreNeverPruned(t *testing.T) {
	local := t.TempDir()
	for _, f := range []string{"a.txt", "b.log", "c.txt", "d.txt", "e.txt"} {
		writeFile(t, local, f, []byte(f))
	}
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	p.Prune = syncer.PruneAll
	pass(t, e, p, syncer.PassOptions{})
	// b.log still exists locally but is now excluded; a.txt became a pipe.
	p.Excludes = []string{"*.log"}
	os.Remove(filepath.Join(local, "a.txt"))
	if err := syscall.Mkfifo(filepath.Join(local, "a.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := pass(t, e, p, syncer.PassOptions{})
	assertSkipped(t, res, "a.txt", syncer.SkipSpecial)
	assertSkipped(t, res, "b.log", syncer.SkipExcluded)
	if res.Counters.FilesTrashed != 0 {
		t.Errorf("trashed %d files that still exist locally", res.Counters.FilesTrashed)
	}
	if got := remoteFiles(t, mem); len(got) != 5 {
		t.Errorf("remote holds %v, want all five", got)
	}
}

func TestMissingRootIsErrSourceMissing(t *testing.T) {
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	_, err := e.RunPass(t.Context(), pairFor(filepath.Join(t.TempDir(), "gone")), syncer.PassOptions{})
	if !errors.Is(err, syncer.ErrSourceMissing) {
		t.Fatalf("err = %v", err)
	}
}

// vanishingRemote moves the local folder away while the pass lists the
// remote one, as an unplugged drive would.
type vanishingRemote struct {
	*syncertest.MemRemote
	local string
}

func (v *vanishingRemote) List(ctx context.Context, root string, fn func(syncer.Entry) error) error {
	if err := os.Rename(v.local, v.local+".away"); err != nil {
		return err
	}
	return v.MemRemote.List(ctx, root, fn)
}

// TestRootVanishingDuringThePassIsErrSourceMissing: a folder that goes
// away after the pass started is "missing", whatever step notices it, so
// the user reads that the folder is not available rather than a system
// call's error.
func TestRootVanishingDuringThePassIsErrSourceMissing(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "a.txt", []byte("a"))
	e := newEngine(t, &vanishingRemote{MemRemote: syncertest.NewMemRemote(), local: local}, syncer.Options{})
	_, err := e.RunPass(t.Context(), pairFor(local), syncer.PassOptions{})
	if !errors.Is(err, syncer.ErrSourceMissing) {
		t.Fatalf("err = %v, want ErrSourceMissing", err)
	}
}

// TestFolderDeletedDuringTheWalk: a folder deleted while the pass is on
// its way to it (the walk streams alongside hashing) is neither a problem
// nor pruned in that pass; the next pass trashes its remote copy as the
// pair allows.
func TestFolderDeletedDuringTheWalk(t *testing.T) {
	local := t.TempDir()
	for i := range 5 {
		writeFile(t, local, fmt.Sprintf("a/f%d.txt", i), []byte(strings.Repeat("a", i+1)))
		writeFile(t, local, fmt.Sprintf("z/f%d.txt", i), []byte(strings.Repeat("z", i+1)))
	}
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{Hashers: 1})
	p := pairFor(local)
	p.Prune, p.PruneLimit = syncer.PruneAll, -1
	pass(t, e, p, syncer.PassOptions{})
	for i := range 5 { // hashed again next pass
		writeFile(t, local, fmt.Sprintf("a/f%d.txt", i), []byte(strings.Repeat("b", i+1)))
	}
	var once sync.Once
	syncer.SetAfterFirstRead(e, func(rel string) {
		once.Do(func() { os.RemoveAll(filepath.Join(local, "z")) })
	})
	res, err := e.RunPass(t.Context(), p, syncer.PassOptions{})
	if err != nil || len(res.Problems) != 0 || res.Counters.FilesTrashed+res.Counters.FoldersTrashed != 0 {
		t.Fatalf("pass during the delete: err %v, problems %v, counters %+v; want no problem and nothing trashed", err, res.Problems, res.Counters)
	}
	syncer.SetAfterFirstRead(e, nil)
	res = pass(t, e, p, syncer.PassOptions{})
	if res.Counters.FoldersTrashed+res.Counters.FilesTrashed == 0 {
		t.Errorf("the next pass left the deleted folder on the server: %+v", res.Counters)
	}
}
