package settings

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/tray"
)

var testNow = time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)

func newTestWindow(t *testing.T, f *fakeBackend, adjust ...func(*Config)) (*Window, fyne.Canvas) {
	t.Helper()
	a := test.NewTempApp(t)
	cfg := Config{
		Hostname:   func() (string, error) { return "testhost.local", nil },
		Now:        func() time.Time { return testNow },
		OpenFolder: func(string) error { return nil },
	}
	for _, f := range adjust {
		f(&cfg)
	}
	w := New(a, f, cfg)
	t.Cleanup(w.Stop)
	w.waitIdle()
	w.win.Resize(fyne.NewSize(900, 900))
	return w, w.win.Canvas()
}

// localFolder makes a folder with two files (5 bytes in all).
func localFolder(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for p, body := range map[string]string{"a.txt": "abc", "sub/b.txt": "de"} {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func signedIn(f *fakeBackend, pairs ...Pair) *fakeBackend {
	f.account = Account{SignedIn: true, User: "jdoe@example.org"}
	f.pairs = pairs
	f.nextID = len(pairs)
	return f
}

func TestFirstRunDemoAddPairShowsBackedUp(t *testing.T) {
	f := newFakeBackend(testNow)
	w, c := newTestWindow(t, f)

	wantText(t, c, "Welcome to JottaCloud Backup")
	test.Tap(button(t, c, "Try the demo"))
	w.waitIdle()
	if f.called("StartDemo") != 1 {
		t.Fatalf("StartDemo called %d times", f.called("StartDemo"))
	}
	wantNoText(t, c, "Welcome to JottaCloud Backup")
	wantText(t, c, "No folders yet")

	test.Tap(button(t, c, "Add folder…"))
	ed := w.editor
	if ed == nil {
		t.Fatal("Add folder… opened no editor")
	}
	dir := localFolder(t, "Documents")
	test.Type(ed.local, dir)
	if got, want := ed.remote.Text, "/testhost/Documents"; got != want {
		t.Errorf("proposed remote = %q, want %q", got, want)
	}
	test.Tap(ed.save)
	w.waitIdle()

	if f.called("SavePair") != 1 {
		t.Fatalf("SavePair called %d times", f.called("SavePair"))
	}
	wantNoText(t, c, "Add a folder") // the editor closed
	wantText(t, c, dir)
	wantText(t, c, "→ JottaCloud /testhost/Documents")
	wantShown(t, c, "Backed up just now · 2 files · 5 B")
}

func TestSignInToken(t *testing.T) {
	cases := []struct {
		name      string
		token     string
		wantCalls int
		wantErr   string // "" means signed in
	}{
		{"empty", "", 0, "Paste your personal login token"},
		{"malformed", "my password 123", 0, "This is not a personal login token"},
		{"cut short", loginToken("jdoe", "secret")[:30], 0, "This is not a personal login token"},
		{"spent (backend field error)", loginToken("jdoe", "spent"), 1, "already used"},
		{"valid", loginToken("jdoe@example.org", "secret"), 1, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeBackend(testNow)
			w, c := newTestWindow(t, f)
			test.Type(w.welcome.token, tc.token)
			test.Tap(button(t, c, "Sign in"))
			w.waitIdle()
			if got := f.called("SignIn"); got != tc.wantCalls {
				t.Errorf("backend SignIn called %d times, want %d", got, tc.wantCalls)
			}
			if tc.wantErr == "" {
				wantNoText(t, c, "Welcome to JottaCloud Backup")
				wantText(t, c, "No folders yet")
				w.tabs.SelectIndex(3)
				wantText(t, c, "Signed in as jdoe@example.org")
				return
			}
			if !w.welcome.tokenErr.Visible() || !strings.Contains(w.welcome.tokenErr.Text, tc.wantErr) {
				t.Errorf("token error = %q (visible %v), want %q", w.welcome.tokenErr.Text, w.welcome.tokenErr.Visible(), tc.wantErr)
			}
			laidOut(t, "token error", w.welcome.tokenErr)
			if tc.token != "" && strings.Contains(texts(c), tc.token) {
				t.Error("the window repeats the token")
			}
			wantText(t, c, "Welcome to JottaCloud Backup")
		})
	}
}

func TestEditPair(t *testing.T) {
	dir := localFolder(t, "Photos")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Photos", Enabled: true, Watch: true, Interval: time.Hour})
	w, c := newTestWindow(t, f)
	wantText(t, c, "→ JottaCloud /laptop/Photos")

	test.Tap(button(t, c, "Edit…"))
	ed := w.editor
	if ed.local.Text != dir || ed.remote.Text != "/laptop/Photos" || !ed.watch.Checked {
		t.Fatalf("editor shows %q %q watch=%v", ed.local.Text, ed.remote.Text, ed.watch.Checked)
	}

	// A remote without a mount point is explained and nothing is saved.
	ed.remote.SetText("")
	test.Type(ed.remote, "/laptop")
	test.Tap(ed.save)
	w.waitIdle()
	if f.called("SavePair") != 0 {
		t.Fatal("an invalid pair was sent to the backend")
	}
	if !ed.remoteErr.Visible() || !strings.Contains(ed.remoteErr.Text, "/Device/MountPoint") {
		t.Fatalf("remote error = %q", ed.remoteErr.Text)
	}
	laidOut(t, "remote error", ed.remoteErr)

	ed.remote.SetText("/nas/Pictures/2026")
	test.Tap(ed.watch) // switch watching off
	ed.excludes.SetText("*.tmp\n\n  raw/ \n")
	ed.interval.SetSelected("Once a day")
	test.Tap(ed.save)
	w.waitIdle()

	if f.called("SavePair") != 1 {
		t.Fatalf("SavePair called %d times", f.called("SavePair"))
	}
	got := f.pairs[0]
	if got.ID != "p1" || got.Remote != "/nas/Pictures/2026" || got.Watch || got.Interval != 24*time.Hour ||
		strings.Join(got.Excludes, ",") != "*.tmp,raw/" {
		t.Errorf("saved pair = %+v", got)
	}
	wantText(t, c, "→ JottaCloud /nas/Pictures/2026")
}

func TestAddPairRejectsFileAsFolder(t *testing.T) {
	f := signedIn(newFakeBackend(testNow))
	w, c := newTestWindow(t, f)
	file := filepath.Join(localFolder(t, "x"), "a.txt")
	test.Tap(button(t, c, "Add folder…"))
	ed := w.editor
	test.Type(ed.local, file)
	test.Tap(ed.save)
	w.waitIdle()
	if f.called("SavePair") != 0 {
		t.Fatal("a file was sent to the backend as a folder")
	}
	if !ed.localErr.Visible() || !strings.Contains(ed.localErr.Text, "not a folder") {
		t.Errorf("local error = %q", ed.localErr.Text)
	}
}

func TestRemovePairAsksAndKeepsRemoteData(t *testing.T) {
	dir := localFolder(t, "Music")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Music", Enabled: true, Interval: time.Hour})
	f.remote["/laptop/Music"] = 2
	w, c := newTestWindow(t, f)

	test.Tap(button(t, c, "Remove…"))
	wantText(t, c, "Stop backing up this folder?")
	wantText(t, c, "Nothing is deleted there")
	if f.called("RemovePair") != 0 {
		t.Fatal("the pair was removed before the user confirmed")
	}
	test.Tap(button(t, c, "Keep"))
	w.waitIdle()
	if f.called("RemovePair") != 0 || len(f.pairs) != 1 {
		t.Fatal("Keep removed the pair")
	}

	test.Tap(button(t, c, "Remove…"))
	test.Tap(button(t, c, "Stop backing up"))
	w.waitIdle()
	if f.called("RemovePair") != 1 {
		t.Fatalf("RemovePair called %d times", f.called("RemovePair"))
	}
	wantText(t, c, "No folders yet")
	if f.remote["/laptop/Music"] != 2 {
		t.Errorf("remote data changed: %v", f.remote)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.txt")); err != nil {
		t.Errorf("local data changed: %v", err)
	}
}

func TestRemoteChooserBrowsesAccount(t *testing.T) {
	f := signedIn(newFakeBackend(testNow))
	w, c := newTestWindow(t, f)
	test.Tap(button(t, c, "Add folder…"))
	ed := w.editor
	test.Type(ed.local, localFolder(t, "Notes"))
	test.Tap(button(t, c, "Browse…"))
	w.waitIdle()
	ch := w.chooser
	if ch.device.Text != "testhost" || ch.mount.Text != "Notes" {
		t.Errorf("chooser starts at %q/%q, want the proposal testhost/Notes", ch.device.Text, ch.mount.Text)
	}
	if f.called("Devices") != 1 {
		t.Errorf("Devices called %d times", f.called("Devices"))
	}
	ch.mount.SetText("")
	test.Tap(ch.ok)
	if !ch.errLabel.Visible() || ed.remote.Text != "/testhost/Notes" {
		t.Fatalf("a place without a mount point was accepted: error %q, remote %q", ch.errLabel.Text, ed.remote.Text)
	}
	laidOut(t, "chooser error", ch.errLabel)
	w.Sync(func() { ch.device.SetText("laptop") })
	w.waitIdle()
	w.Sync(func() {
		ch.mount.SetText("Documents")
		ch.folder.SetText("notes")
		test.Tap(ch.ok)
	})
	if got := ed.remote.Text; got != "/laptop/Documents/notes" {
		t.Errorf("remote after choosing = %q", got)
	}
}

func TestOptionsSaveThemselves(t *testing.T) {
	f := signedIn(newFakeBackend(testNow))
	f.options.Endpoint = "http://127.0.0.1:8080" // from the configuration file: kept, never shown
	w, c := newTestWindow(t, f)
	p := w.options
	p.delay = time.Millisecond
	if p.transfers.Text != "4" {
		t.Fatalf("transfers shows %q, want the backend's 4", p.transfers.Text)
	}
	wantNoText(t, c, "Service address")
	saves := func() int { w.waitIdle(); return f.called("SaveOptions") }

	// Invalid typing is explained and not saved.
	w.Sync(func() { p.transfers.SetText("100") })
	time.Sleep(50 * time.Millisecond)
	w.waitIdle()
	if n := saves(); n != 0 {
		t.Fatalf("invalid options were saved (%d times)", n)
	}
	w.Sync(func() {
		if !p.transfersErr.Visible() {
			t.Fatal("the transfers error is not shown")
		}
		laidOut(t, "transfers error", p.transfersErr)
	})

	// A check box is saved at once, typing when it pauses.
	w.Sync(func() { p.transfers.SetText("8"); p.bandwidth.SetText("500") })
	time.Sleep(50 * time.Millisecond)
	w.waitIdle()
	w.Sync(func() { test.Tap(p.startAtLogin) })
	w.waitIdle()
	want := Options{StartAtLogin: true, BandwidthKBps: 500, Transfers: 8, Notifications: true,
		TrayIcon: tray.IconColour, Endpoint: "http://127.0.0.1:8080"}
	f.mu.Lock()
	got := f.options
	f.mu.Unlock()
	if got != want {
		t.Errorf("saved %+v, want %+v", got, want)
	}

	// The tray icon's look is saved at once.
	n := saves()
	w.Sync(func() { p.trayIcon.SetSelected("Dark panel (white icon)") })
	if saves() != n+1 {
		t.Fatal("choosing a tray icon did not save the options")
	}
	f.mu.Lock()
	got = f.options
	f.mu.Unlock()
	if want.TrayIcon = tray.IconDark; got != want {
		t.Errorf("saved %+v, want %+v", got, want)
	}
	w.Sync(func() {
		if p.transfersErr.Visible() || p.saved.Text != "Changes are saved." {
			t.Errorf("after a good save: error visible %v, status %q", p.transfersErr.Visible(), p.saved.Text)
		}
	})
}

// TestActivityWhileCounting: while the pass still finds files, the page
// says how many it read so far and shows a moving bar, not a fraction of a
// total that is not known yet.
func TestActivityWhileCounting(t *testing.T) {
	dir := localFolder(t, "Docs")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Docs", Enabled: true, Interval: time.Hour})
	f.activity = Activity{Running: true, PairLocal: dir, FilesDone: 627, FilesTotal: 640,
		BytesDone: 40_000_000, BytesTotal: 41_000_000, Rate: 2_000_000, Reading: true, Counting: true}
	w, c := newTestWindow(t, f)
	w.tabs.SelectIndex(1)
	wantText(t, c, "Reading new and changed files in "+dir+": 627 so far")
	wantText(t, c, "40.0 MB read · 2.0 MB/s")
	var moving, fraction bool
	w.Sync(func() { moving, fraction = w.activity.counting.Visible(), w.activity.bar.Visible() })
	if !moving || fraction {
		t.Errorf("while counting: moving bar shown %v, fraction bar shown %v; want only the moving one", moving, fraction)
	}
}

func TestActivityShowsPassAndProblems(t *testing.T) {
	dir := localFolder(t, "Docs")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Docs", Enabled: true, Interval: time.Hour})
	f.activity = Activity{
		Running: true, PairLocal: dir, FilesDone: 12, FilesTotal: 340,
		BytesDone: 120_000_000, BytesTotal: 1_200_000_000, Rate: 2_500_000, ETA: 7 * time.Minute,
		Problems: []Problem{{PairID: "p1", Path: filepath.Join(dir, "sub", "b.txt"), Reason: "permission denied"}},
		Log:      []string{"pass started", "uploading a.txt"},
	}
	opened := make(chan string, 1)
	w, c := newTestWindow(t, f, func(cfg *Config) {
		cfg.OpenFolder = func(p string) error { opened <- p; return nil }
	})
	w.tabs.SelectIndex(1)
	wantText(t, c, "Backing up "+dir+": 12 of 340 files")
	wantText(t, c, "120 MB of 1.2 GB · 2.5 MB/s · about 7 min left")
	wantShown(t, c, "permission denied")
	wantText(t, c, "uploading a.txt")
	if v := w.activity.bar.Value; v < 0.099 || v > 0.101 {
		t.Errorf("progress = %v, want 0.1", v)
	}
	test.Tap(button(t, c, "Leave out"))
	w.waitIdle()
	if f.lastExcl != "/sub/b.txt" {
		t.Errorf("exclude added = %q, want /sub/b.txt", f.lastExcl)
	}
	test.Tap(button(t, c, "Open folder"))
	select {
	case got := <-opened:
		if got != filepath.Join(dir, "sub") {
			t.Errorf("opened %q, want the problem file's folder", got)
		}
	default:
		t.Error("Open folder opened nothing")
	}
	test.Tap(button(t, c, "Retry"))
	w.waitIdle()
	if f.called("RetryProblem") != 1 {
		t.Errorf("RetryProblem called %d times", f.called("RetryProblem"))
	}
}

func TestWindowFollowsBackendChanges(t *testing.T) {
	dir := localFolder(t, "Docs")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Docs", Enabled: true, Interval: time.Hour,
		Status: PairStatus{Running: true}})
	w, c := newTestWindow(t, f)
	wantText(t, c, "Backing up…")
	refreshed := make(chan struct{}, 1)
	w.uiMu.Lock()
	w.onRefresh = func() { refreshed <- struct{}{} }
	w.uiMu.Unlock()

	f.mu.Lock()
	f.pairs[0].Status = PairStatus{LastComplete: testNow.Add(-4 * time.Minute), Files: 2, Bytes: 5}
	f.mu.Unlock()
	f.changes <- struct{}{}
	<-refreshed
	w.waitIdle()
	wantText(t, c, "Backed up 4 min ago · 2 files · 5 B")

	f.mu.Lock()
	f.account = Account{}
	f.mu.Unlock()
	f.changes <- struct{}{}
	<-refreshed
	w.waitIdle()
	wantText(t, c, "Welcome to JottaCloud Backup")
}

