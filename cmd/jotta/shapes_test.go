package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"jottacloudclient/jotta/emulator"
)

// TestE2EEveryReplyShape backs a small tree up, lists it, verifies it,
// prunes one file and restores it, against the emulator in every
// variant of the real service's reply shapes: whatever the shape, the
// commands see the same tree and a second pass changes nothing.
func TestE2EEveryReplyShape(t *testing.T) {
	files := map[string][]byte{
		"a.txt":                []byte("alpha"),
		"B.txt":                []byte("bravo"),
		"sub/c.txt":            []byte("charlie"),
		"sub/Deep/d.bin":       acctRandom(7, 10_000),
		"only/inner/e.txt":     []byte("echo"),
		"z/ünïcødé & <x>.txt":  []byte("nfc"),
		"z/UPPER/lower/f.json": []byte(`{"f":1}`),
	}
	var plainTree []string
	for _, v := range emulator.ShapeVariants() {
		t.Run(v.Name, func(t *testing.T) {
			h := newAcctHome(t, emulator.Options{Shapes: v.Shapes})
			h.login()
			local := t.TempDir()
			acctWriteTree(t, local, files)
			if err := os.Mkdir(filepath.Join(local, "Empty"), 0o755); err != nil {
				t.Fatal(err)
			}
			const remote = "/Laptop/Docs"

			first := shapeScan(t, h, local, remote)
			if !first.Complete || first.Counters.FilesUploaded != int64(len(files)) {
				t.Fatalf("first pass: %+v", first)
			}
			// The second pass reads the tree back from the listing: a file
			// the client missed would be uploaded again, or trashed.
			again := shapeScan(t, h, local, remote, "--prune-all")
			if !again.Complete || again.Planned.Uploads != 0 || again.Planned.Trash != 0 || again.Planned.Mkdirs != 0 ||
				again.Counters.FilesUnchanged != int64(len(files)) {
				t.Errorf("second pass changed something: %+v", again)
			}

			tree := strings.Split(strings.TrimSpace(h.jotta(0, "ls", "-R", remote).stdout), "\n")
			slices.Sort(tree)
			for rel := range files {
				if !slices.Contains(tree, rel) {
					t.Errorf("ls -R lacks %s: %v", rel, tree)
				}
			}
			if plainTree == nil {
				plainTree = tree
			} else if strings.Join(tree, "\n") != strings.Join(plainTree, "\n") {
				var extra, missing []string
				for _, l := range tree {
					if !slices.Contains(plainTree, l) {
						extra = append(extra, l)
					}
				}
				for _, l := range plainTree {
					if !slices.Contains(tree, l) {
						missing = append(missing, l)
					}
				}
				t.Errorf("ls -R differs from the plain shape: extra %q, missing %q (%d and %d lines)", extra, missing, len(tree), len(plainTree))
			}
			if r := h.jotta(0, "verify", local, remote); !strings.Contains(r.stdout, "7 match") {
				t.Errorf("verify: %s", r)
			}

			// Pruning one deleted file trashes that file and nothing else.
			if err := os.Remove(filepath.Join(local, "sub", "c.txt")); err != nil {
				t.Fatal(err)
			}
			pruned := shapeScan(t, h, local, remote, "--prune-files")
			if pruned.Counters.FilesTrashed != 1 || pruned.Planned.Uploads != 0 {
				t.Errorf("prune pass: %+v", pruned)
			}

			out := t.TempDir()
			if r := h.jotta(0, "restore", remote, out); !strings.Contains(r.stdout, "of 6") {
				t.Errorf("restore: %s", r)
			}
			want := map[string][]byte{}
			for k, b := range files {
				if k != "sub/c.txt" {
					want[k] = b
				}
			}
			acctSameTree(t, acctReadTree(t, out), want)

			// The built-in device lists only places that can hold files.
			mps := h.jotta(0, "ls", "/Jotta").stdout
			if mps != "Archive/\nShared/\nSync/\n" {
				t.Errorf("ls /Jotta:\n%s", mps)
			}
		})
	}
}

// shapeScan runs one 'jotta scan --json' pass that must succeed.
func shapeScan(t *testing.T, h *acctHome, local, remote string, flags ...string) scanSummary {
	t.Helper()
	args := append(append([]string{"scan", "--json"}, flags...), local, remote)
	r := h.jotta(0, args...)
	var s scanSummary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("scan summary: %v\n%s", err, r)
	}
	return s
}
