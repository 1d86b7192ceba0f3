package tray

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// fakeHost records commands and feeds states the test sends.
type fakeHost struct {
	states chan State
	calls  chan string
	mu     sync.Mutex
	until  time.Time
}

func newFakeHost() *fakeHost {
	return &fakeHost{states: make(chan State), calls: make(chan string, 8)}
}

func (h *fakeHost) States(ctx context.Context) <-chan State { return h.states }
func (h *fakeHost) BackupNow(context.Context) error         { h.calls <- "backup"; return nil }
func (h *fakeHost) Resume(context.Context) error            { h.calls <- "resume"; return nil }
func (h *fakeHost) Pause(_ context.Context, until time.Time) error {
	h.mu.Lock()
	h.until = until
	h.mu.Unlock()
	h.calls <- "pause"
	return nil
}

type fakeDesktop struct {
	mu   sync.Mutex
	menu *fyne.Menu
	icon fyne.Resource
}

func (d *fakeDesktop) SetSystemTrayMenu(m *fyne.Menu) { d.mu.Lock(); d.menu = m; d.mu.Unlock() }
func (d *fakeDesktop) SetSystemTrayIcon(r fyne.Resource) {
	d.mu.Lock()
	d.icon = r
	d.mu.Unlock()
}
func (d *fakeDesktop) Icon() fyne.Resource { d.mu.Lock(); defer d.mu.Unlock(); return d.icon }

type fakeNotifier struct{ got chan *fyne.Notification }

func (n *fakeNotifier) SendNotification(x *fyne.Notification) { n.got <- x }

var testNow = time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)

// harness runs a Tray against fakes. UI work is serialised by mu, the way
// the UI goroutine serialises it in the app, and each finished piece of UI
// work is signalled on applied.
type harness struct {
	tr       *Tray
	host     *fakeHost
	desk     *fakeDesktop
	notes    *fakeNotifier
	settings chan struct{}
	mu       sync.Mutex
	applied  chan struct{}
}

func newTestTray(t *testing.T) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{
		host:     newFakeHost(),
		desk:     &fakeDesktop{},
		notes:    &fakeNotifier{got: make(chan *fyne.Notification, 4)},
		settings: make(chan struct{}, 1),
		applied:  make(chan struct{}, 16),
	}
	h.tr = New(h.host, Options{
		Notifier: h.notes,
		Now:      func() time.Time { return testNow },
		Do: func(f func()) {
			h.mu.Lock()
			f()
			h.mu.Unlock()
			h.applied <- struct{}{}
		},
		ShowSettings: func() { h.settings <- struct{}{} },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	h.tr.opt.Do(func() { h.tr.Install(h.desk) })
	<-h.applied
	go func() { h.tr.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// send delivers a state and waits until the tray has shown it.
func (h *harness) send(s State) {
	h.host.states <- s
	<-h.applied
}

func item(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("menu has no item %q", label)
	return nil
}

func labels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		if !it.IsSeparator {
			out = append(out, it.Label)
		}
	}
	return out
}

func TestTrayFollowsHostState(t *testing.T) {
	h := newTestTray(t)
	cases := []struct {
		name        string
		s           State
		status      string
		icon        string
		backupOff   bool
		resumeOff   bool
		settingsLbl string
	}{
		{"idle", State{Phase: Idle, Pairs: 1, LastBackup: testNow.Add(-4 * time.Minute)}, "Backed up 4 min ago", "tray_idle.png", false, true, LabelSettings},
		{"uploading", State{Phase: Syncing, Pairs: 1, FilesDone: 12, FilesTotal: 340, BytesLeft: 1_200_000_000}, "Uploading 12 of 340 files — 1.2 GB left", "tray_syncing.png", true, true, LabelSettings},
		{"paused", State{Phase: Paused, Pairs: 1, PausedUntil: testNow.Add(time.Hour)}, "Paused until 11:30", "tray_paused.png", false, false, LabelSettings},
		{"problem", State{Phase: Problem, Pairs: 1, Problems: 3}, "3 files could not be backed up", "tray_problem.png", false, true, LabelSettings},
		{"signed out", State{Phase: SignedOut}, "Sign in needed", "tray_signed_out.png", true, true, "Sign in…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.send(tc.s)
			h.mu.Lock()
			defer h.mu.Unlock()
			m := h.tr.Menu()
			if got := m.Items[0].Label; got != tc.status {
				t.Errorf("status line = %q, want %q", got, tc.status)
			}
			if !m.Items[0].Disabled {
				t.Error("status line is clickable")
			}
			if got := item(t, m, LabelBackupNow).Disabled; got != tc.backupOff {
				t.Errorf("Back up now disabled = %v, want %v", got, tc.backupOff)
			}
			if got := item(t, m, LabelResume).Disabled; got != tc.resumeOff {
				t.Errorf("Resume disabled = %v, want %v", got, tc.resumeOff)
			}
			if got := item(t, m, tc.settingsLbl); got == nil {
				t.Errorf("no settings item %q", tc.settingsLbl)
			}
			if got := h.desk.Icon(); got == nil || got.Name() != tc.icon {
				t.Errorf("icon = %v, want %s", got, tc.icon)
			}
		})
	}
}

