package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jottacloudclient/app/config"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

func TestScanPairID(t *testing.T) {
	base := scanPairID("/home/u/Documents", "/Laptop/Archive/Documents")
	for _, tc := range []struct {
		name          string
		local, remote string
		same          bool
	}{
		{"same folders", "/home/u/Documents", "/Laptop/Archive/Documents", true},
		{"other local", "/home/v/Documents", "/Laptop/Archive/Documents", false},
		{"other remote", "/home/u/Documents", "/Laptop/Archive/Docs", false},
		{"split differently", "/home/u/Documents\x00/Laptop", "/Archive/Documents", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := scanPairID(tc.local, tc.remote)
			if (id == base) != tc.same {
				t.Errorf("id %q vs %q: same=%v, want %v", id, base, id == base, tc.same)
			}
			p := syncer.Pair{ID: id, Local: "/x", Remote: "/A/B"}
			if err := p.Validate(); err != nil {
				t.Errorf("id %q is not a valid pair id: %v", id, err)
			}
		})
	}
}

func TestScanRemoteRoot(t *testing.T) {
	for _, tc := range []struct {
		in, want, errHas string
	}{
		{"/Laptop/Archive/Documents", "/Laptop/Archive/Documents", ""},
		{"/Laptop/Archive/Documents/", "/Laptop/Archive/Documents", ""},
		{"  /Laptop//Archive/x ", "/Laptop/Archive/x", ""},
		{"/Laptop/Archive", "/Laptop/Archive", ""},
		{"Laptop/Archive/x", "", "must start with '/'"},
		{"/Laptop", "", "device and a mount point"},
		{"/", "", "device and a mount point"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := scanRemoteRoot(tc.in)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("error %v, want one containing %q", err, tc.errHas)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestScanPrune(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    scanFlags
		want syncer.PruneMode
	}{
		{"none", scanFlags{}, syncer.PruneNone},
		{"files", scanFlags{pruneFiles: true}, syncer.PruneFiles},
		{"folders", scanFlags{pruneFolders: true}, syncer.PruneFolders},
		{"both flags", scanFlags{pruneFiles: true, pruneFolders: true}, syncer.PruneAll},
		{"all", scanFlags{pruneAll: true}, syncer.PruneAll},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scanPrune(tc.f); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPassProgressRenders(t *testing.T) {
	var buf bytes.Buffer
	p := newPassProgress(&buf)
	p.width = 10
	p.update(syncer.ProgressEvent{Phase: syncer.StateScanning, FilesTotal: 2, BytesTotal: 2048, FilesDone: 1, BytesDone: 1024, Current: "a/first.txt"})
	p.note("created remote folder /L/A/x")
	p.update(syncer.ProgressEvent{Phase: syncer.StateUploading, FilesTotal: 1, BytesTotal: 4096, FilesDone: 1, BytesDone: 4096, Current: "a/" + strings.Repeat("long", 20) + ".bin"})
	p.done()
	out := buf.String()
	for _, want := range []string{"hashing 1/2", "a/first.txt", "created remote folder /L/A/x", "uploading 1/1", "…", "100%"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%q", want, out)
		}
	}
}

// TestScanUsageErrors: bad arguments and flags exit 2 with a message that
// says what to do, before anything is sent.
func TestScanUsageErrors(t *testing.T) {
	e := newE2E(t)
	dir := filepath.Join(e.dir, "src")
	e2eWriteFiles(t, dir, map[string][]byte{"a.txt": []byte("a")})
	file := filepath.Join(dir, "a.txt")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", []string{"scan"}, "two arguments"},
		{"one argument", []string{"scan", dir}, "two arguments"},
		{"missing folder", []string{"scan", filepath.Join(e.dir, "nope"), "/L/A/x"}, "does not exist"},
		{"file not folder", []string{"scan", file, "/L/A/x"}, "is a file, not a folder"},
		{"relative remote", []string{"scan", dir, "L/A/x"}, "must start with '/'"},
		{"remote without mount point", []string{"scan", dir, "/L"}, "device and a mount point"},
		{"bad bwlimit", []string{"scan", "--bwlimit", "fast", dir, "/L/A/x"}, "--bwlimit"},
		{"too many transfers", []string{"scan", "--transfers", "99", dir, "/L/A/x"}, "--transfers must be between 1 and"},
		{"bad prune limit", []string{"scan", "--prune-limit", "-5", dir, "/L/A/x"}, "--prune-limit"},
		{"both progress flags", []string{"scan", "--progress", "--no-progress", dir, "/L/A/x"}, "cannot both"},
		{"empty exclude", []string{"scan", "--exclude", " ", dir, "/L/A/x"}, "--exclude needs a pattern"},
		{"bad loglevel", []string{"--loglevel", "loud", "scan", dir, "/L/A/x"}, "--loglevel"},
		{"unknown flag", []string{"scan", "--frobnicate", dir, "/L/A/x"}, "unknown flag"},
		{"error file in a missing folder", []string{"scan", "--errorfile", filepath.Join(e.dir, "no", "such", "errs"), dir, "/L/A/x"}, "--errorfile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.jotta(t, tc.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
	if got := e.emu.Stats().Requests[emulator.EndpointAllocate]; got != 0 {
		t.Errorf("usage errors reached the server: %d allocations", got)
	}
}

// TestScanSignInRequired: without credentials, or with a revoked session,
// scan exits 2 and says how to sign in.
func TestScanSignInRequired(t *testing.T) {
	e := newE2E(t)
	dir := filepath.Join(e.dir, "src")
	e2eWriteFiles(t, dir, map[string][]byte{"a.txt": []byte("a")})
	token := ""
	for _, kv := range e.env {
		if v, ok := strings.CutPrefix(kv, "JOTTACLOUD_TOKEN="); ok {
			token = v
		}
	}
	withToken := e.env
	var noToken []string
	for _, kv := range e.env {
		if !strings.HasPrefix(kv, "JOTTACLOUD_TOKEN=") {
			noToken = append(noToken, kv)
		}
	}
	e.env = noToken
	errFile := filepath.Join(e.dir, "errors.txt")
	r := e.jotta(t, "scan", "--errorfile", errFile, dir, "/L/A/x")
	if r.code != exitUsage || !strings.Contains(r.stderr, "jotta login") {
		t.Errorf("no credentials: exit %d, stderr %q; want 2 and how to sign in", r.code, r.stderr)
	}
	if b, err := os.ReadFile(errFile); err != nil || len(b) != 0 {
		t.Errorf("error file %q, %v; want it written and empty", b, err)
	}
	if strings.Contains(r.stderr+r.stdout, token) {
		t.Error("the login token appears in the output")
	}

	e.env = withToken
	e.scan(t, 0, dir, "/L/A/x")
	e.emu.RevokeSessions()
	e.env = noToken
	r = e.jotta(t, "scan", dir, "/L/A/x")
	if r.code != exitUsage || !strings.Contains(r.stderr, "jotta login") {
		t.Errorf("revoked session: exit %d, stderr %q; want 2 and how to sign in", r.code, r.stderr)
	}
}

// TestScanConfigFile: global excludes, transfers and the bandwidth limit
// come from the config file; the endpoint too when no flag or variable
// gives one; a file that does not parse stops the scan and is not touched.
func TestScanConfigFile(t *testing.T) {
	e := newE2E(t)
	dir := filepath.Join(e.dir, "src")
	e2eWriteFiles(t, dir, map[string][]byte{"a.txt": []byte("a"), "b.bak": []byte("b")})
	cfg := config.Default()
	cfg.Account.Endpoint = e.url
	cfg.Options.Excludes = []string{"*.bak"}
	cfg.Options.Transfers = 3
	cfg.Options.BandwidthLimit = 1 << 30
	if err := os.MkdirAll(filepath.Dir(e.configPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := config.Save(e.configPath(), cfg); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range e.env {
		if !strings.HasPrefix(kv, "JOTTACLOUD_ENDPOINT=") {
			env = append(env, kv)
		}
	}
	e.env = env
	s := e.scan(t, 0, dir, "/L/A/x")
	e2eSameFiles(t, e.remoteFiles(t, "/L/A/x"), e2eMD5s(map[string][]byte{"a.txt": []byte("a")}))
	if s.Settings.Transfers != 3 || s.Settings.BandwidthLimit != 1<<30 {
		t.Errorf("settings %+v, want the config file's transfers and limit", s.Settings)
	}
	s = e.scan(t, 0, dir, "/L/A/x", "--transfers", "2", "--bwlimit", "2MiB/s")
	if s.Settings.Transfers != 2 || s.Settings.BandwidthLimit != 2<<20 {
		t.Errorf("settings %+v, want the flags to win", s.Settings)
	}

	broken := "[options]\ntransfers = 4\nexcludes = [\"*.bak\"\n"
	if err := os.WriteFile(e.configPath(), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.jotta(t, "scan", dir, "/L/A/x")
	if r.code != exitUsage || !strings.Contains(r.stderr, e.configPath()) || !strings.Contains(r.stderr, "line ") {
		t.Errorf("broken config: exit %d, stderr %q; want 2 naming the file and line", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(e.configPath()); string(b) != broken {
		t.Errorf("the broken config file was changed to %q", b)
	}
}

// TestScanDryRunAndText: a dry run lists what it would do and changes
// nothing; the text summary of a real pass names what happened.
func TestScanDryRunAndText(t *testing.T) {
	e := newE2E(t)
	dir := filepath.Join(e.dir, "src")
	e2eWriteFiles(t, dir, map[string][]byte{"a.txt": []byte("aaaa"), "sub/b.txt": []byte("bb")})
	r := e.jotta(t, "scan", "--dry-run", dir, "/L/A/x")
	if r.code != 0 {
		t.Fatalf("dry run exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"would upload a.txt (4 B)", "would upload sub/b.txt (2 B)", "nothing was changed", "would upload     2 files (6 B)", "would create     /L/A/x"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, r.stdout)
		}
	}
	if st := e.emu.Stats(); st.Requests[emulator.EndpointAllocate]+st.Requests[emulator.EndpointJFSPost] != 0 {
		t.Errorf("the dry run changed the server: %v", st.Requests)
	}
	if _, err := e.client.Stat(t.Context(), "/L", jotta.ListOptions{}); err == nil {
		t.Error("the dry run created the device")
	}

	r = e.jotta(t, "scan", "--errorfile", filepath.Join(e.dir, "errs"), dir, "/L/A/x")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"created remote folder /L", "created remote folder /L/A/x", "uploaded         2 files (6 B sent)", "hashed           2 files (6 B)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if b, err := os.ReadFile(filepath.Join(e.dir, "errs")); err != nil || len(b) != 0 {
		t.Errorf("error file: %q, %v; want it written and empty", b, err)
	}
}

// TestScanServerFailures: a server that keeps failing (after the client's
// own retries) stops the pass once, in words, in the summary and the error
// file — not as a problem of every file — and the exit code is 1.
func TestScanServerFailures(t *testing.T) {
	e := newE2E(t)
	dir := filepath.Join(e.dir, "src")
	files := map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b")}
	e2eWriteFiles(t, dir, files)
	e.scan(t, 0, e2eWarm(t, e), "/L/A/warm")
	e.emu.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointAllocate, Status: 500})
	errFile := filepath.Join(e.dir, "errors.txt")
	s := e.scan(t, exitPartial, dir, "/L/A/x", "--errorfile", errFile)
	if len(s.Problems) != 0 || s.Complete {
		t.Fatalf("problems %v, complete %v; want the pass stopped once for the account", s.Problems, s.Complete)
	}
	if s.Error != "JottaCloud is having trouble right now. Run the command again in a few minutes; it goes on where it stopped." {
		t.Errorf("the summary says %q", s.Error)
	}
	b, err := os.ReadFile(errFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimRight(string(b), "\n"); got != "\tpass stopped: "+s.Error {
		t.Errorf("error file:\n%s", b)
	}
}

// e2eWarm creates a one-file folder; scanning it signs the CLI in.
func e2eWarm(t *testing.T, e *e2eEnv) string {
	t.Helper()
	dir := filepath.Join(e.dir, "warm")
	e2eWriteFiles(t, dir, map[string][]byte{"w.txt": []byte("w")})
	return dir
}

// TestScanHeldDeletionsNeedConfirmation: a mass delete is held back (exit
// 0, nothing trashed, the summary says it needs a decision) until the
// same scan runs with --confirm-deletes.
func TestScanHeldDeletionsNeedConfirmation(t *testing.T) {
	e := newE2E(t)
	dir := filepath.Join(e.dir, "docs")
	files := map[string][]byte{}
	for i := range 30 {
		files[fmt.Sprintf("f%02d.txt", i)] = []byte(fmt.Sprint(i))
	}
	e2eWriteFiles(t, dir, files)
	e.scan(t, 0, dir, "/L/A/docs", "--prune-files")
	for i := range 20 {
		os.Remove(filepath.Join(dir, fmt.Sprintf("f%02d.txt", i)))
	}
	s := e.scan(t, 0, dir, "/L/A/docs", "--prune-files")
	if s.Planned.HeldFiles != 20 || s.Counters.FilesTrashed != 0 || s.PruneRefused == "" {
		t.Fatalf("held %d, trashed %d, refusal %q; want 20 held and nothing trashed", s.Planned.HeldFiles, s.Counters.FilesTrashed, s.PruneRefused)
	}
	if n := len(e.remoteFiles(t, "/L/A/docs")); n != 30 {
		t.Fatalf("server holds %d files before the confirmation, want 30", n)
	}
	r := e.jotta(t, "scan", "--prune-files", dir, "/L/A/docs")
	if r.code != 0 || !strings.Contains(r.stdout, "needs your decision: 20 files are gone from this folder") || !strings.Contains(r.stdout, "--confirm-deletes") {
		t.Errorf("text summary (exit %d):\n%s", r.code, r.stdout)
	}
	s = e.scan(t, 0, dir, "/L/A/docs", "--prune-files", "--confirm-deletes")
	if s.Counters.FilesTrashed != 20 || s.PruneRefused != "" {
		t.Errorf("confirmed: trashed %d, refusal %q", s.Counters.FilesTrashed, s.PruneRefused)
	}
	if n := len(e.remoteFiles(t, "/L/A/docs")); n != 10 {
		t.Errorf("server holds %d files after the confirmation, want 10", n)
	}
}

// TestPassProgressWhileCounting: while the walk still finds files the
// display counts (no percentage that would look nearly done); once the
// totals are known it is a bar again.
func TestPassProgressWhileCounting(t *testing.T) {
	var buf bytes.Buffer
	p := newPassProgress(&buf)
	p.width = 10
	p.update(syncer.ProgressEvent{Phase: syncer.StateScanning, FilesTotal: 640, BytesTotal: 41 << 20, FilesDone: 627, BytesDone: 40 << 20, Counting: true})
	counting := buf.String()
	p.update(syncer.ProgressEvent{Phase: syncer.StateScanning, FilesTotal: 640, BytesTotal: 41 << 20, FilesDone: 640, BytesDone: 41 << 20})
	p.done()
	if !strings.Contains(counting, "hashing 627 files (40.0 MiB) so far") || strings.Contains(counting, "%") || strings.Contains(counting, "/640") {
		t.Errorf("while counting, the display shows a total or a percentage:\n%q", counting)
	}
	if rest := buf.String()[len(counting):]; !strings.Contains(rest, "hashing 640/640") || !strings.Contains(rest, "100%") {
		t.Errorf("once the totals are known, no complete bar:\n%q", rest)
	}
}
