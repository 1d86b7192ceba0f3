package main

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

// acctRandom returns n deterministic pseudo-random bytes.
func acctRandom(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// acctReadTree returns every regular file below root: relative path →
// content, and fails on anything else that is not a folder.
func acctReadTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			t.Errorf("%s is not a regular file", p)
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func acctSameTree(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s is missing", k)
			continue
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs: %d bytes, want %d", k, len(g), len(w))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected file %s", k)
		}
	}
}

// TestDownloadFolderRoundTrips downloads a seeded folder and compares it
// byte for byte, then checks that existing files are kept unless
// --overwrite is given.
func TestDownloadFolderRoundTrips(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	files := map[string][]byte{
		"a.txt":                 []byte("hello\n"),
		"empty":                 {},
		"sub/big.bin":           acctRandom(1, 3<<20+17),
		"sub/deep/ünïcødé.txt":  []byte("nfc name"),
		"sub/deep/with space.x": acctRandom(2, 4096),
	}
	mod := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	h.put("Archive/tree", files, mod)
	h.login()
	out := t.TempDir()

	r := h.jotta(0, "download", "/Jotta/Archive/tree", out)
	if !strings.Contains(r.stdout, "downloaded 5 of 5") {
		t.Errorf("summary: %s", r)
	}
	acctSameTree(t, acctReadTree(t, filepath.Join(out, "tree")), files)
	if fi, err := os.Stat(filepath.Join(out, "tree", "a.txt")); err != nil || !fi.ModTime().Equal(mod) || fi.Mode().Perm() != 0o644 {
		t.Errorf("a.txt: %v (err %v), want modified %v and mode 0644", fi, err, mod)
	}

	// A changed local file is kept without --overwrite.
	mine := filepath.Join(out, "tree", "sub", "big.bin")
	if err := os.WriteFile(mine, []byte("my own edits"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = h.jotta(exitPartial, "download", "/Jotta/Archive/tree", out)
	if !strings.Contains(r.stderr, "use --overwrite") {
		t.Errorf("no hint at --overwrite: %s", r)
	}
	if b, _ := os.ReadFile(mine); string(b) != "my own edits" {
		t.Fatalf("the local file was overwritten without --overwrite")
	}
	h.jotta(0, "download", "--overwrite", "/Jotta/Archive/tree", out)
	acctSameTree(t, acctReadTree(t, filepath.Join(out, "tree")), files)

	// A whole mount point arrives under its name.
	whole := t.TempDir()
	h.jotta(0, "download", "/Jotta/Archive", whole)
	want := map[string][]byte{}
	for k, v := range files {
		want["tree/"+k] = v
	}
	acctSameTree(t, acctReadTree(t, filepath.Join(whole, "Archive")), want)

	// A single file lands in the folder under its own name.
	one := t.TempDir()
	h.jotta(0, "download", "/Jotta/Archive/tree/sub/deep/with space.x", one)
	acctSameTree(t, acctReadTree(t, one), map[string][]byte{"with space.x": files["sub/deep/with space.x"]})
}

// TestDownloadMakesFoldersKnownOnlyFromFiles downloads a tree whose
// listing names no folder on its own, only as the parent of its files.
func TestDownloadMakesFoldersKnownOnlyFromFiles(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	files := map[string][]byte{
		"top.txt":       []byte("top"),
		"a/b/c/deep.md": []byte("deep"),
		"a/side.txt":    []byte("side"),
	}
	h.put("Archive/tree", files, time.Now())
	h.login()
	h.implicitFolders.Store(true)
	out := t.TempDir()
	r := h.jotta(0, "download", "/Jotta/Archive/tree", out)
	if !strings.Contains(r.stdout, "downloaded 3 of 3") {
		t.Errorf("summary: %s", r)
	}
	acctSameTree(t, acctReadTree(t, filepath.Join(out, "tree")), files)
}

// TestDownloadRejectsDamagedBytes checks that a cut or altered download is
// detected and never left under the file's name, and that a single cut is
// healed by resuming.
func TestDownloadRejectsDamagedBytes(t *testing.T) {
	data := acctRandom(3, 200_000)
	for _, tc := range []struct {
		name    string
		arrange func(h *acctHome)
		code    int
		want    string
		gets    int64 // download requests the server saw
	}{
		{"every reply cut", func(h *acctHome) {
			h.emu.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointDownload, TruncateAfterBytes: 50_000})
		}, exitPartial, "connection broke", downloadAttempts},
		{"bytes altered", func(h *acctHome) { h.corruptDownloads.Store(true) }, exitPartial, "do not match", 1},
		{"one cut is resumed", func(h *acctHome) {
			h.emu.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointDownload, TruncateAfterBytes: 50_000, Times: 1})
		}, 0, "downloaded 1 of 1", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newAcctHome(t, emulator.Options{})
			h.put("Archive", map[string][]byte{"f.bin": data}, time.Now())
			h.login()
			tc.arrange(h)
			out := t.TempDir()
			r := h.jotta(tc.code, "download", "/Jotta/Archive/f.bin", out)
			if !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("output lacks %q: %s", tc.want, r)
			}
			if n := h.emu.Stats().Requests[emulator.EndpointDownload]; n != tc.gets {
				t.Errorf("the server saw %d download requests, want %d", n, tc.gets)
			}
			got := acctReadTree(t, out)
			if tc.code == 0 {
				acctSameTree(t, got, map[string][]byte{"f.bin": data})
				return
			}
			if len(got) != 0 {
				names := make([]string, 0, len(got))
				for k := range got {
					names = append(names, k)
				}
				t.Errorf("files left behind after a failed download: %v", names)
			}
		})
	}
}

