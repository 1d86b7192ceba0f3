package restore_test

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jottacloudclient/app/restore"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
)

// start serves an in-memory emulator on loopback and returns a client
// signed in to it.
func start(t *testing.T) (*emulator.Running, *jotta.Client) {
	t.Helper()
	srv, err := emulator.Start("", emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	lt, err := srv.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jotta.Login(t.Context(), nil, lt)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	c, err := jotta.New(jotta.Options{Endpoint: srv.URL, Store: jotta.NewMemoryTokenStore(tok)})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

var mtime = time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)

// seed stores files (path below /Jotta/Archive/set → content).
func seed(t *testing.T, srv *emulator.Running, files map[string]string) {
	t.Helper()
	for rel, data := range files {
		if err := srv.PutFile(t.Context(), "/jfs/Jotta/Archive/set/"+rel, []byte(data), mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// run loads /Jotta/Archive/set at w and restores it into dest.
func run(t *testing.T, c *jotta.Client, w restore.When, dest string, opts restore.Options) *restore.Result {
	t.Helper()
	cat, err := restore.Load(t.Context(), c, "/Jotta/Archive/set")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := cat.Snapshot(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	res, err := restore.Run(t.Context(), c, snap, dest, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		if !info.ModTime().Equal(mtime) && !strings.Contains(rel, "conflict") {
			t.Errorf("%s has modification time %v, want %v", rel, info.ModTime(), mtime)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameMap(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%q: got %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %q", k)
		}
	}
}

// TestRunRestoresAndSkipsWhatIsThere restores awkward names into an empty
// folder, then again: the second run downloads nothing and counts every
// file as already there.
func TestRunRestoresAndSkipsWhatIsThere(t *testing.T) {
	srv, c := start(t)
	long := strings.Repeat("é", 127) + "x" // 255 bytes
	files := map[string]string{
		"plain.txt":              "plain",
		"back\\slash.txt":        "backslash",
		" lead and trail ":       "spaces",
		"a/b/c/deep.txt":         "deep",
		"plus+hash#semi;.txt":    "punctuation",
		"empty.bin":              "",
		long:                     "long name",
		"sub/" + long + "/f.txt": "below a long folder name",
	}
	seed(t, srv, files)
	dest := t.TempDir()
	res := run(t, c, restore.When{}, dest, restore.Options{})
	if res.Restored != len(files) || len(res.Problems) != 0 {
		t.Fatalf("first run %+v", res)
	}
	sameMap(t, readTree(t, dest), files)
	// Folders get the newest time of what they hold.
	for _, dir := range []string{"a", "a/b/c", "sub"} {
		if st, err := os.Stat(filepath.Join(dest, dir)); err != nil || !st.ModTime().Equal(mtime) {
			t.Errorf("folder %s: %v (err %v), want modified %v", dir, st.ModTime(), err, mtime)
		}
	}
	if _, err := os.Stat(filepath.Join(dest, restore.TempDirName)); !os.IsNotExist(err) {
		t.Errorf("temporary folder left behind: %v", err)
	}

	srv.ResetStats()
	res = run(t, c, restore.When{}, dest, restore.Options{})
	if res.Restored != 0 || res.Present != len(files) || len(res.Problems) != 0 {
		t.Errorf("second run %+v", res)
	}
	if n := srv.Stats().DownloadBytes; n != 0 {
		t.Errorf("second run downloaded %d bytes", n)
	}
}

// TestRunConflicts: a different local file is kept and reported by
// default, kept as a conflict copy with Overwrite, and replaced outright
// with NoBackup.
func TestRunConflicts(t *testing.T) {
	srv, c := start(t)
	seed(t, srv, map[string]string{"notes.txt": "backed up", "same.txt": "same"})
	now := time.Date(2026, 1, 2, 15, 4, 5, 0, time.Local)
	cases := []struct {
		name      string
		opts      restore.Options
		problems  int
		wantFiles map[string]string
	}{
		{"kept", restore.Options{}, 1, map[string]string{"notes.txt": "local edit", "same.txt": "same"}},
		{"conflict copy", restore.Options{Overwrite: true}, 0, map[string]string{
			"notes.txt": "backed up", "notes (conflict 2026-01-02 150405).txt": "local edit", "same.txt": "same"}},
		{"replaced", restore.Options{Overwrite: true, NoBackup: true}, 0, map[string]string{"notes.txt": "backed up", "same.txt": "same"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dest := t.TempDir()
			for name, data := range map[string]string{"notes.txt": "local edit", "same.txt": "same"} {
				p := filepath.Join(dest, name)
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(p, mtime, mtime); err != nil {
					t.Fatal(err)
				}
			}
			tc.opts.Now = func() time.Time { return now }
			res := run(t, c, restore.When{}, dest, tc.opts)
			if len(res.Problems) != tc.problems || res.Present != 1 {
				t.Errorf("result %+v", res)
			}
			if tc.problems > 0 && !strings.Contains(res.Problems[0].Reason, "already there") {
				t.Errorf("problem %+v does not say what is in the way", res.Problems[0])
			}
			sameMap(t, readTree(t, dest), tc.wantFiles)
		})
	}
}

// TestSnapshotAsOf picks, per file, the newest revision stored by then,
// brings back files trashed later, and leaves out files trashed before.
func TestSnapshotAsOf(t *testing.T) {
	srv, c := start(t)
	day := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	now := day
	srv.SetClock(func() time.Time { return now })
	seed(t, srv, map[string]string{"doc.txt": "v1", "gone-early.txt": "x", "gone-late.txt": "y"})
	now = day.Add(24 * time.Hour)
	seed(t, srv, map[string]string{"doc.txt": "v2", "later.txt": "z"})
	if err := c.TrashFile(t.Context(), "/Jotta/Archive/set/gone-early.txt"); err != nil {
		t.Fatal(err)
	}
	now = day.Add(48 * time.Hour)
	seed(t, srv, map[string]string{"doc.txt": "v3"})
	if err := c.TrashFile(t.Context(), "/Jotta/Archive/set/gone-late.txt"); err != nil {
		t.Fatal(err)
	}
	cat, err := restore.Load(t.Context(), c, "/Jotta/Archive/set")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		w    restore.When
		want map[string]string // path → md5
	}{
		{restore.When{Mode: restore.AsOf, At: day.Add(time.Hour)}, map[string]string{
			"doc.txt": md5hex([]byte("v1")), "gone-early.txt": md5hex([]byte("x")), "gone-late.txt": md5hex([]byte("y"))}},
		{restore.When{Mode: restore.AsOf, At: day.Add(25 * time.Hour)}, map[string]string{
			"doc.txt": md5hex([]byte("v2")), "later.txt": md5hex([]byte("z")), "gone-late.txt": md5hex([]byte("y"))}},
		{restore.When{Mode: restore.AsOf, At: day.Add(-time.Hour)}, map[string]string{}},
		{restore.When{Mode: restore.Latest}, map[string]string{"doc.txt": md5hex([]byte("v3")), "later.txt": md5hex([]byte("z"))}},
		{restore.When{Mode: restore.Trashed}, map[string]string{"gone-early.txt": md5hex([]byte("x")), "gone-late.txt": md5hex([]byte("y"))}},
	}
	for _, tc := range cases {
		snap, err := cat.Snapshot(t.Context(), tc.w)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range snap.Files {
			got[f.Rel] = f.MD5
		}
		sameMap(t, got, tc.want)
	}
	days := cat.Days(time.UTC)
	if len(days) != 3 || !days[0].Equal(time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("days with changes %v", days)
	}
	vs, err := cat.Versions(t.Context(), "doc.txt")
	if err != nil || len(vs) != 3 || !vs[0].Current || vs[2].MD5 != md5hex([]byte("v1")) {
		t.Errorf("versions %+v %v", vs, err)
	}
}

func TestParseTime(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, loc)
	cases := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "2026-03-01T18:30:00Z", want: time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC)},
		{in: "2026-03-01", want: time.Date(2026, 3, 1, 23, 59, 59, 0, loc)},
		{in: "2026-03-01 08:15", want: time.Date(2026, 3, 1, 8, 15, 0, 0, loc)},
		{in: "3 days ago", want: now.AddDate(0, 0, -3)},
		{in: "2 hours ago", want: now.Add(-2 * time.Hour)},
		{in: "1 week ago", want: now.AddDate(0, 0, -7)},
		{in: "yesterday", want: time.Date(2026, 3, 9, 23, 59, 59, 0, loc)},
		{in: "last tuesday", bad: true},
	}
	for _, c := range cases {
		got, err := restore.ParseTime(c.in, now, loc)
		if c.bad != (err != nil) || (!c.bad && !got.Equal(c.want)) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}
