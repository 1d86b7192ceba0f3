package settings

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckToken(t *testing.T) {
	good := loginToken("jdoe@example.org", "secret")
	cases := []struct {
		name, token string
		ok          bool
	}{
		{"raw url base64", good, true},
		{"surrounding whitespace", "  " + good + "\n", true},
		{"padded base64", strings.TrimRight(good, "=") + strings.Repeat("=", (4-len(good)%4)%4), true},
		{"empty", "", false},
		{"password", "hunter2", false},
		{"truncated", good[:len(good)/2], false},
		{"json without secret", loginTokenFields(map[string]string{"username": "x", "well_known_link": "http://x"}), false},
		{"not json", "aGVsbG8gd29ybGQ", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckToken(tc.token)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckToken ok = %v, want %v (%v)", err == nil, tc.ok, err)
			}
			if err != nil {
				if err.Field != FieldToken {
					t.Errorf("field = %q", err.Field)
				}
				if tc.token != "" && strings.Contains(err.Message, strings.TrimSpace(tc.token)) {
					t.Error("the message repeats the token")
				}
				if !strings.Contains(err.Message, "Settings → Security") {
					t.Errorf("the message does not say where tokens come from: %q", err.Message)
				}
			}
		})
	}
}

func loginTokenFields(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%q:%q", k, v))
	}
	return base64Raw("{" + strings.Join(parts, ",") + "}")
}

