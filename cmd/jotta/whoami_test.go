package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jottacloudclient/app/creds"
	"jottacloudclient/jotta/api"
	"jottacloudclient/jotta/emulator"
)

func TestAccountBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int64
		want string
	}{
		{"zero", 0, "0 B"},
		{"bytes", 1023, "1023 B"},
		{"one KiB", 1024, "1.0 KiB"},
		{"one and a half MiB", 3 << 19, "1.5 MiB"},
		{"five TiB", 5 << 40, "5.0 TiB"},
		{"negative", -2048, "-2.0 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := accountBytes(tc.n); got != tc.want {
				t.Errorf("accountBytes(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestWhoamiUsage(t *testing.T) {
	for _, tc := range []struct {
		name        string
		used, quota int64
		want        string
	}{
		{"unlimited as -1", 5 << 30, -1, "5.0 GiB of unlimited"},
		{"unlimited as 0", 10, 0, "10 B of unlimited"},
		{"a quarter", 1 << 30, 4 << 30, "1.0 GiB of 4.0 GiB (25%)"},
		{"full", 2048, 2048, "2.0 KiB of 2.0 KiB (100%)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := whoamiUsage(tc.used, tc.quota); got != tc.want {
				t.Errorf("whoamiUsage(%d, %d) = %q, want %q", tc.used, tc.quota, got, tc.want)
			}
		})
	}
}

func TestWhoamiPrint(t *testing.T) {
	saved := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		cu    api.Customer
		info  creds.Info
		wants []string
		not   []string
	}{
		{
			name:  "keyring session from login",
			cu:    api.Customer{Username: "jc123", Email: "a@example.org", Usage: 1 << 20, Quota: -1},
			info:  creds.Info{Backend: creds.SourceKeyring, Origin: creds.SourceLogin, SavedAt: saved},
			wants: []string{"user:       jc123", "email:      a@example.org", "1.0 MiB of unlimited", "OS keyring (keyring)", "'jotta login'"},
			not:   []string{"write-locked"},
		},
		{
			name:  "file session from netrc, full account",
			cu:    api.Customer{Username: "jc9", Usage: 100, Quota: 100, WriteLocked: true},
			info:  creds.Info{Backend: creds.SourceFile, Origin: creds.SourceNetrc},
			wants: []string{"token file (file)", "~/.netrc (netrc)", "(100%)", "write-locked"},
			not:   []string{"email:", "last renewed"},
		},
		{
			name:  "env",
			cu:    api.Customer{Username: "jc9", Quota: 1 << 40},
			info:  creds.Info{Backend: creds.SourceFile, Origin: creds.SourceEnv},
			wants: []string{"JOTTACLOUD_TOKEN (env)", "0 B of 1.0 TiB (0%)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			whoamiPrint(&b, &tc.cu, tc.info, "")
			for _, w := range tc.wants {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range tc.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("output has %q:\n%s", w, b.String())
				}
			}
		})
	}
}

// TestWhoamiShowsQuota checks whoami against an emulator with a quota and
// some usage.
func TestWhoamiShowsQuota(t *testing.T) {
	h := newAcctHome(t, emulator.Options{Quota: 4 << 20})
	if err := h.emu.PutFile(t.Context(), "/Archive/one.bin", bytes.Repeat([]byte{7}, 1<<20), time.Now()); err != nil {
		t.Fatal(err)
	}
	h.login()
	r := h.jotta(0, "whoami")
	if !strings.Contains(r.stdout, "1.0 MiB of 4.0 MiB (25%)") {
		t.Errorf("whoami usage line missing:\n%s", r.stdout)
	}
}

// TestCorruptConfigIsReportedByEveryCommand checks that every command that
// reads the configuration names the broken line and leaves the file byte
// for byte as it was; the commands that need no folder pairs (login,
// whoami, ls, download, verify) warn and go on, so a typo never blocks a
// restore, while scan, which takes its options from the file, exits 2.
func TestCorruptConfigIsReportedByEveryCommand(t *testing.T) {
	h := newAcctHome(t, emulator.Options{})
	h.login()
	corrupt := []byte("# my settings\n[account]\nendpoint = \"http://127.0.0.1:1\n[options]\ntransfers = 4\n")
	if err := os.MkdirAll(filepath.Dir(h.configPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.configPath(), corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	h.put("Archive/x", map[string][]byte{"a.txt": []byte("a")}, time.Now()) // something to list, download and verify
	if err := os.WriteFile(filepath.Join(local, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{"login", h.mint() + "\n", []string{"login", "--token-stdin"}, 0},
		{"whoami", "", []string{"whoami"}, 0},
		{"ls", "", []string{"ls", "/"}, 0},
		{"ls recursive", "", []string{"ls", "-R", "/Jotta/Archive"}, 0},
		{"download", "", []string{"download", "/Jotta/Archive/x", dest}, 0},
		{"verify", "", []string{"verify", local, "/Jotta/Archive/x"}, 0},
		{"scan", "", []string{"scan", local, "/Jotta/Archive/x"}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.run(tc.stdin, nil, tc.args...)
			if r.code != tc.code {
				t.Fatalf("want exit %d, got %s", tc.code, r)
			}
			if !strings.Contains(r.stderr, h.configPath()) || !strings.Contains(strings.ToLower(r.stderr), "line 3") {
				t.Errorf("the error does not name the file and line 3: %s", r.stderr)
			}
			got, err := os.ReadFile(h.configPath())
			if err != nil || !bytes.Equal(got, corrupt) {
				t.Fatalf("the config file changed (err %v):\n%s", err, got)
			}
		})
	}
	// Signing out does not need the configuration and still works.
	if r := h.run("", nil, "logout"); r.code != 0 {
		t.Errorf("logout with a broken config: %s", r)
	}
}
