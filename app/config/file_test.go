package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func sampleConfig(t *testing.T) *Config {
	t.Helper()
	photos, docs := t.TempDir(), t.TempDir()
	c := Default()
	c.Account = Account{Username: "alice@example.org", Endpoint: "http://127.0.0.1:8080"}
	c.Options.Transfers = 8
	c.Options.BandwidthLimit = 2 * mib
	c.Options.StartAtLogin = true
	c.Options.SkipOnMetered = true
	c.Options.Excludes = []string{"*.tmp", "Thumbs.db"}
	c.Options.TrayIcon = TrayIconAuto
	p := NewPair("photos", photos, "/Jotta/Archive/Photos")
	p.Interval = Duration(90 * time.Minute)
	p.Excludes = []string{"cache/"}
	p.Prune = PruneFiles
	q := NewPair("docs", docs, "/Jotta/Archive/Documents/Work")
	q.Enabled, q.Watch, q.IncludeHidden, q.FollowSymlinks = false, false, false, true
	q.Prune = PruneAll
	c.Pairs = []Pair{p, q}
	return c
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "config.toml")
	want := sampleConfig(t)
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, warns, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings on our own file: %v", warns)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the config:\n got %+v\nwant %+v", got, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	if names := listDir(t, filepath.Dir(path)); !reflect.DeepEqual(names, []string{"config.toml"}) {
		t.Errorf("directory holds %v, want only config.toml", names)
	}
	text, _ := os.ReadFile(path)
	for _, s := range []string{`interval = "1h30m"`, `bandwidth_limit = "2MiB/s"`, `prune = "files"`, "[[pair]]"} {
		if !bytes.Contains(text, []byte(s)) {
			t.Errorf("file lacks %s:\n%s", s, text)
		}
	}
	// Saving again over a valid file works and stays identical.
	if err := Save(path, got); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(path)
	if !bytes.Equal(text, again) {
		t.Errorf("second save differs")
	}
}

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	c, warns, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err != nil || len(warns) != 0 {
		t.Fatalf("err=%v warns=%v", err, warns)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("got %+v", c)
	}
	if c.Options.Transfers != DefaultTransfers || !c.Options.Notifications {
		t.Errorf("defaults not applied: %+v", c.Options)
	}
}

func TestLoadAppliesDefaultsToMissingKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	text := "[[pair]]\nid = \"a\"\nlocal = \"/srv/a\"\nremote = \"/Jotta/Archive/a\"\n\n[[pair]]\nid = \"b\"\nenabled = false\nwatch = false\ninclude_hidden = false\ninterval = \"5m\"\nprune = \"all\"\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Pairs[0]
	if !a.Enabled || !a.Watch || !a.IncludeHidden || a.Interval.D() != DefaultInterval || a.Prune != PruneNone || a.FollowSymlinks {
		t.Errorf("pair a defaults wrong: %+v", a)
	}
	b := c.Pairs[1]
	if b.Enabled || b.Watch || b.IncludeHidden || b.Interval.D() != 5*time.Minute || b.Prune != PruneAll {
		t.Errorf("pair b explicit values lost: %+v", b)
	}
	if c.Options.Transfers != DefaultTransfers || !c.Options.Notifications || c.Options.TrayIcon != TrayIconColour {
		t.Errorf("options defaults wrong: %+v", c.Options)
	}
}

