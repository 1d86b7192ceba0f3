//go:build cgo

package main

// This file is a development stand-in for the application controller: it
// simulates sign-in, the demo account and backup passes (reading the local
// folders but uploading nothing) so the GUI can be used and tested before
// the real controller exists. newBackend in backend.go is the only user.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"jottacloudclient/app/autostart"
	"jottacloudclient/app/settings"
	"jottacloudclient/tray"
)

var _ Backend = (*devBackend)(nil)

type devBackend struct {
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu          sync.Mutex
	account     settings.Account
	pairs       []settings.Pair
	nextID      int
	opts        settings.Options
	act         settings.Activity // the running pass
	problems    []settings.Problem
	logLines    []string
	pausedUntil time.Time // zero: not paused
	passes      uint64
	passing     bool
	again       bool // another pass was asked for while one ran
	stateSubs   map[chan tray.State]struct{}
	changeSubs  map[chan struct{}]struct{}
	dataDir     string
}

func newDevBackend(ctx context.Context, log *slog.Logger, o backendOptions) (*devBackend, error) {
	dataDir, err := userDataDir()
	if err != nil {
		return nil, err
	}
	b := &devBackend{
		log:        log,
		opts:       settings.Options{Transfers: 4, Notifications: true},
		stateSubs:  map[chan tray.State]struct{}{},
		changeSubs: map[chan struct{}]struct{}{},
		dataDir:    filepath.Join(dataDir, "jottacloudclient"),
	}
	b.ctx, b.cancel = context.WithCancel(ctx)
	if o.Demo {
		if _, err := b.StartDemo(ctx); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func userDataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return os.UserConfigDir()
	}
	return filepath.Join(home, ".local", "share"), nil
}

func (b *devBackend) Close() error {
	b.cancel()
	b.wg.Wait()
	return nil
}

// ---- subscriptions

func (b *devBackend) States(ctx context.Context) <-chan tray.State {
	ch := make(chan tray.State, 1)
	b.mu.Lock()
	b.stateSubs[ch] = struct{}{}
	ch <- b.stateLocked()
	b.mu.Unlock()
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		delete(b.stateSubs, ch)
		close(ch)
		b.mu.Unlock()
	})
	return ch
}

func (b *devBackend) Changes(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	b.changeSubs[ch] = struct{}{}
	b.mu.Unlock()
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		delete(b.changeSubs, ch)
		close(ch)
		b.mu.Unlock()
	})
	return ch
}

