package tray

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"jottacloudclient/assets"
)

// Menu item labels, also used by tests that read the menu over D-Bus.
const (
	LabelBackupNow     = "Back up now"
	LabelPauseHour     = "Pause for 1 hour"
	LabelPauseTomorrow = "Pause until tomorrow"
	LabelResume        = "Resume"
	LabelSettings      = "Settings…"
	LabelQuit          = "Quit"
)

// Desktop is the part of fyne's desktop.App the tray draws into.
type Desktop interface {
	SetSystemTrayMenu(*fyne.Menu)
	SetSystemTrayIcon(fyne.Resource)
}

// Notifier shows desktop notifications; fyne.App satisfies it.
type Notifier interface {
	SendNotification(*fyne.Notification)
}

// Options configures a Tray. Every field is optional.
type Options struct {
	// ShowSettings opens the settings window.
	ShowSettings func()
	// Quit ends the application.
	Quit func()
	// Notifier receives notifications; nil or Notify == false shows none.
	Notifier Notifier
	// Notify can be switched off by the user's settings.
	Notify func() bool
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Do runs f on the UI goroutine (fyne.Do if nil).
	Do  func(f func())
	Log *slog.Logger
}

// Tray owns the tray menu and icon and keeps them in step with the Host.
type Tray struct {
	host Host
	opt  Options
	log  *slog.Logger

	menu                                 *fyne.Menu
	status, backup, pauseHour, pauseTmrw *fyne.MenuItem
	resume, settings, quit               *fyne.MenuItem
	desk                                 Desktop

	mu     sync.Mutex // guards state, policy
	state  State
	policy noticePolicy
	icon   fyne.Resource
}

var icons = map[Phase]fyne.Resource{
	Idle:      fyne.NewStaticResource("tray_idle.png", assets.TrayIdle),
	Syncing:   fyne.NewStaticResource("tray_syncing.png", assets.TraySyncing),
	Paused:    fyne.NewStaticResource("tray_paused.png", assets.TrayPaused),
	Problem:   fyne.NewStaticResource("tray_problem.png", assets.TrayProblem),
	SignedOut: fyne.NewStaticResource("tray_signed_out.png", assets.TraySignedOut),
}

// Icon returns the tray icon for a phase.
func Icon(p Phase) fyne.Resource {
	if r, ok := icons[p]; ok {
		return r
	}
	return icons[Problem]
}

// New builds the menu. Call Run to attach it to the desktop and follow the host.
func New(host Host, opt Options) *Tray {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Do == nil {
		opt.Do = fyne.Do
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	t := &Tray{host: host, opt: opt, log: log}
	t.status = fyne.NewMenuItem("Starting…", nil)
	t.status.Disabled = true
	t.backup = fyne.NewMenuItem(LabelBackupNow, func() { t.command("back up now", t.host.BackupNow) })
	t.pauseHour = fyne.NewMenuItem(LabelPauseHour, func() {
		until := t.opt.Now().Add(time.Hour)
		t.command("pause for 1 hour", func(ctx context.Context) error { return t.host.Pause(ctx, until) })
	})
	t.pauseTmrw = fyne.NewMenuItem(LabelPauseTomorrow, func() {
		until := TomorrowMorning(t.opt.Now())
		t.command("pause until tomorrow", func(ctx context.Context) error { return t.host.Pause(ctx, until) })
	})
	t.resume = fyne.NewMenuItem(LabelResume, func() { t.command("resume", t.host.Resume) })
	t.settings = fyne.NewMenuItem(LabelSettings, func() {
		if t.opt.ShowSettings != nil {
			t.opt.ShowSettings()
		}
	})
	t.quit = fyne.NewMenuItem(LabelQuit, func() {
		if t.opt.Quit != nil {
			t.opt.Quit()
		}
	})
	t.quit.IsQuit = true
	t.menu = fyne.NewMenu("JottaCloud Backup", t.status, fyne.NewMenuItemSeparator(),
		t.backup, t.pauseHour, t.pauseTmrw, t.resume, fyne.NewMenuItemSeparator(),
		t.settings, fyne.NewMenuItemSeparator(), t.quit)
	t.apply(State{Phase: Idle, Pairs: -1})
	return t
}

// Menu returns the tray menu.
func (t *Tray) Menu() *fyne.Menu { return t.menu }

// CurrentIcon returns the icon for the last applied state.
func (t *Tray) CurrentIcon() fyne.Resource {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.icon
}

// Install puts the menu and icon on d. Call it on the UI goroutine (in
// main before the app runs, or through fyne.Do).
func (t *Tray) Install(d Desktop) {
	t.desk = d
	d.SetSystemTrayMenu(t.menu)
	d.SetSystemTrayIcon(t.CurrentIcon())
}

// Run follows the host's states until ctx ends. It refreshes relative times
// ("4 min ago") every 30 seconds.
func (t *Tray) Run(ctx context.Context) {
	states := t.host.States(ctx)
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case s, ok := <-states:
			if !ok {
				return
			}
			t.Update(s)
		case <-tick.C:
			t.mu.Lock()
			s := t.state
			t.mu.Unlock()
			t.opt.Do(func() { t.apply(s) })
		}
	}
}

// Update shows s and sends the notification it calls for, if any.
// It may be called from any goroutine.
func (t *Tray) Update(s State) {
	t.mu.Lock()
	n, ok := t.policy.next(s)
	t.mu.Unlock()
	t.opt.Do(func() {
		if ok {
			t.notify(n)
		}
		t.apply(s)
	})
}

// apply renders s into the menu and icon; it runs on the UI goroutine.
func (t *Tray) apply(s State) {
	t.mu.Lock()
	t.state = s
	t.icon = Icon(s.Phase)
	icon := t.icon
	t.mu.Unlock()

	starting := s.Pairs < 0 // the placeholder before the host's first state
	if starting {
		t.status.Label = "Starting…"
	} else {
		t.status.Label = StatusLine(s, t.opt.Now())
	}
	active := s.Phase != SignedOut && !starting
	paused := s.Phase == Paused
	t.backup.Disabled = !active || s.Phase == Syncing || s.Pairs == 0
	t.pauseHour.Disabled = !active || paused
	t.pauseTmrw.Disabled = !active || paused
	t.resume.Disabled = !paused
	if s.Phase == SignedOut {
		t.settings.Label = "Sign in…"
	} else {
		t.settings.Label = LabelSettings
	}
	t.menu.Refresh()
	if t.desk != nil {
		t.desk.SetSystemTrayIcon(icon)
	}
}

func (t *Tray) notify(n Notice) {
	if t.opt.Notifier == nil || (t.opt.Notify != nil && !t.opt.Notify()) {
		return
	}
	t.opt.Notifier.SendNotification(fyne.NewNotification(n.Title, n.Body))
}

// command runs a host command off the UI goroutine; failures are logged.
func (t *Tray) command(name string, f func(context.Context) error) {
	t.log.Info("tray: " + name)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := f(ctx); err != nil {
			t.log.Error("tray command failed", "command", name, "err", err)
		}
	}()
}
