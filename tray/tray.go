package tray

import (
	"context"
	"io"
	"log/slog"
	"strings"
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
	LabelSignIn        = "Sign in…"
	LabelQuit          = "Quit"
	// Title is the tray item's name, as panels list it.
	Title = "JottaCloud Backup"
)

// DefaultMinInterval is how often, at most, the tray shows a new state:
// a panel re-reads the menu on every change, and an open menu would
// flicker with every file uploaded.
const DefaultMinInterval = 700 * time.Millisecond

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
	// Now is the clock for the times shown (time.Now if nil).
	Now func() time.Time
	// MinInterval is the least time between two shown states
	// (DefaultMinInterval if 0). A new phase is shown at once.
	MinInterval time.Duration
	Log         *slog.Logger
}

// Tray owns the tray menu and icon and keeps them in step with the Host.
// The menu is built once; its items keep their identity and change in
// place, so a click on an item a panel read a moment ago still works.
type Tray struct {
	host Host
	opt  Options
	log  *slog.Logger

	status, backup, pauseHour, pauseTmrw *menuItem
	resume, settings, quit               *menuItem
	items                                []*menuItem // in menu order; nil is a separator

	mu       sync.Mutex // guards the fields below
	shell    Shell
	state    State // the latest state from the host
	shown    State // the state last rendered
	started  bool  // a host state has been rendered
	last     time.Time
	timer    *time.Timer // a render waiting for MinInterval to pass
	policy   noticePolicy
	phase    Phase
	variant  string // the assets variant of the icon shown
	scheme   Scheme // the desktop's colour scheme, for IconAuto
	hasPhase bool   // phase and variant were shown on the shell
	attn     bool
	tooltip  string // the state in words
	shellTip string // the tooltip the shell shows
}

var icons = map[Phase][]byte{
	Idle:      assets.TrayIdle,
	Syncing:   assets.TraySyncing,
	Paused:    assets.TrayPaused,
	Problem:   assets.TrayProblem,
	SignedOut: assets.TraySignedOut,
}

// iconSizes returns a phase's icon in an assets variant at every size it
// is drawn at.
func iconSizes(p Phase, variant string) [][]byte {
	sizes, err := assets.TrayIconVariant(strings.ReplaceAll(p.String(), " ", "_"), variant)
	if err != nil {
		return [][]byte{icons[p]}
	}
	return sizes
}

// iconVariant is the assets variant that shows look on a desktop whose
// colour scheme is scheme: a light scheme has light panels, which want
// the dark monochrome icon, and the other way round.
func iconVariant(look string, scheme Scheme) string {
	switch look {
	case IconLight:
		return assets.TrayLight
	case IconDark:
		return assets.TrayDark
	case IconAuto:
		switch scheme {
		case SchemeLight:
			return assets.TrayLight
		case SchemeDark:
			return assets.TrayDark
		}
	}
	return assets.TrayColour
}

var iconNames = map[Phase]string{
	Idle: "tray_idle.png", Syncing: "tray_syncing.png", Paused: "tray_paused.png",
	Problem: "tray_problem.png", SignedOut: "tray_signed_out.png",
}

// Icon returns the tray icon for a phase.
func Icon(p Phase) fyne.Resource {
	if _, ok := icons[p]; !ok {
		p = Problem
	}
	return fyne.NewStaticResource(iconNames[p], icons[p])
}

// New builds the menu. Call Attach to show it and Run to follow the host.
func New(host Host, opt Options) *Tray {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MinInterval == 0 {
		opt.MinInterval = DefaultMinInterval
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	t := &Tray{host: host, opt: opt, log: log}
	t.status = newMenuItem("Starting…", nil)
	t.backup = newMenuItem(LabelBackupNow, func() { t.command("back up now", t.host.BackupNow) })
	t.pauseHour = newMenuItem(LabelPauseHour, func() {
		until := t.opt.Now().Add(time.Hour)
		t.command("pause for 1 hour", func(ctx context.Context) error { return t.host.Pause(ctx, until) })
	})
	t.pauseTmrw = newMenuItem(LabelPauseTomorrow, func() {
		until := TomorrowMorning(t.opt.Now())
		t.command("pause until tomorrow", func(ctx context.Context) error { return t.host.Pause(ctx, until) })
	})
	t.resume = newMenuItem(LabelResume, func() { t.command("resume", t.host.Resume) })
	t.settings = newMenuItem(LabelSettings, func() {
		t.log.Info("tray: settings")
		if t.opt.ShowSettings != nil {
			t.opt.ShowSettings()
		}
	})
	t.quit = newMenuItem(LabelQuit, func() {
		t.log.Info("tray: quit")
		if t.opt.Quit != nil {
			t.opt.Quit()
		}
	})
	t.items = []*menuItem{t.status, nil, t.backup, t.pauseHour, t.pauseTmrw, t.resume, nil, t.settings, nil, t.quit}
	t.render(State{Phase: Idle, Pairs: -1})
	return t
}

// Attach puts the menu, icon, title and tooltip on s, once.
func (t *Tray) Attach(s Shell) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.shell = s
	s.SetTitle(Title)
	for _, it := range t.items {
		if it == nil {
			s.AddSeparator()
		} else {
			it.attach(s)
		}
	}
	t.hasPhase, t.shellTip, t.attn = false, "", false
	t.showShell(t.shown)
}

