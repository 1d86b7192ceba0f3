package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

// TestLsAgainstTheEmulator lists devices, mount points, folders, trees and
// the trash of a seeded account.
func TestLsAgainstTheEmulator(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	mod := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	h.put("Archive/photos", map[string][]byte{
		"a.txt":         []byte("hello\n"),
		"sub/b.txt":     []byte("bee"),
		"sub/deep/c.md": []byte("# c"),
		"gone.txt":      []byte("bye"),
	}, mod)
	if err := h.client().TrashFile(context.Background(), "/Jotta/Archive/photos/gone.txt"); err != nil {
		t.Fatal(err)
	}
	h.login()
	for _, tc := range []struct {
		name  string
		args  []string
		lines []string // exact output lines, in order
	}{
		{"devices", []string{"ls"}, []string{"Jotta/"}},
		{"mount points", []string{"ls", "/Jotta"}, []string{"Archive/", "Shared/", "Sync/"}},
		{"folder", []string{"ls", "/Jotta/Archive/photos"}, []string{"sub/", "a.txt"}},
		{"file", []string{"ls", "/Jotta/Archive/photos/a.txt"}, []string{"a.txt"}},
		{"long", []string{"ls", "-l", "/Jotta/Archive/photos"}, []string{
			"           -  -                                 -                    sub/",
			"           6  b1946ac92492d2347c6235b4d2611184  2025-03-04 05:06:07  a.txt",
		}},
		{"recursive", []string{"ls", "-R", "/Jotta/Archive/photos"}, []string{
			"a.txt", "sub/", "sub/b.txt", "sub/deep/", "sub/deep/c.md",
		}},
		{"recursive from a device", []string{"ls", "-R", "/Jotta"}, []string{
			"Archive/", "Archive/photos/", "Archive/photos/a.txt", "Archive/photos/sub/", "Archive/photos/sub/b.txt",
			"Archive/photos/sub/deep/", "Archive/photos/sub/deep/c.md", "Shared/", "Sync/",
		}},
		{"trash", []string{"ls", "--trash"}, []string{"gone.txt  (from /Jotta/Archive/photos)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.jotta(0, tc.args...)
			got := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
			if strings.Join(got, "\n") != strings.Join(tc.lines, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.lines, "\n"))
			}
		})
	}
	// The built-in device's Sync and Shared come with a word of warning.
	r := h.jotta(0, "ls", "/Jotta")
	for _, want := range []string{"note: /Jotta/Sync: Sync is JottaCloud's sync folder", "note: /Jotta/Shared: Shared holds folders shared with other people"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.stderr)
		}
	}
}

func TestLsErrors(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	h.login()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing folder", []string{"ls", "/Jotta/Archive/nope"}, exitUsage, "does not exist"},
		{"missing device", []string{"ls", "/NoSuchDevice"}, exitUsage, "does not exist"},
		{"trash with a path", []string{"ls", "--trash", "/Jotta"}, exitUsage, "give no REMOTE"},
		{"two paths", []string{"ls", "/a", "/b"}, exitUsage, "accepts at most 1 arg"},
		{"virtual mount point", []string{"ls", "/Jotta/Latest"}, exitUsage, "Latest is a list of recently changed files"},
		{"virtual mount point, tree", []string{"ls", "-R", "/jotta/links"}, exitUsage, "not a folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.jotta(tc.code, tc.args...)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q: %s", tc.want, r.stderr)
			}
		})
	}
}

func TestLsRelative(t *testing.T) {
	rel, err := lsRelative([]string{"Dev", "MP", "a"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, in, want string
		ok             bool
	}{
		{"root itself", "/MP/a", "", true},
		{"child", "/MP/a/b", "b", true},
		{"server casing", "/mp/A/b/c", "b/c", true},
		{"above the root", "/MP", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := rel(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("rel(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
	if _, err := lsRelative([]string{"Dev"}); err == nil {
		t.Error("a device alone was accepted as a streamed root")
	}
}