// TestSignInRunsOffTheUIGoroutine holds the backend's SignIn: tapping Sign in
// must return at once with the page busy, and finish when the call returns.
func TestSignInRunsOffTheUIGoroutine(t *testing.T) {
	f := newFakeBackend(testNow)
	f.gate = make(chan struct{})
	w, c := newTestWindow(t, f)
	test.Type(w.welcome.token, loginToken("jdoe@example.org", "secret"))
	test.Tap(button(t, c, "Sign in")) // would hang here if SignIn ran on this goroutine

	w.uiMu.Lock()
	busy := w.welcome.busy.Visible() && w.welcome.signIn.Disabled() && w.welcome.demo.Disabled()
	w.uiMu.Unlock()
	if !busy {
		t.Error("the page does not show that signing in is under way")
	}
	close(f.gate)
	w.waitIdle()
	if w.welcome.busy.Visible() || w.welcome.signIn.Disabled() {
		t.Error("the page stayed busy after signing in")
	}
	wantText(t, c, "No folders yet")
}

func TestSignOutAsksAndReturnsToWelcome(t *testing.T) {
	f := signedIn(newFakeBackend(testNow))
	w, c := newTestWindow(t, f)
	w.tabs.SelectIndex(3)
	test.Tap(button(t, c, "Sign out"))
	wantText(t, c, "Your folders, their settings and everything already in JottaCloud are kept")
	if f.called("SignOut") != 0 {
		t.Fatal("signed out before the user confirmed")
	}
	test.Tap(buttons(c, "Sign out")[1]) // the dialog's confirm button
	w.waitIdle()
	if f.called("SignOut") != 1 {
		t.Fatalf("SignOut called %d times", f.called("SignOut"))
	}
	wantText(t, c, "Welcome to JottaCloud Backup")
}