func TestTrayStartsWithCommandsDisabled(t *testing.T) {
	test.NewTempApp(t)
	tr := New(newFakeHost(), Options{Do: func(f func()) { f() }})
	m := tr.Menu()
	if got := m.Items[0].Label; got != "Starting…" {
		t.Errorf("status before the first state = %q", got)
	}
	for _, l := range []string{LabelBackupNow, LabelPauseHour, LabelPauseTomorrow, LabelResume} {
		if !item(t, m, l).Disabled {
			t.Errorf("%q is enabled before the host reported a state", l)
		}
	}
	if item(t, m, LabelSettings).Disabled || item(t, m, LabelQuit).Disabled {
		t.Error("Settings… and Quit must always work")
	}
}

func TestTrayMenuSendsCommands(t *testing.T) {
	h := newTestTray(t)
	h.send(State{Phase: Idle, Pairs: 1})
	m := h.tr.Menu()
	h.mu.Lock()
	defer h.mu.Unlock()
	want := []string{"Starting…", LabelBackupNow, LabelPauseHour, LabelPauseTomorrow, LabelResume, LabelSettings, LabelQuit}
	got := labels(m)
	got[0] = "Starting…" // the status line's text is covered elsewhere
	if len(got) != len(want) {
		t.Fatalf("menu = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("menu = %q, want %q", got, want)
		}
	}
	if !item(t, m, LabelQuit).IsQuit {
		t.Error("Quit is not marked as the quit item")
	}

	cases := []struct {
		label, call string
		until       time.Time
	}{
		{LabelBackupNow, "backup", time.Time{}},
		{LabelPauseHour, "pause", testNow.Add(time.Hour)},
		{LabelPauseTomorrow, "pause", time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)},
		{LabelResume, "resume", time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			item(t, m, tc.label).Action()
			select {
			case c := <-h.host.calls:
				if c != tc.call {
					t.Fatalf("host got %q, want %q", c, tc.call)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("host never got %q", tc.call)
			}
			if !tc.until.IsZero() {
				h.host.mu.Lock()
				until := h.host.until
				h.host.mu.Unlock()
				if !until.Equal(tc.until) {
					t.Errorf("paused until %v, want %v", until, tc.until)
				}
			}
		})
	}
	item(t, m, LabelSettings).Action()
	select {
	case <-h.settings:
	default:
		t.Error("Settings… did not open the settings window")
	}
}

func TestTrayNotifiesOnce(t *testing.T) {
	h := newTestTray(t)
	n := h.notes
	send := h.send
	send(State{Phase: Problem, Pairs: 1, PassError: "network unreachable", Passes: 1})
	select {
	case got := <-n.got:
		if got.Title != "Backup failed" {
			t.Errorf("notification %q, want Backup failed", got.Title)
		}
	default:
		t.Fatal("no notification for a failed pass")
	}
	send(State{Phase: Problem, Pairs: 1, PassError: "network unreachable", Passes: 2})
	send(State{Phase: Idle, Pairs: 1, Passes: 3})
	select {
	case got := <-n.got:
		t.Errorf("unexpected notification %q", got.Title)
	default:
	}
}
