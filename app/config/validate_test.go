package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fieldsOf(errs []FieldError) []string {
	var f []string
	for _, e := range errs {
		f = append(f, e.Field)
	}
	return f
}

func TestValidatePair(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	good := NewPair("photos", dir, "/Jotta/Archive/Photos")
	cases := []struct {
		name      string
		edit      func(p *Pair)
		wantField string // "" means valid
		wantMsg   string
	}{
		{name: "valid", edit: func(*Pair) {}},
		{name: "valid deep remote with trailing slash", edit: func(p *Pair) { p.Remote = "/Jotta/Archive/a/b c/d/" }},
		{name: "valid one minute", edit: func(p *Pair) { p.Interval = Duration(time.Minute) }},
		{name: "empty id", edit: func(p *Pair) { p.ID = "" }, wantField: "id", wantMsg: "name"},
		{name: "id with slash", edit: func(p *Pair) { p.ID = "a/b" }, wantField: "id", wantMsg: "letters"},
		{name: "local missing", edit: func(p *Pair) { p.Local = filepath.Join(dir, "gone") }, wantField: "local", wantMsg: "does not exist"},
		{name: "local is a file", edit: func(p *Pair) { p.Local = file }, wantField: "local", wantMsg: "is a file"},
		{name: "local relative", edit: func(p *Pair) { p.Local = "photos" }, wantField: "local", wantMsg: "absolute"},
		{name: "local empty", edit: func(p *Pair) { p.Local = "" }, wantField: "local", wantMsg: "choose"},
		{name: "remote empty", edit: func(p *Pair) { p.Remote = "" }, wantField: "remote", wantMsg: "/Jotta/Archive/Photos"},
		{name: "remote relative", edit: func(p *Pair) { p.Remote = "Jotta/Archive/Photos" }, wantField: "remote", wantMsg: "start with '/'"},
		{name: "remote one segment", edit: func(p *Pair) { p.Remote = "/Jotta" }, wantField: "remote", wantMsg: "a device and a mount point"},
		{name: "remote double slash", edit: func(p *Pair) { p.Remote = "/Jotta//Archive/x" }, wantField: "remote", wantMsg: "empty"},
		{name: "remote dot dot", edit: func(p *Pair) { p.Remote = "/Jotta/Archive/../x" }, wantField: "remote", wantMsg: "not allowed"},
		{name: "device with colon", edit: func(p *Pair) { p.Remote = "/Jot:ta/Archive/x" }, wantField: "remote", wantMsg: "device name"},
		{name: "mount point with star", edit: func(p *Pair) { p.Remote = "/Jotta/Arch*ive/x" }, wantField: "remote", wantMsg: "mount point name"},
		{name: "folder with control char", edit: func(p *Pair) { p.Remote = "/Jotta/Archive/a\tb" }, wantField: "remote", wantMsg: "control"},
		{name: "virtual mount point", edit: func(p *Pair) { p.Remote = "/Jotta/Latest/x" }, wantField: "remote", wantMsg: "not a folder"},
		{name: "virtual mount point, other case", edit: func(p *Pair) { p.Remote = "/jotta/LINKS" }, wantField: "remote", wantMsg: "/Jotta/Archive"},
		{name: "sync is allowed", edit: func(p *Pair) { p.Remote = "/Jotta/Sync/x" }},
		{name: "latest on a backup device is a folder", edit: func(p *Pair) { p.Remote = "/Laptop/Latest" }},
		{name: "folder name too long", edit: func(p *Pair) { p.Remote = "/Jotta/Archive/" + strings.Repeat("x", 256) }, wantField: "remote", wantMsg: "255"},
		{name: "folder with a percent escape", edit: func(p *Pair) { p.Remote = "/Jotta/Archive/Photos%202020" }, wantField: "remote", wantMsg: "cannot serve back"},
		{name: "folder with a lone percent", edit: func(p *Pair) { p.Remote = "/Jotta/Archive/100%" }},
		{name: "interval too short", edit: func(p *Pair) { p.Interval = Duration(59 * time.Second) }, wantField: "interval", wantMsg: "at least 1m"},
		{name: "interval zero", edit: func(p *Pair) { p.Interval = 0 }, wantField: "interval", wantMsg: "at least 1m"},
		{name: "unknown prune", edit: func(p *Pair) { p.Prune = "everything" }, wantField: "prune", wantMsg: "none, files, folders or all"},
		{name: "empty exclude", edit: func(p *Pair) { p.Excludes = []string{"*.tmp", " "} }, wantField: "excludes[1]", wantMsg: "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			tc.edit(&p)
			errs := ValidatePair(p)
			if tc.wantField == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.wantField || !strings.Contains(errs[0].Message, tc.wantMsg) {
				t.Fatalf("errors = %v, want one on %s mentioning %q", errs, tc.wantField, tc.wantMsg)
			}
		})
	}
}