// publishLocked tells every subscriber about the current state; the newest
// state replaces one not yet received.
func (b *devBackend) publishLocked() {
	s := b.stateLocked()
	for ch := range b.stateSubs {
		select {
		case <-ch:
		default:
		}
		ch <- s
	}
	for ch := range b.changeSubs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (b *devBackend) stateLocked() tray.State {
	s := tray.State{Pairs: len(b.pairs), Problems: len(b.problems), Passes: b.passes}
	var last time.Time
	for i, p := range b.pairs {
		if i == 0 || p.Status.LastComplete.Before(last) {
			last = p.Status.LastComplete
		}
	}
	s.LastBackup = last
	switch {
	case !b.account.SignedIn:
		s.Phase = tray.SignedOut
	case !b.pausedUntil.IsZero():
		s.Phase, s.PausedUntil = tray.Paused, b.pausedUntil
	case b.passing:
		s.Phase = tray.Syncing
		s.FilesDone, s.FilesTotal = b.act.FilesDone, b.act.FilesTotal
		s.BytesLeft = b.act.BytesTotal - b.act.BytesDone
	case len(b.problems) > 0:
		s.Phase = tray.Problem
	default:
		s.Phase = tray.Idle
	}
	return s
}

func (b *devBackend) logf(format string, args ...any) {
	line := time.Now().Format("15:04:05 ") + fmt.Sprintf(format, args...)
	b.logLines = append(b.logLines, line)
	if len(b.logLines) > 200 {
		b.logLines = b.logLines[len(b.logLines)-200:]
	}
	b.log.Info("dev backend: " + fmt.Sprintf(format, args...))
}

// ---- account

func (b *devBackend) Account(context.Context) (settings.Account, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.account, nil
}

func (b *devBackend) SignIn(_ context.Context, token string) (settings.Account, error) {
	if e := settings.CheckToken(token); e != nil {
		return settings.Account{}, e
	}
	user := "you"
	if raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(token)); err == nil {
		var t struct {
			Username string `json:"username"`
		}
		if json.Unmarshal(raw, &t) == nil && t.Username != "" {
			user = t.Username
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.account = settings.Account{SignedIn: true, User: user}
	b.logf("signed in as %s (simulated)", user)
	b.publishLocked()
	return b.account, nil
}

func (b *devBackend) StartDemo(context.Context) (settings.Account, error) {
	sample := filepath.Join(b.dataDir, "Demo folder")
	if err := writeSampleFolder(sample); err != nil {
		return settings.Account{}, fmt.Errorf("prepare the demo folder: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.account = settings.Account{SignedIn: true, User: "demo", Demo: true, Endpoint: "simulated on this computer"}
	b.logf("signed in to the demo")
	if len(b.pairs) == 0 {
		host, _ := os.Hostname()
		b.nextID++
		b.pairs = append(b.pairs, settings.Pair{
			ID: fmt.Sprint(b.nextID), Local: sample, Remote: settings.ProposeRemote(sample, host),
			Enabled: true, Watch: true, Interval: time.Hour, Symlinks: settings.SymlinksSkip,
		})
	}
	b.publishLocked()
	b.startPassLocked()
	return b.account, nil
}

func writeSampleFolder(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "Photos"), 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"Welcome.txt":        "This folder is backed up by the JottaCloud Backup demo.\n",
		"Notes.md":           "# Notes\n\nEdit me and press Back up now.\n",
		"Photos/holiday.txt": strings.Repeat("sunshine ", 4000),
		"Photos/garden.txt":  strings.Repeat("flowers ", 6000),
		"Budget.csv":         "month,amount\njan,100\nfeb,120\n",
		"Recipes.txt":        strings.Repeat("flour, water, salt\n", 500),
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (b *devBackend) SignOut(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.account = settings.Account{}
	b.logf("signed out")
	b.publishLocked()
	return nil
}

// ---- folders

func (b *devBackend) Pairs(context.Context) ([]settings.Pair, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.pairs), nil
}

func (b *devBackend) SavePair(_ context.Context, p settings.Pair) (settings.Pair, error) {
	if errs := settings.CheckPair(p); len(errs) > 0 {
		return settings.Pair{}, errs
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, q := range b.pairs {
		if q.ID != p.ID && q.Local == p.Local {
			return settings.Pair{}, &settings.FieldError{Field: settings.FieldLocal, Message: "This folder is already backed up. Edit that entry instead."}
		}
	}
	if p.ID == "" {
		b.nextID++
		p.ID = fmt.Sprint(b.nextID)
		b.pairs = append(b.pairs, p)
		b.logf("added %s → %s", p.Local, p.Remote)
	} else {
		i := slices.IndexFunc(b.pairs, func(q settings.Pair) bool { return q.ID == p.ID })
		if i < 0 {
			return settings.Pair{}, fmt.Errorf("folder %s is no longer configured", p.Local)
		}
		p.Status = b.pairs[i].Status
		b.pairs[i] = p
		b.logf("changed %s → %s", p.Local, p.Remote)
	}
	b.publishLocked()
	b.startPassLocked()
	return p, nil
}

func (b *devBackend) RemovePair(_ context.Context, id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.IndexFunc(b.pairs, func(q settings.Pair) bool { return q.ID == id })
	if i < 0 {
		return errors.New("this folder is no longer configured")
	}
	p := b.pairs[i]
	b.pairs = slices.Delete(b.pairs, i, i+1)
	b.problems = slices.DeleteFunc(b.problems, func(pr settings.Problem) bool { return pr.PairID == id })
	b.logf("stopped backing up %s; %s is kept in JottaCloud", p.Local, p.Remote)
	b.publishLocked()
	return nil
}

func (b *devBackend) BackupNow(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.account.SignedIn {
		return errors.New("sign in first")
	}
	b.startPassLocked()
	return nil
}

func (b *devBackend) Devices(context.Context) ([]string, error) {
	host, _ := os.Hostname()
	devs := []string{strings.Split(host, ".")[0]}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.pairs {
		if d, _, _ := settings.SplitRemote(p.Remote); !slices.Contains(devs, d) {
			devs = append(devs, d)
		}
	}
	return devs, nil
}

func (b *devBackend) MountPoints(_ context.Context, device string) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, p := range b.pairs {
		if d, m, _ := settings.SplitRemote(p.Remote); d == device && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// ---- activity

func (b *devBackend) Activity(context.Context) (settings.Activity, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a := b.act
	a.Running = b.passing
	a.Problems = slices.Clone(b.problems)
	a.Log = slices.Clone(b.logLines)
	return a, nil
}

func (b *devBackend) RetryProblem(_ context.Context, p settings.Problem) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logf("retrying %s", p.Path)
	b.startPassLocked()
	return nil
}

func (b *devBackend) AddExclude(_ context.Context, pairID, pattern string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.IndexFunc(b.pairs, func(q settings.Pair) bool { return q.ID == pairID })
	if i < 0 {
		return errors.New("this folder is no longer configured")
	}
	b.pairs[i].Excludes = append(b.pairs[i].Excludes, pattern)
	b.logf("leaving out %s in %s", pattern, b.pairs[i].Local)
	b.publishLocked()
	b.startPassLocked()
	return nil
}

// ---- pause

func (b *devBackend) Pause(_ context.Context, until time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pausedUntil = until
	b.logf("paused until %s", until.Format("Mon 15:04"))
	b.publishLocked()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		select {
		case <-b.ctx.Done():
		case <-t.C:
			b.mu.Lock()
			if b.pausedUntil.Equal(until) {
				b.pausedUntil = time.Time{}
				b.logf("pause ended")
				b.publishLocked()
			}
			b.mu.Unlock()
		}
	}()
	return nil
}

func (b *devBackend) Resume(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pausedUntil = time.Time{}
	b.logf("resumed")
	b.publishLocked()
	b.startPassLocked()
	return nil
}

// ---- options

func (b *devBackend) Options(context.Context) (settings.Options, error) {
	on, err := autostart.Enabled()
	if err != nil {
		return settings.Options{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	o := b.opts
	o.StartAtLogin = on
	return o, nil
}

func (b *devBackend) SaveOptions(_ context.Context, o settings.Options) error {
	on, err := autostart.Enabled()
	if err != nil {
		return err
	}
	if o.StartAtLogin != on {
		if o.StartAtLogin {
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("find this program's path: %w", err)
			}
			err = autostart.Enable(exe)
		} else {
			err = autostart.Disable()
		}
		if err != nil {
			return err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opts = o
	b.logf("options saved")
	return nil
}

func (b *devBackend) WantNotifications() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opts.Notifications
}