func TestCheckLocal(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want string // want: substring of the message, "" for valid
	}{
		{"folder", dir, ""},
		{"empty", "", "Choose the folder"},
		{"relative", "Documents", "full path"},
		{"missing", filepath.Join(dir, "nope"), "no folder at this path"},
		{"file", file, "not a folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckLocal(tc.path)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Message, tc.want)):
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCheckRemote(t *testing.T) {
	cases := []struct {
		name, remote string
		ok           bool
	}{
		{"device and mount point", "/laptop/Documents", true},
		{"with folder", "/laptop/Documents/a/b", true},
		{"device only", "/laptop", false},
		{"empty", "", false},
		{"no leading slash", "laptop/Documents", false},
		{"double slash", "/laptop/Documents//x", false},
		{"percent escape the service cannot serve back", "/laptop/Documents/Photos%202020", false},
		{"name too long", "/laptop/Documents/" + strings.Repeat("x", 256), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckRemote(tc.remote); (err == nil) != tc.ok {
				t.Errorf("CheckRemote(%q) = %v, want ok %v", tc.remote, err, tc.ok)
			}
		})
	}
}

func TestProposeRemote(t *testing.T) {
	cases := []struct {
		name, local, host, want string
	}{
		{"plain", "/home/ann/Documents", "laptop", "/laptop/Documents"},
		{"domain host", "/home/ann/Pictures/", "laptop.example.org", "/laptop/Pictures"},
		{"no host", "/srv/data", "", "/Computer/data"},
		{"root", "/", "nas", "/nas/Backup"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ProposeRemote(tc.local, tc.host); got != tc.want {
				t.Errorf("ProposeRemote = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSplitJoinRemote(t *testing.T) {
	cases := []struct {
		remote, dev, mnt, dir, joined string
	}{
		{"/laptop/Documents/a/b", "laptop", "Documents", "a/b", "/laptop/Documents/a/b"},
		{"/laptop/Documents", "laptop", "Documents", "", "/laptop/Documents"},
		{"/laptop", "laptop", "", "", "/laptop"},
	}
	for _, tc := range cases {
		t.Run(tc.remote, func(t *testing.T) {
			d, m, f := SplitRemote(tc.remote)
			if d != tc.dev || m != tc.mnt || f != tc.dir {
				t.Errorf("SplitRemote = %q %q %q", d, m, f)
			}
			if got := JoinRemote(d, m, f); got != tc.joined {
				t.Errorf("JoinRemote = %q, want %q", got, tc.joined)
			}
		})
	}
}

func TestCheckOptions(t *testing.T) {
	cases := []struct {
		name                           string
		bandwidth, transfers, endpoint string
		wantFields                     []string
		wantBW                         int64
	}{
		{"defaults", "", "4", "", nil, 0},
		{"limit", "250", "2", "https://jfs.example.org", nil, 250},
		{"bad numbers", "fast", "0", "", []string{FieldBandwidth, FieldTransfers}, 0},
		{"negative limit", "-5", "4", "", []string{FieldBandwidth}, 0},
		{"too many transfers", "", "64", "", []string{FieldTransfers}, 0},
		{"endpoint without scheme", "", "4", "localhost:8080", []string{FieldEndpoint}, 0},
		{"decimal transfers", "", "2.5", "", []string{FieldTransfers}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Endpoint: tc.endpoint}
			errs := CheckOptions(&o, tc.bandwidth, tc.transfers)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.wantFields, ",") {
				t.Fatalf("fields in error = %v, want %v", got, tc.wantFields)
			}
			if len(errs) == 0 && o.BandwidthKBps != tc.wantBW {
				t.Errorf("bandwidth = %d, want %d", o.BandwidthKBps, tc.wantBW)
			}
		})
	}
}

func TestFieldMessages(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want map[string]string
		ok   bool
	}{
		{"one", &FieldError{FieldToken, "bad"}, map[string]string{FieldToken: "bad"}, true},
		{"wrapped", fmt.Errorf("sign in: %w", &FieldError{FieldToken, "spent"}), map[string]string{FieldToken: "spent"}, true},
		{"several", FieldErrors{{FieldLocal, "a"}, {FieldRemote, "b"}}, map[string]string{FieldLocal: "a", FieldRemote: "b"}, true},
		{"other", errors.New("network down"), nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := fieldMessages(tc.err)
			if ok != tc.ok || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("fieldMessages = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestPairSummary(t *testing.T) {
	cases := []struct {
		name string
		p    Pair
		want string
	}{
		{"never", Pair{Enabled: true}, "Not backed up yet"},
		{"backed up", Pair{Enabled: true, Status: PairStatus{LastComplete: testNow.Add(-4 * time.Minute), Files: 1204, Bytes: 2_300_000_000}}, "Backed up 4 min ago · 1204 files · 2.3 GB"},
		{"one file", Pair{Enabled: true, Status: PairStatus{LastComplete: testNow, Files: 1, Bytes: 3}}, "Backed up just now · 1 file · 3 B"},
		{"running", Pair{Enabled: true, Status: PairStatus{Running: true}}, "Backing up…"},
		{"problems", Pair{Enabled: true, Status: PairStatus{LastComplete: testNow, Files: 3, Bytes: 10, Problems: 2}}, "Backed up just now · 3 files · 10 B · 2 problems"},
		{"failed", Pair{Enabled: true, Status: PairStatus{Error: "quota exceeded"}}, "Last backup failed: quota exceeded"},
		{"off", Pair{Enabled: false}, "Switched off"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := PairSummary(tc.p, testNow); got != tc.want {
				t.Errorf("PairSummary = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestActivityText(t *testing.T) {
	cases := []struct {
		name         string
		a            Activity
		head, detail string
	}{
		{"idle", Activity{}, "Nothing is being backed up right now.", ""},
		{"scanning", Activity{Running: true, PairLocal: "/d"}, "Looking for changes in /d…", ""},
		{"uploading", Activity{Running: true, PairLocal: "/d", FilesDone: 1, FilesTotal: 1, BytesDone: 500, BytesTotal: 1000, Rate: 100, ETA: 5 * time.Second},
			"Backing up /d: 1 of 1 file", "500 B of 1.0 kB · 100 B/s · less than a minute left"},
		{"reading while the walk finds files", Activity{Running: true, PairLocal: "/d", FilesDone: 627, FilesTotal: 640, BytesDone: 40_000_000, BytesTotal: 41_000_000, Rate: 2_000_000, Reading: true, Counting: true},
			"Reading new and changed files in /d: 627 so far", "40.0 MB read · 2.0 MB/s"},
		{"uploading while the walk goes on", Activity{Running: true, PairLocal: "/d", FilesDone: 12, FilesTotal: 16, BytesDone: 4_000_000, BytesTotal: 5_000_000, Rate: 500_000, Counting: true},
			"Backing up /d: 12 files sent so far", "4.0 MB sent · 500 kB/s"},
		{"reading, all found", Activity{Running: true, PairLocal: "/d", FilesDone: 640, FilesTotal: 640, BytesDone: 41_000_000, BytesTotal: 41_000_000, Reading: true},
			"Reading new and changed files in /d: 640 of 640", "41.0 MB of 41.0 MB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ActivityHeadline(tc.a); got != tc.head {
				t.Errorf("headline = %q, want %q", got, tc.head)
			}
			if got := ActivityDetail(tc.a); got != tc.detail {
				t.Errorf("detail = %q, want %q", got, tc.detail)
			}
		})
	}
}

func TestFormatETA(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "less than a minute"},
		{7*time.Minute + 10*time.Second, "7 min"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatETA(tc.d); got != tc.want {
				t.Errorf("FormatETA(%v) = %q", tc.d, got)
			}
		})
	}
}

func TestExcludePattern(t *testing.T) {
	pairs := []Pair{{ID: "p1", Local: "/home/a/Docs"}}
	cases := []struct {
		name string
		pr   Problem
		want string
	}{
		{"inside the pair", Problem{PairID: "p1", Path: "/home/a/Docs/sub/x.tmp"}, "/sub/x.tmp"},
		{"unknown pair", Problem{PairID: "zz", Path: "/elsewhere/y.bin"}, "y.bin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := excludePattern(pairs, tc.pr); got != tc.want {
				t.Errorf("excludePattern = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestIntervalLabelsRoundTrip(t *testing.T) {
	for _, iv := range intervals {
		t.Run(iv.label, func(t *testing.T) {
			if got := intervalFromLabel(intervalLabel(iv.d)); got != iv.d {
				t.Errorf("round trip of %v gave %v", iv.d, got)
			}
		})
	}
	if got := intervalFromLabel(intervalLabel(90 * time.Minute)); got != 90*time.Minute {
		t.Errorf("a custom interval did not survive: %v", got)
	}
}