// TestWindowFitsTheScreenWithManyProblems fills the Activity page with 200
// problem files of long paths: every page must still fit a 640×480 window
// (lists scroll instead of growing it), the window keeps its size, and the
// folder editor opens inside it.
func TestWindowFitsTheScreenWithManyProblems(t *testing.T) {
	dir := localFolder(t, "Docs")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Docs", Enabled: true, Interval: time.Hour})
	deep := strings.Repeat("a rather long folder name/", 8)
	for i := range 200 {
		f.activity.Problems = append(f.activity.Problems, Problem{PairID: "p1",
			Path:   filepath.Join(dir, deep, fmt.Sprintf("file %03d.txt", i)),
			Reason: "the file could not be read: permission denied; give yourself read access or leave it out"})
	}
	w, c := newTestWindow(t, f)
	w.win.Resize(fyne.NewSize(1280, 800))
	for i, name := range []string{"Folders", "Activity", "Options", "Account"} {
		w.tabs.SelectIndex(i)
		if m := w.win.Content().MinSize(); m.Width > 640 || m.Height > 480 {
			t.Errorf("%s page needs %v, more than 640×480", name, m)
		}
	}
	w.tabs.SelectIndex(1)
	if got := c.Size(); got.Width > 1280 || got.Height > 800 {
		t.Errorf("window grew to %v with 200 problems", got)
	}
	if w.activity.list.Length() != 200 {
		t.Errorf("problem list has %d rows, want 200", w.activity.list.Length())
	}

	w.tabs.SelectIndex(0)
	test.Tap(button(t, c, "Edit…"))
	overlay := c.Overlays().Top()
	if overlay == nil {
		t.Fatal("Edit… opened no dialog")
	}
	for _, o := range visible(c) {
		if d, ok := o.(*widget.PopUp); ok {
			pos, size := d.Content.Position(), d.Content.Size()
			if pos.X < 0 || pos.Y < 0 || pos.X+size.Width > c.Size().Width || pos.Y+size.Height > c.Size().Height {
				t.Errorf("the editor lies outside the window: at %v size %v in %v", pos, size, c.Size())
			}
		}
	}
}