func TestCorruptFileIsReportedAndNeverOverwritten(t *testing.T) {
	cases := []struct {
		name     string
		text     string
		wantLine int
		wantMsg  string
	}{
		{name: "unterminated string", text: "[account]\nusername = \"alice\n", wantLine: 2, wantMsg: "line 2"},
		{name: "missing equals", text: "[options]\ntransfers = 4\nnotifications true\n", wantLine: 3, wantMsg: "line 3"},
		{name: "duplicate table key", text: "[options]\ntransfers = 4\ntransfers = 5\n", wantLine: 3, wantMsg: "line 3"},
		{name: "interval without unit", text: "[[pair]]\nid = \"a\"\ninterval = 30\n", wantLine: 3, wantMsg: "30m"},
		{name: "bad bandwidth unit", text: "[options]\n\nbandwidth_limit = \"3 parsecs\"\n", wantLine: 3, wantMsg: "unknown unit"},
		{name: "wrong type", text: "[options]\ntransfers = \"many\"\n", wantLine: 2, wantMsg: "transfers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.toml")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			c, _, err := Load(path)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v (%T), want *LoadError", err, err)
			}
			if c != nil {
				t.Errorf("a config came back with the error")
			}
			t.Log(err)
			if le.Line != tc.wantLine || le.Path != path {
				t.Errorf("error at %s line %d, want line %d: %v", le.Path, le.Line, tc.wantLine, err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) || !strings.Contains(err.Error(), path) {
				t.Errorf("message %q lacks %q or the path", err, tc.wantMsg)
			}
			if err := Save(path, sampleConfig(t)); err == nil {
				t.Errorf("Save replaced a file that does not parse")
			}
			after, _ := os.ReadFile(path)
			if string(after) != tc.text {
				t.Errorf("file changed:\n%s", after)
			}
			if names := listDir(t, dir); len(names) != 1 {
				t.Errorf("directory holds %v", names)
			}
		})
	}
}

func TestUnknownKeysWarn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	text := "[options]\ntransfer = 3\n\n[[pair]]\nid = \"a\"\nexclude = [\"x\"]\n\n[extra]\nfoo = 1\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, warns, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, w := range warns {
		keys = append(keys, w.Key)
		if !strings.Contains(w.String(), "unknown key") {
			t.Errorf("warning %q does not say what is wrong", w)
		}
	}
	for _, want := range []string{"options.transfer", "pair.exclude", "extra.foo"} {
		found := false
		for _, k := range keys {
			found = found || k == want
		}
		if !found {
			t.Errorf("no warning for %s (got %v)", want, keys)
		}
	}
	if c.Options.Transfers != DefaultTransfers {
		t.Errorf("misspelt key changed transfers to %d", c.Options.Transfers)
	}
}

func TestSaveFailureKeepsOldFile(t *testing.T) {
	boom := errors.New("disk full")
	cases := []struct {
		name  string
		setup func() func()
	}{
		{name: "fsync fails", setup: func() func() {
			old := syncFile
			syncFile = func(*os.File) error { return boom }
			return func() { syncFile = old }
		}},
		{name: "rename fails", setup: func() func() {
			old := renameFile
			renameFile = func(string, string) error { return boom }
			return func() { renameFile = old }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.toml")
			if err := Save(path, sampleConfig(t)); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			restore := tc.setup()
			changed := Default()
			err := Save(path, changed)
			restore()
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want the write failure", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Errorf("old file changed after a failed save")
			}
			if names := listDir(t, dir); !reflect.DeepEqual(names, []string{"config.toml"}) {
				t.Errorf("temp files left: %v", names)
			}
		})
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv(EnvPath, "/tmp/x/custom.toml")
	if p, err := DefaultPath(); err != nil || p != "/tmp/x/custom.toml" {
		t.Errorf("with %s: %q, %v", EnvPath, p, err)
	}
	t.Setenv(EnvPath, "")
	p, err := DefaultPath()
	if err != nil {
		t.Skip("no user config dir here:", err)
	}
	if filepath.Base(p) != "config.toml" || filepath.Base(filepath.Dir(p)) != "jottacloudclient" {
		t.Errorf("default path %q", p)
	}
}

func TestSyncAndSharedRemotesWarn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	text := "[[pair]]\nid = \"a\"\nremote = \"/Jotta/Archive/a\"\n\n[[pair]]\nid = \"b\"\nremote = \"/jotta/sync/b\"\n\n[[pair]]\nid = \"c\"\nremote = \"/Jotta/Shared/c\"\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, warns, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"pair[1].remote": "every computer", "pair[2].remote": "other people"}
	if len(warns) != len(want) {
		t.Fatalf("warnings %v, want one for each of %v", warns, want)
	}
	for _, w := range warns {
		if !strings.Contains(w.Msg, want[w.Key]) {
			t.Errorf("warning %s does not say %q", w, want[w.Key])
		}
	}
}