// Menu returns a snapshot of the menu as Fyne draws it (for pictures and
// tests); its actions are the items' actions.
func (t *Tray) Menu() *fyne.Menu {
	var items []*fyne.MenuItem
	for _, it := range t.items {
		if it == nil {
			items = append(items, fyne.NewMenuItemSeparator())
			continue
		}
		label, on := it.get()
		fi := fyne.NewMenuItem(label, it.click)
		fi.Disabled = !on
		fi.IsQuit = it == t.quit
		items = append(items, fi)
	}
	return fyne.NewMenu(Title, items...)
}

// Tooltip is the tooltip last shown: the state in words.
func (t *Tray) Tooltip() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tooltip
}

// Run follows the host's states until ctx ends. It refreshes relative times
// ("4 min ago") every 30 seconds.
func (t *Tray) Run(ctx context.Context) {
	states := t.host.States(ctx)
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	defer t.stopTimer()
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
			s := t.shown
			t.mu.Unlock()
			t.render(s)
		}
	}
}

// Update shows s, at once when its phase is new and otherwise no sooner
// than MinInterval after the last update, and sends the notification s
// calls for, if any. It may be called from any goroutine.
func (t *Tray) Update(s State) {
	t.mu.Lock()
	n, notify := t.policy.next(s)
	t.state = s
	wait := t.opt.MinInterval - time.Since(t.last)
	now := !t.started || s.Phase != t.shown.Phase || s.Icon != t.shown.Icon || wait <= 0
	if !now && t.timer == nil {
		t.timer = time.AfterFunc(wait, t.flush)
	}
	t.mu.Unlock()
	if notify {
		t.notify(n)
	}
	if now {
		t.flush()
	}
}

// flush renders the latest state.
func (t *Tray) flush() {
	t.mu.Lock()
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	s := t.state
	t.last = time.Now()
	t.started = true
	t.mu.Unlock()
	t.render(s)
}

func (t *Tray) stopTimer() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
}

// render shows s in the menu items and on the shell.
func (t *Tray) render(s State) {
	starting := s.Pairs < 0 // the placeholder before the host's first state
	line := "Starting…"
	if !starting {
		line = StatusLine(s, t.opt.Now())
	}
	active := s.Phase != SignedOut && !starting
	paused := s.Phase == Paused
	t.status.set(line, false)
	t.backup.set(LabelBackupNow, active && s.Phase != Syncing && s.Pairs != 0)
	t.pauseHour.set(LabelPauseHour, active && !paused)
	t.pauseTmrw.set(LabelPauseTomorrow, active && !paused)
	t.resume.set(LabelResume, paused)
	settings := LabelSettings
	if s.Phase == SignedOut {
		settings = LabelSignIn
	}
	t.settings.set(settings, true)
	t.quit.set(LabelQuit, true)

	t.mu.Lock()
	defer t.mu.Unlock()
	t.shown = s
	t.tooltip = Title + " — " + lowerFirst(line)
	if t.shell != nil {
		t.showShell(s)
	}
}

// SetColorScheme tells the tray the desktop's colour scheme, which the
// icon follows when the user chose IconAuto; it may be called from any
// goroutine, whenever the scheme changes.
func (t *Tray) SetColorScheme(s Scheme) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.scheme = s
	if t.shell != nil {
		t.showShell(t.shown)
	}
}

// showShell updates the icon, tooltip and attention flag, each only when
// it changed. t.mu is held.
func (t *Tray) showShell(s State) {
	variant := iconVariant(s.Icon, t.scheme)
	if !t.hasPhase || s.Phase != t.phase || variant != t.variant {
		t.shell.SetIcon(iconSizes(s.Phase, variant))
		t.phase, t.variant, t.hasPhase = s.Phase, variant, true
	}
	if t.tooltip != t.shellTip {
		t.shell.SetTooltip(t.tooltip)
		t.shellTip = t.tooltip
	}
	if attn := s.Phase == Problem; attn != t.attn {
		t.attn = attn
		t.shell.SetNeedsAttention(attn)
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func (t *Tray) notify(n Notice) {
	if t.opt.Notifier == nil || (t.opt.Notify != nil && !t.opt.Notify()) {
		return
	}
	t.opt.Notifier.SendNotification(fyne.NewNotification(n.Title, n.Body))
}

// command runs a host command off the caller's goroutine; failures are logged.
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
