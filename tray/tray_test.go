package tray

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
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

// fakeShell records what the tray shows and counts the changes.
type fakeShell struct {
	mu      sync.Mutex
	items   []*fakeItem
	icon    []byte
	icons   int // SetIcon calls
	changes int // item label or enabled changes
	title   string
	tooltip string
	attn    bool
}

type fakeItem struct {
	s       *fakeShell
	label   string
	enabled bool
	click   func()
}

func (s *fakeShell) AddItem(label string, onClick func()) ShellItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &fakeItem{s: s, label: label, click: onClick}
	s.items = append(s.items, it)
	return it
}
func (s *fakeShell) AddSeparator() {}
func (s *fakeShell) SetIcon(b [][]byte) {
	s.mu.Lock()
	s.icon, s.icons = b[len(b)-1], s.icons+1
	s.mu.Unlock()
}
func (s *fakeShell) SetTitle(t string)         { s.mu.Lock(); s.title = t; s.mu.Unlock() }
func (s *fakeShell) SetTooltip(t string)       { s.mu.Lock(); s.tooltip = t; s.mu.Unlock() }
func (s *fakeShell) SetNeedsAttention(on bool) { s.mu.Lock(); s.attn = on; s.mu.Unlock() }
func (i *fakeItem) SetLabel(l string)          { i.s.mu.Lock(); i.label = l; i.s.changes++; i.s.mu.Unlock() }
func (i *fakeItem) SetEnabled(on bool)         { i.s.mu.Lock(); i.enabled = on; i.s.changes++; i.s.mu.Unlock() }

// find returns the item labelled l.
func (s *fakeShell) find(t *testing.T, l string) *fakeItem {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range s.items {
		if it.label == l {
			return it
		}
	}
	t.Fatalf("shell has no item %q", l)
	return nil
}

type fakeNotifier struct{ got chan *fyne.Notification }

func (n *fakeNotifier) SendNotification(x *fyne.Notification) { n.got <- x }

var testNow = time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)

// harness runs a Tray against fakes; states are shown at once.
type harness struct {
	tr       *Tray
	host     *fakeHost
	shell    *fakeShell
	notes    *fakeNotifier
	settings chan struct{}
}

func newTestTray(t *testing.T) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{
		host:     newFakeHost(),
		shell:    &fakeShell{},
		notes:    &fakeNotifier{got: make(chan *fyne.Notification, 4)},
		settings: make(chan struct{}, 1),
	}
	h.tr = New(h.host, Options{
		Notifier:     h.notes,
		Now:          func() time.Time { return testNow },
		MinInterval:  -1,
		ShowSettings: func() { h.settings <- struct{}{} },
	})
	h.tr.Attach(h.shell)
	return h
}

// send shows a state.
func (h *harness) send(s State) { h.tr.Update(s) }

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
			h.shell.mu.Lock()
			defer h.shell.mu.Unlock()
			if want := Icon(tc.s.Phase); want.Name() != tc.icon || string(h.shell.icon) != string(want.Content()) {
				t.Errorf("icon is not %s", tc.icon)
			}
			if h.shell.tooltip != h.tr.Tooltip() || !strings.HasPrefix(h.shell.tooltip, "JottaCloud Backup — ") ||
				!strings.Contains(strings.ToLower(h.shell.tooltip), strings.ToLower(tc.status)) {
				t.Errorf("tooltip %q does not say %q", h.shell.tooltip, tc.status)
			}
			if h.shell.attn != (tc.s.Phase == Problem) {
				t.Errorf("needs attention = %v in phase %v", h.shell.attn, tc.s.Phase)
			}
		})
	}
}

func TestTrayStartsWithCommandsDisabled(t *testing.T) {
	test.NewTempApp(t)
	tr := New(newFakeHost(), Options{})
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
			if tc.label == LabelResume {
				h.send(State{Phase: Paused, Pairs: 1})
			}
			h.shell.find(t, tc.label).click() // as a click on the panel arrives
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
	h.shell.find(t, LabelSettings).click()
	h.send(State{Phase: Syncing, Pairs: 1})
	h.shell.find(t, LabelBackupNow).click() // disabled while a backup runs: ignored
	select {
	case c := <-h.host.calls:
		t.Errorf("a click on a disabled item reached the host: %q", c)
	case <-time.After(100 * time.Millisecond):
	}
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

// TestTrayThrottlesProgress feeds a backup's progress ten times a second
// for ten seconds: the menu keeps its items, the status line changes at
// most about twice a second, the icon only when the phase changes, and the
// last state is shown in the end.
func TestTrayThrottlesProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shell := &fakeShell{}
		tr := New(newFakeHost(), Options{Now: func() time.Time { return testNow }})
		tr.Attach(shell)
		tr.Update(State{Phase: Idle, Pairs: 1, LastBackup: testNow})
		shell.mu.Lock()
		items, icons, changes := len(shell.items), shell.icons, shell.changes
		shell.mu.Unlock()
		for i := 1; i <= 100; i++ {
			tr.Update(State{Phase: Syncing, Pairs: 1, FilesDone: i, FilesTotal: 300})
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		shell.mu.Lock()
		defer shell.mu.Unlock()
		if len(shell.items) != items {
			t.Errorf("the menu went from %d to %d items", items, len(shell.items))
		}
		if n := shell.icons - icons; n != 1 {
			t.Errorf("the icon was set %d times for one change of phase", n)
		}
		if n := shell.changes - changes; n > 25 {
			t.Errorf("%d menu changes in 10 s, want at most about two a second", n)
		}
		if got := shell.items[0].label; got != "Uploading 100 of 300 files" {
			t.Errorf("status line at the end %q, want the last state", got)
		}
	})
}
