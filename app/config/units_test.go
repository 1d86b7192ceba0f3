package config

import (
	"testing"
	"time"
)

func TestParseByteRate(t *testing.T) {
	cases := []struct {
		in      string
		want    ByteRate
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "", want: 0},
		{in: "off", want: 0},
		{in: "unlimited", want: 0},
		{in: "512", want: 512 * kib},
		{in: "512KiB/s", want: 512 * kib},
		{in: "2M", want: 2 * mib},
		{in: "2 MiB/s", want: 2 * mib},
		{in: "1.5GiB", want: 3 * gib / 2},
		{in: "100B/s", want: 100},
		{in: "10Mbps", wantErr: true},
		{in: "fast", wantErr: true},
		{in: "-1M", wantErr: true},
		{in: "5 parsecs", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseByteRate(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestByteRateStringRoundTrips(t *testing.T) {
	for _, r := range []ByteRate{0, 100, 512 * kib, 2 * mib, 3 * gib, 1536 * kib} {
		t.Run(r.String(), func(t *testing.T) {
			back, err := ParseByteRate(r.String())
			if err != nil || back != r {
				t.Errorf("%d → %q → %d, %v", r, r.String(), back, err)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{time.Minute, "1m"},
		{45 * time.Second, "45s"},
		{time.Hour + 5*time.Second, "1h0m5s"},
		{24 * time.Hour, "24h"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := Duration(tc.d).String(); got != tc.want {
				t.Errorf("got %q", got)
			}
			var back Duration
			if err := back.UnmarshalText([]byte(tc.want)); err != nil || back.D() != tc.d {
				t.Errorf("parse back: %v, %v", back, err)
			}
		})
	}
}

func TestPruneFlags(t *testing.T) {
	cases := []struct {
		p              Prune
		valid, f, fold bool
	}{
		{PruneNone, true, false, false},
		{PruneFiles, true, true, false},
		{PruneFolders, true, false, true},
		{PruneAll, true, true, true},
		{"some", false, false, false},
	}
	for _, tc := range cases {
		t.Run(string(tc.p), func(t *testing.T) {
			if tc.p.Valid() != tc.valid || tc.p.Files() != tc.f || tc.p.Folders() != tc.fold {
				t.Errorf("%q: valid %v files %v folders %v", tc.p, tc.p.Valid(), tc.p.Files(), tc.p.Folders())
			}
		})
	}
}