// TestPausedBannerResumes shows the pause in the window with a Resume
// button; Back up now while paused ends the pause too.
func TestPausedBannerResumes(t *testing.T) {
	dir := localFolder(t, "Docs")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Docs", Enabled: true, Interval: time.Hour})
	f.activity.Paused, f.activity.PausedUntil = true, testNow.Add(90*time.Minute)
	w, c := newTestWindow(t, f)
	wantShown(t, c, "Backups are paused until 12:00.")
	test.Tap(button(t, c, "Resume"))
	w.waitIdle()
	if f.called("Resume") != 1 {
		t.Fatalf("Resume called %d times", f.called("Resume"))
	}
	wantNoText(t, c, "Backups are paused")

	f.mu.Lock()
	f.activity.Paused, f.activity.PausedUntil = true, time.Time{}
	f.mu.Unlock()
	w.refresh()
	w.waitIdle()
	wantShown(t, c, "Backups are paused until you resume them.")
	test.Tap(buttons(c, "Back up now")[0])
	w.waitIdle()
	wantNoText(t, c, "Backups are paused")
}

// TestAccountShowsStorage draws the storage bar of the Account page.
func TestAccountShowsStorage(t *testing.T) {
	f := signedIn(newFakeBackend(testNow))
	f.storage = Storage{Used: 1_500_000_000, Total: 5_000_000_000}
	w, c := newTestWindow(t, f)
	w.tabs.SelectIndex(3)
	w.refresh()
	w.waitIdle()
	wantShown(t, c, "1.5 GB of 5.0 GB used (30%)")
	if v := w.account.storage.Value; v < 0.29 || v > 0.31 || !w.account.storage.Visible() {
		t.Errorf("storage bar at %v (visible %v), want 0.3", v, w.account.storage.Visible())
	}
}

