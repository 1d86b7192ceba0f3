package desktop

import (
	"context"
	"errors"
	"strings"
	"time"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/app/settings"
	"jottacloudclient/tray"
)

// Backend is what the GUI needs from the application: the settings
// window's backend, the tray's host, and a few extras.
type Backend interface {
	settings.Backend
	tray.Host
	// WantNotifications reports the user's notification option; it must not block.
	WantNotifications() bool
	// Close stops the engine and releases what the backend holds.
	Close() error
}

// New adapts c to the settings window and the tray.
func New(c *app.Controller) Backend { return &controllerBackend{c: c} }

// controllerBackend adapts app.Controller to Backend.
type controllerBackend struct{ c *app.Controller }

var _ Backend = (*controllerBackend)(nil)

func (b *controllerBackend) Close() error            { return b.c.Close() }
func (b *controllerBackend) WantNotifications() bool { return b.c.WantNotifications() }

func (b *controllerBackend) Changes(ctx context.Context) <-chan struct{} { return b.c.Changes(ctx) }

// States sends the tray state now and after every change, skipping
// repeats, until ctx ends.
func (b *controllerBackend) States(ctx context.Context) <-chan tray.State {
	out := make(chan tray.State, 1)
	changes := b.c.Changes(ctx)
	go func() {
		defer close(out)
		var last tray.State
		first := true
		for {
			s := trayState(b.c.Status())
			s.Icon = trayLooks[b.c.TrayIcon()]
			if first || s != last {
				select {
				case out <- s:
				case <-ctx.Done():
					return
				}
				last, first = s, false
			}
			select {
			case <-changes:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func trayState(s app.Status) tray.State {
	t := tray.State{
		Pairs:       len(s.Pairs),
		LastBackup:  s.LastBackup,
		PausedUntil: s.PausedUntil,
		Problems:    len(s.Problems),
		PassError:   s.PassError,
		Passes:      s.Passes,
	}
	if s.Progress != nil {
		t.FilesDone, t.FilesTotal = s.Progress.FilesDone, s.Progress.FilesTotal
		t.BytesLeft = s.Progress.BytesTotal - s.Progress.BytesDone
		t.Reading = !s.Progress.Uploading && s.Progress.Counting
		t.Counting = s.Progress.Counting
	}
	if len(s.Warnings) > 0 {
		t.Warning = s.Warnings[0]
	}
	if s.Decisions > 0 {
		t.Decision = trayDecision(s)
	}
	if !s.RetryAt.IsZero() {
		t.Waiting = s.PassError + " Trying again at " + s.RetryAt.Local().Format("15:04") + "."
		if s.Phase == app.PhaseWaiting {
			t.PassError = "" // a passing state is shown, not announced as a failure
		}
	}
	switch s.Phase {
	case app.PhaseSignedOut:
		t.Phase = tray.SignedOut
	case app.PhasePaused:
		t.Phase = tray.Paused
	case app.PhaseSyncing:
		t.Phase = tray.Syncing
	case app.PhaseProblem, app.PhaseStale, app.PhaseDecision:
		t.Phase = tray.Problem
	default:
		t.Phase = tray.Idle
	}
	return t
}

// trayDecision is the tray's line for held deletions.
func trayDecision(s app.Status) string {
	var held []settings.HeldItem
	for _, p := range s.Pairs {
		for _, h := range p.Held {
			held = append(held, settings.HeldItem{Files: h.Files})
		}
	}
	return settings.HeldSummary(held)
}

func (b *controllerBackend) BackupNow(ctx context.Context) error { return b.c.BackupNow(ctx, "") }
func (b *controllerBackend) Pause(ctx context.Context, until time.Time) error {
	return b.c.Pause(ctx, until)
}
func (b *controllerBackend) Resume(ctx context.Context) error { return b.c.Resume(ctx) }

func (b *controllerBackend) Account(context.Context) (settings.Account, error) {
	return accountOf(b.c.Status()), nil
}

func accountOf(s app.Status) settings.Account {
	return settings.Account{SignedIn: s.SignedIn, User: s.User, Endpoint: s.Endpoint, Demo: s.Demo}
}

func (b *controllerBackend) SignIn(ctx context.Context, token string) (settings.Account, error) {
	if err := b.c.SignIn(ctx, token); err != nil {
		return settings.Account{}, fieldErrors(err)
	}
	return accountOf(b.c.Status()), nil
}

func (b *controllerBackend) StartDemo(ctx context.Context) (settings.Account, error) {
	if err := b.c.StartDemo(ctx); err != nil {
		return settings.Account{}, err
	}
	return accountOf(b.c.Status()), nil
}

func (b *controllerBackend) SignOut(ctx context.Context) error { return b.c.SignOut(ctx) }

func (b *controllerBackend) Storage(ctx context.Context) (settings.Storage, error) {
	q, err := b.c.Storage(ctx)
	return settings.Storage{Used: q.Used, Total: q.Total}, err
}

func (b *controllerBackend) Pairs(context.Context) ([]settings.Pair, error) {
	s := b.c.Status()
	if s.ConfigError != "" {
		return nil, errors.New(s.ConfigError)
	}
	out := make([]settings.Pair, 0, len(s.Pairs))
	for _, p := range s.Pairs {
		sp := settingsPair(p.Pair)
		sp.Status = settings.PairStatus{Running: p.Running, LastComplete: p.LastComplete, Files: p.Files,
			Bytes: p.Bytes, Problems: p.Problems, Error: p.Error, HeldWhy: p.HeldWhy}
		for _, k := range s.Skipped {
			if k.PairID == p.ID {
				sp.Status.Skipped = append(sp.Status.Skipped, settings.SkippedItem{Path: k.Path, Reason: k.Reason})
			}
		}
		for _, h := range p.Held {
			sp.Status.Held = append(sp.Status.Held, settings.HeldItem{Path: h.Path, Dir: h.Dir, Files: h.Files, Bytes: h.Bytes})
		}
		out = append(out, sp)
	}
	return out, nil
}

func settingsPair(p config.Pair) settings.Pair {
	sp := settings.Pair{ID: p.ID, Local: p.Local, Remote: p.Remote, Enabled: p.Enabled,
		Interval: time.Duration(p.Interval), Watch: p.Watch, Excludes: append([]string(nil), p.Excludes...),
		Hidden: p.IncludeHidden, Symlinks: settings.SymlinksSkip}
	if p.FollowSymlinks {
		sp.Symlinks = settings.SymlinksFollow
	}
	if p.Prune != config.PruneNone {
		sp.Prune = settings.Prune(p.Prune)
	}
	return sp
}

func configPair(p settings.Pair) config.Pair {
	cp := config.Pair{ID: p.ID, Local: p.Local, Remote: p.Remote, Enabled: p.Enabled,
		Interval: config.Duration(p.Interval), Watch: p.Watch, Excludes: p.Excludes,
		IncludeHidden: p.Hidden, FollowSymlinks: p.Symlinks == settings.SymlinksFollow, Prune: config.PruneNone}
	if p.Prune != settings.PruneNone {
		cp.Prune = config.Prune(p.Prune)
	}
	return cp
}

func (b *controllerBackend) SavePair(ctx context.Context, p settings.Pair) (settings.Pair, error) {
	saved, err := b.c.SavePair(ctx, configPair(p))
	if err != nil {
		return settings.Pair{}, fieldErrors(err)
	}
	return settingsPair(saved), nil
}

func (b *controllerBackend) RemovePair(ctx context.Context, id string) error {
	return b.c.RemovePair(ctx, id)
}

func (b *controllerBackend) Devices(ctx context.Context) ([]string, error) { return b.c.Devices(ctx) }
func (b *controllerBackend) MountPoints(ctx context.Context, device string) ([]string, error) {
	return b.c.MountPoints(ctx, device)
}

func (b *controllerBackend) Activity(context.Context) (settings.Activity, error) {
	return activityOf(b.c.Status()), nil
}

// activityOf is the window's view of the running pass and its problems.
func activityOf(s app.Status) settings.Activity {
	a := settings.Activity{Log: s.Log, Paused: s.Paused, PausedUntil: s.PausedUntil, Account: s.Account}
	if p := s.Progress; p != nil {
		a.Running = true
		a.PairLocal = p.Local
		a.FilesDone, a.FilesTotal = p.FilesDone, p.FilesTotal
		a.BytesDone, a.BytesTotal = p.BytesDone, p.BytesTotal
		a.Rate, a.ETA, a.Current = p.Rate, p.ETA, p.Current
		a.Reading, a.Counting = !p.Uploading, p.Counting
	}
	for _, p := range s.Problems {
		a.Problems = append(a.Problems, settings.Problem{PairID: p.PairID, Path: p.Path, Reason: p.Reason, Time: p.Time})
	}
	return a
}

func (b *controllerBackend) ConfirmDeletions(ctx context.Context, pairID string) error {
	return b.c.ConfirmDeletions(ctx, pairID)
}

func (b *controllerBackend) KeepDeletions(ctx context.Context, pairID string) error {
	return b.c.KeepDeletions(ctx, pairID)
}

func (b *controllerBackend) RetryProblem(ctx context.Context, p settings.Problem) error {
	return b.c.BackupNow(ctx, p.PairID)
}

func (b *controllerBackend) AddExclude(ctx context.Context, pairID, pattern string) error {
	return fieldErrors(b.c.AddExclude(ctx, pairID, pattern))
}

func (b *controllerBackend) Options(context.Context) (settings.Options, error) {
	o, endpoint, err := b.c.Options()
	if err != nil {
		return settings.Options{}, err
	}
	return settings.Options{StartAtLogin: o.StartAtLogin, BandwidthKBps: int64(o.BandwidthLimit) / 1000,
		Transfers: o.Transfers, Notifications: o.Notifications, SkipOnBattery: o.SkipOnBattery,
		SkipOnMetered: o.SkipOnMetered, TrayIcon: trayLooks[o.TrayIcon], Endpoint: endpoint}, nil
}

// trayLooks maps the configuration's tray icon looks to the tray's.
var trayLooks = map[string]string{
	"":                    tray.IconColour,
	config.TrayIconColour: tray.IconColour,
	config.TrayIconLight:  tray.IconLight,
	config.TrayIconDark:   tray.IconDark,
	config.TrayIconAuto:   tray.IconAuto,
}

// configLook is the configuration's name of a tray look.
func configLook(look string) string {
	for c, t := range trayLooks {
		if t == look && c != "" {
			return c
		}
	}
	return config.TrayIconColour
}

func (b *controllerBackend) SaveOptions(ctx context.Context, so settings.Options) error {
	o, _, err := b.c.Options()
	if err != nil {
		return err
	}
	o.StartAtLogin, o.BandwidthLimit, o.Transfers = so.StartAtLogin, config.ByteRate(so.BandwidthKBps*1000), so.Transfers
	o.Notifications, o.SkipOnBattery, o.SkipOnMetered = so.Notifications, so.SkipOnBattery, so.SkipOnMetered
	o.TrayIcon = configLook(so.TrayIcon)
	return fieldErrors(b.c.SaveOptions(ctx, o, so.Endpoint))
}

// fieldNames maps configuration keys to the window's field names.
var fieldNames = map[string]string{
	"options.transfers":       settings.FieldTransfers,
	"options.bandwidth_limit": settings.FieldBandwidth,
	"account.endpoint":        settings.FieldEndpoint,
}

// fieldErrors turns configuration validation errors into the window's
// per-field errors; other errors pass through.
func fieldErrors(err error) error {
	var ve config.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := make(settings.FieldErrors, 0, len(ve))
	for _, fe := range ve {
		name := fe.Field
		if n, ok := fieldNames[name]; ok {
			name = n
		} else if i := strings.LastIndex(name, "."); i >= 0 {
			name = name[i+1:]
		}
		out = append(out, &settings.FieldError{Field: name, Message: fe.Message})
	}
	return out
}
