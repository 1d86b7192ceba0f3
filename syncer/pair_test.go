package syncer_test

import (
	"strings"
	"testing"
	"time"

	"jottacloudclient/syncer"
)

func TestPairValidate(t *testing.T) {
	ok := syncer.Pair{ID: "p", Local: "/home/u/Documents", Remote: "/laptop/Backup/Documents"}
	cases := []struct {
		name    string
		mutate  func(p *syncer.Pair)
		wantErr string
	}{
		{"valid", func(*syncer.Pair) {}, ""},
		{"device and mount point only", func(p *syncer.Pair) { p.Remote = "/laptop/Backup" }, ""},
		{"no id", func(p *syncer.Pair) { p.ID = " " }, "no id"},
		{"relative local", func(p *syncer.Pair) { p.Local = "Documents" }, "absolute"},
		{"remote without slash", func(p *syncer.Pair) { p.Remote = "laptop/Backup/x" }, "/<device>/<mountpoint>"},
		{"remote too short", func(p *syncer.Pair) { p.Remote = "/laptop" }, "device and a mount point"},
		{"remote with dot segment", func(p *syncer.Pair) { p.Remote = "/laptop/Backup/../x" }, "cannot be stored"},
		{"negative interval", func(p *syncer.Pair) { p.Interval = -time.Second }, "interval"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.mutate(&p)
			err := p.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}

func TestParsePruneMode(t *testing.T) {
	cases := []struct {
		in   string
		want syncer.PruneMode
		bad  bool
	}{
		{"", syncer.PruneNone, false},
		{"none", syncer.PruneNone, false},
		{"Files", syncer.PruneFiles, false},
		{"folders", syncer.PruneFolders, false},
		{" all ", syncer.PruneAll, false},
		{"everything", syncer.PruneNone, true},
	}
	for _, tc := range cases {
		got, err := syncer.ParsePruneMode(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParsePruneMode(%q) = %v, %v", tc.in, got, err)
		}
		if !tc.bad {
			if again, _ := syncer.ParsePruneMode(got.String()); again != got {
				t.Errorf("%v does not round-trip through String", got)
			}
		}
	}
}