// TestErrorBannerSpeaksPlainlyAndCloses: a failure is said in the message
// mapping's words, and the banner can be closed.
func TestErrorBannerSpeaksPlainlyAndCloses(t *testing.T) {
	w, c := newTestWindow(t, signedIn(newFakeBackend(testNow)))
	w.Sync(func() {
		w.fail("Could not start a backup", fmt.Errorf("pass Work: %w", errors.New("jotta: java.net.SocketTimeoutException (x-id 12ab)")))
	})
	got := w.banner.Text
	for _, bad := range []string{"pass Work", "Exception", "x-id", "jotta:"} {
		if strings.Contains(got, bad) {
			t.Errorf("banner %q shows %q", got, bad)
		}
	}
	if !w.bannerBox.Visible() {
		t.Fatal("the banner is hidden")
	}
	for _, o := range visible(c) {
		if b, ok := asButton(o); ok && b.Text == "" && b.Icon != nil {
			test.Tap(b)
		}
	}
	if w.bannerBox.Visible() {
		t.Error("the banner's close button did not close it")
	}
}

// TestRemoteChooserDropsTheOldMountPointAndExplainsSpecialOnes: another
// device starts without the first one's mount point, and the built-in
// device's Sync is explained before it is used.
func TestRemoteChooserDropsTheOldMountPointAndExplainsSpecialOnes(t *testing.T) {
	f := signedIn(newFakeBackend(testNow))
	w, c := newTestWindow(t, f)
	test.Tap(button(t, c, "Add folder…"))
	test.Type(w.editor.local, localFolder(t, "Notes"))
	test.Tap(button(t, c, "Browse…"))
	w.waitIdle()
	ch := w.chooser
	w.Sync(func() { ch.device.SetText("laptop") })
	w.waitIdle()
	if ch.mount.Text != "" {
		t.Errorf("after switching to another device the mount point is still %q", ch.mount.Text)
	}
	w.Sync(func() {
		if ch.note.Visible() {
			t.Errorf("a note shows for an ordinary place: %q", ch.note.Text)
		}
		ch.device.SetText("Jotta")
		ch.mount.SetText("Sync")
		if !ch.note.Visible() || ch.note.Text == "" {
			t.Error("no note explains the built-in device's Sync")
		}
	})
}

