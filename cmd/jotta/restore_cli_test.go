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

// TestRestoreFolderRoundTrips restores a seeded folder and compares it
// byte for byte, then checks that a changed local file is kept unless
// --overwrite is given; 'download' is the same command.
func TestRestoreFolderRoundTrips(t *testing.T) {
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

	r := h.jotta(0, "restore", "/Jotta/Archive/tree", out)
	if !strings.Contains(r.stdout, "restored 5 files") {
		t.Errorf("summary: %s", r)
	}
	acctSameTree(t, acctReadTree(t, out), files)
	if fi, err := os.Stat(filepath.Join(out, "a.txt")); err != nil || !fi.ModTime().Equal(mod) || fi.Mode().Perm() != 0o644 {
		t.Errorf("a.txt: %v (err %v), want modified %v and mode 0644", fi, err, mod)
	}

	// A changed local file is kept without --overwrite.
	mine := filepath.Join(out, "sub", "big.bin")
	if err := os.WriteFile(mine, []byte("my own edits"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = h.jotta(exitPartial, "download", "/Jotta/Archive/tree", out)
	if !strings.Contains(r.stdout, "4 files were already there") || !strings.Contains(r.stdout, "--overwrite") {
		t.Errorf("no count of identical files or no hint at --overwrite: %s", r)
	}
	if b, _ := os.ReadFile(mine); string(b) != "my own edits" {
		t.Fatalf("the local file was overwritten without --overwrite")
	}
	r = h.jotta(0, "restore", "--overwrite", "--no-backup", "/Jotta/Archive/tree", out)
	acctSameTree(t, acctReadTree(t, out), files)

	// A single file lands in the folder under its own name.
	one := t.TempDir()
	h.jotta(0, "restore", "/Jotta/Archive/tree/sub/deep/with space.x", one)
	acctSameTree(t, acctReadTree(t, one), map[string][]byte{"with space.x": files["sub/deep/with space.x"]})
}

// TestRestoreRejectsDamagedBytes checks that a cut or altered download is
// detected and never left under the file's name, and that a single cut is
// healed by resuming.
func TestRestoreRejectsDamagedBytes(t *testing.T) {
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
		}, exitPartial, "not restored: f.bin", 3},
		{"bytes altered", func(h *acctHome) { h.corruptDownloads.Store(true) }, exitPartial, "do not match", 1},
		{"one cut is resumed", func(h *acctHome) {
			h.emu.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointDownload, TruncateAfterBytes: 50_000, Times: 1})
		}, 0, "restored 1 file", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newAcctHome(t, emulator.Options{})
			h.put("Archive", map[string][]byte{"f.bin": data}, time.Now())
			h.login()
			tc.arrange(h)
			out := t.TempDir()
			r := h.jotta(tc.code, "restore", "/Jotta/Archive/f.bin", out)
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
			if _, ok := got["f.bin"]; ok {
				t.Errorf("a damaged f.bin was left under its name")
			}
		})
	}
}

// TestRestoreMakesFoldersKnownOnlyFromFiles restores a tree whose
// liststream names no folder on its own, only as the parent of its files.
func TestRestoreMakesFoldersKnownOnlyFromFiles(t *testing.T) {
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
	r := h.jotta(0, "restore", "/Jotta/Archive/tree", out)
	if !strings.Contains(r.stdout, "restored 3 files") {
		t.Errorf("summary: %s", r)
	}
	acctSameTree(t, acctReadTree(t, out), files)
}