func TestValidateConfig(t *testing.T) {
	root := t.TempDir()
	mk := func(parts ...string) string {
		d := filepath.Join(append([]string{root}, parts...)...)
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b, aSub, ab := mk("a"), mk("b"), mk("a", "sub"), mk("ab")
	cases := []struct {
		name       string
		edit       func(c *Config)
		wantFields []string
	}{
		{name: "valid", edit: func(*Config) {}},
		{name: "sibling with common prefix is no overlap", edit: func(c *Config) {
			c.Pairs = append(c.Pairs, NewPair("ab", ab, "/Jotta/Archive/ab"))
		}},
		{name: "duplicate id", edit: func(c *Config) { c.Pairs[1].ID = "one" }, wantFields: []string{"pair[1].id"}},
		{name: "same local folder", edit: func(c *Config) { c.Pairs[1].Local = a }, wantFields: []string{"pair[1].local"}},
		{name: "local folder inside another", edit: func(c *Config) { c.Pairs[1].Local = aSub }, wantFields: []string{"pair[1].local"}},
		{name: "remote inside another, other case", edit: func(c *Config) { c.Pairs[1].Remote = "/jotta/archive/ONE/deeper" },
			wantFields: []string{"pair[1].remote"}},
		{name: "bad pair field is qualified", edit: func(c *Config) { c.Pairs[0].Interval = Duration(time.Second) },
			wantFields: []string{"pair[0].interval"}},
		{name: "transfers zero", edit: func(c *Config) { c.Options.Transfers = 0 }, wantFields: []string{"options.transfers"}},
		{name: "transfers too many", edit: func(c *Config) { c.Options.Transfers = MaxTransfers + 1 }, wantFields: []string{"options.transfers"}},
		{name: "negative bandwidth", edit: func(c *Config) { c.Options.BandwidthLimit = -1 }, wantFields: []string{"options.bandwidth_limit"}},
		{name: "empty global exclude", edit: func(c *Config) { c.Options.Excludes = []string{""} }, wantFields: []string{"options.excludes[0]"}},
		{name: "endpoint not a URL", edit: func(c *Config) { c.Account.Endpoint = "localhost:8080" }, wantFields: []string{"account.endpoint"}},
		{name: "endpoint ok", edit: func(c *Config) { c.Account.Endpoint = "https://jfs.example.test" }},
		{name: "tray icon for a dark panel", edit: func(c *Config) { c.Options.TrayIcon = TrayIconDark }},
		{name: "tray icon unknown", edit: func(c *Config) { c.Options.TrayIcon = "sepia" }, wantFields: []string{"options.tray_icon"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Pairs = []Pair{NewPair("one", a, "/Jotta/Archive/one"), NewPair("two", b, "/Jotta/Archive/two")}
			tc.edit(c)
			errs := c.Validate()
			got := fieldsOf(errs)
			if strings.Join(got, ",") != strings.Join(tc.wantFields, ",") {
				t.Fatalf("fields = %v, want %v (%v)", got, tc.wantFields, errs)
			}
			err := c.Check()
			if (err == nil) != (len(tc.wantFields) == 0) {
				t.Errorf("Check() = %v", err)
			}
			if err != nil && !strings.Contains(err.Error(), tc.wantFields[0]) {
				t.Errorf("Check() message %q lacks the field", err)
			}
		})
	}
}

func TestLocalPathExpandsHome(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip(err)
	}
	cases := []struct{ in, want string }{
		{"~", home},
		{"~/Pictures", filepath.Join(home, "Pictures")},
		{"/srv/data/", "/srv/data"},
		{"~user/x", "~user/x"},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := (Pair{Local: tc.in}).LocalPath(); got != filepath.Clean(tc.want) && !(tc.want == "" && got == "") {
				t.Errorf("LocalPath(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
