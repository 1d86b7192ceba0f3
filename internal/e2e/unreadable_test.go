package e2e

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// envUnprivileged marks the copy of this test binary that runs as an
// unprivileged user: root can read every file, so permission problems
// only show without it.
const envUnprivileged = "E2E_UNPRIVILEGED"

// TestUnreadableItems backs up a folder, then makes a file and a folder
// unreadable: they are listed as problems with the system's reason, the
// rest is backed up, and nothing already on the server is trashed even
// with pruning on.
func TestUnreadableItems(t *testing.T) {
	if os.Geteuid() == 0 && os.Getenv(envUnprivileged) == "" {
		runUnprivileged(t, "TestUnreadableItems")
		return
	}
	e := newEnv(t, emulator.Options{})
	ctx := ctxFor(t)
	local := e.localDir("home")
	writeFile(t, local, "ok/a.txt", []byte("readable"))
	writeFile(t, local, "locked.txt", []byte("soon unreadable"))
	writeFile(t, local, "closed/inner.txt", []byte("inside a folder soon closed"))
	eng := e.engine(syncer.Options{})
	p := syncer.Pair{ID: "home", Local: local, Remote: "/Laptop/Backup/home", Prune: syncer.PruneAll}
	passUntilClean(t, ctx, eng, p, 1)

	writeFile(t, local, "ok/b.txt", []byte("new and readable"))
	writeFile(t, local, "closed/inner.txt", []byte("changed, then the folder closed"))
	writeFile(t, local, "locked-new.txt", []byte("never readable"))
	for _, rel := range []string{"locked.txt", "locked-new.txt", "closed"} {
		abs := filepath.Join(local, rel)
		if err := os.Chmod(abs, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(abs, 0o755) })
	}
	res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
	if err != nil {
		t.Fatalf("the pass stopped: %v", err)
	}
	want := map[string]string{"locked-new.txt": "permission denied", "closed": "permission denied"}
	for rel, word := range want {
		found := false
		for _, pr := range res.Problems {
			if pr.Path == rel {
				found = true
				if !strings.Contains(pr.Reason, word) {
					t.Errorf("problem for %s says %q; want it to mention %q", rel, pr.Reason, word)
				}
			}
		}
		if !found {
			t.Errorf("no problem listed for %s; problems:\n%s", rel, problemsText(res.Problems))
		}
	}
	// locked.txt is unchanged apart from its mode: a problem or quietly
	// kept, but never trashed.
	remote := e.remoteFiles(p.Remote)
	for _, rel := range []string{"ok/a.txt", "ok/b.txt", "locked.txt", "closed/inner.txt"} {
		if _, ok := remote[rel]; !ok {
			t.Errorf("%s is missing from the server after the pass", rel)
		}
	}
	if res.Counters.FilesTrashed != 0 || res.Counters.FoldersTrashed != 0 {
		t.Errorf("unreadable items were trashed: %+v", res.Counters)
	}
	if _, ok := remote["locked-new.txt"]; ok {
		t.Error("an unreadable file reached the server")
	}
}

// runUnprivileged reruns one test of this binary as the user nobody and
// fails t if it fails.
func runUnprivileged(t *testing.T, name string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary: %v", err)
	}
	// t.TempDir's parent is private to root; this one is reachable.
	dir, err := os.MkdirTemp("", "e2e-unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "e2e.test")
	if err := copyFile(self, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "-test.run=^"+name+"$", "-test.count=1", "-test.v")
	cmd.Dir = dir
	cmd.Env = []string{envUnprivileged + "=1", "TMPDIR=" + tmp, "HOME=" + tmp, "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	t.Logf("as user nobody:\n%s", out)
	if err != nil {
		t.Fatalf("the unprivileged run failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("the unprivileged run did not pass %s", name)
	}
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