func TestDownloadLocalPath(t *testing.T) {
	root := filepath.FromSlash("/tmp/out")
	for _, tc := range []struct {
		name, rel string
		ok        bool
	}{
		{"nested", "a/b/c.txt", true},
		{"dot dot", "a/../../etc/passwd", false},
		{"dot", "./a", false},
		// One name on the server: a name with backslashes on Unix, mapped
		// to look-alikes on Windows; never a way out of the root.
		{"backslash", `a\..\b`, true},
		{"encoded percent", "Photos\uFF052020/Report\uFF0520final.pdf", true},
		{"empty segment", "a//b", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := downloadLocalPath(root, tc.rel)
			if ok != tc.ok {
				t.Fatalf("downloadLocalPath(%q) ok = %v, want %v", tc.rel, ok, tc.ok)
			}
			if ok && !strings.HasPrefix(p, root+string(filepath.Separator)) {
				t.Errorf("%q escaped the root: %s", tc.rel, p)
			}
			if ok && strings.Count(p, string(filepath.Separator)) != strings.Count(root, string(filepath.Separator))+1+strings.Count(tc.rel, "/") {
				t.Errorf("%q became %s: a name was split", tc.rel, p)
			}
		})
	}
	if p, _ := downloadLocalPath(root, "Photos\uFF052020/Report\uFF0520final.pdf"); p != filepath.Join(root, "Photos%2020", "Report%20final.pdf") {
		t.Errorf("encoded names came back as %s", p)
	}
}

func TestDownloadPlaceNeverReplacesWithoutOverwrite(t *testing.T) {
	for _, tc := range []struct {
		name      string
		existing  bool
		overwrite bool
		wantErr   bool
		want      string
	}{
		{"free name", false, false, false, "new"},
		{"taken name", true, false, true, "old"},
		{"taken name, overwrite", true, true, false, "new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			final := filepath.Join(dir, "f")
			tmp := filepath.Join(dir, ".f.part")
			if tc.existing {
				if err := os.WriteFile(final, []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(tmp, []byte("new"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := downloadPlace(tmp, final, tc.overwrite)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if b, _ := os.ReadFile(final); string(b) != tc.want {
				t.Errorf("final holds %q, want %q", b, tc.want)
			}
			if !tc.wantErr {
				if _, err := os.Stat(tmp); !os.IsNotExist(err) {
					t.Errorf("the temporary file is still there (err %v)", err)
				}
			}
		})
	}
}