// TestKeyboard: the token field has the focus on the first run, and
// Escape closes a dialog.
func TestKeyboard(t *testing.T) {
	w, c := newTestWindow(t, newFakeBackend(testNow))
	if c.Focused() != w.welcome.token {
		t.Errorf("focus on the first run is on %T, want the token field", c.Focused())
	}
	f := w.b.(*fakeBackend)
	w.Sync(func() {
		c.Focus(w.welcome.demo)
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	w.waitIdle()
	if f.called("StartDemo") != 1 {
		t.Errorf("Return on the focused Try the demo button started the demo %d times", f.called("StartDemo"))
	}
	_, c2 := newTestWindow(t, signedIn(newFakeBackend(testNow)))
	test.Tap(button(t, c2, "Add folder…"))
	if c2.Overlays().Top() == nil {
		t.Fatal("no dialog opened")
	}
	c2.Unfocus()
	c2.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape}) // as the window delivers a key no widget took
	if top := c2.Overlays().Top(); top != nil && top.Visible() {
		t.Error("Escape did not close the dialog")
	}
}

// TestSignOutForgetsTheOldToken: after signing out, the first-run page
// shows neither the token typed before nor its error.
func TestSignOutForgetsTheOldToken(t *testing.T) {
	f := newFakeBackend(testNow)
	w, c := newTestWindow(t, f)
	w.Sync(func() {
		w.welcome.token.SetText("not a token")
		w.welcome.submit()
	})
	w.waitIdle()
	w.Sync(func() {
		if !w.welcome.tokenErr.Visible() {
			t.Fatal("a malformed token shows no error")
		}
	})
	f.mu.Lock()
	f.account = Account{SignedIn: true, User: "jdoe@example.org"}
	f.mu.Unlock()
	w.refresh()
	w.waitIdle()
	f.mu.Lock()
	f.account = Account{}
	f.mu.Unlock()
	w.refresh()
	w.waitIdle()
	w.Sync(func() {
		if w.welcome.token.Text != "" || w.welcome.tokenErr.Visible() {
			t.Errorf("after signing out the page shows token %q and error %q", w.welcome.token.Text, w.welcome.tokenErr.Text)
		}
	})
	wantText(t, c, "Welcome to JottaCloud Backup")
}

// TestFocusColourShowsOnTheBlueButton: the focus colour differs from the
// primary colour it is blended over, in both variants.
func TestFocusColourShowsOnTheBlueButton(t *testing.T) {
	th := Theme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		fr, fg, fb, fa := th.Color(theme.ColorNameFocus, v).RGBA()
		pr, pg, pb, _ := th.Color(theme.ColorNamePrimary, v).RGBA()
		if fa == 0 || (fr == pr && fg == pg && fb == pb) || (fb > fr && fb > fg) {
			t.Errorf("variant %d: the focus colour is blue or invisible over the primary colour", v)
		}
	}
}

// TestAccountStateShownOnce: a state of the whole account (full, say) is
// one line above the pages, not a problem of each file.
func TestAccountStateShownOnce(t *testing.T) {
	f := signedIn(newFakeBackend(testNow))
	f.activity.Account = "Your JottaCloud is full. Free up space or upgrade; backups continue when there is room."
	w, c := newTestWindow(t, f)
	wantShown(t, c, "Your JottaCloud is full.")
	f.mu.Lock()
	f.activity.Account = ""
	f.mu.Unlock()
	w.refresh()
	w.waitIdle()
	wantNoText(t, c, "Your JottaCloud is full.")
}
