package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"jottacloudclient/app/config"
	"jottacloudclient/jotta"
)

// ErrNotSignedIn is returned by actions that need an account.
var ErrNotSignedIn = errors.New("not signed in: sign in with a personal login token, or try the demo")

// Field names of input errors returned as config.ValidationError.
const (
	FieldToken = "token"
)

// tokenHelp says where a personal login token comes from.
const tokenHelp = "create one in JottaCloud's web settings: Settings → Security → Personal login token → Generate, then paste it here"

// SignIn spends a personal login token and starts backing up with it. A
// malformed or spent token is a config.ValidationError for FieldToken.
// Signing in ends the demo.
func (c *Controller) SignIn(ctx context.Context, token string) error {
	token = strings.TrimSpace(token)
	if token == "" {
		return config.ValidationError{{Field: FieldToken, Message: "paste your personal login token; " + tokenHelp}}
	}
	if !jotta.IsLoginToken(token) {
		return config.ValidationError{{Field: FieldToken, Message: "this is not a personal login token (it should be one long line of letters, digits, '-' and '_'); copy the whole token, or " + tokenHelp}}
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()
	cur, _, err := config.Load(c.o.Paths.Config) // the real profile's, also during the demo
	if err != nil {
		return fmt.Errorf("fix the configuration file first: %w", err)
	}
	opts := c.accountOptions(cur)
	if _, err := SignIn(ctx, opts, token); err != nil {
		if IsSignInRequired(err) {
			return config.ValidationError{{Field: FieldToken, Message: "JottaCloud did not accept this token (a token works only once); " + tokenHelp}}
		}
		return err
	}
	c.stopEngine()
	if c.demoActive() {
		c.leaveDemo()
	}
	acct, err := OpenAccount(ctx, opts)
	if err != nil {
		return err
	}
	user := ""
	if cu, err := acct.Client.Customer(ctx); err == nil {
		user = cu.Email
		if user == "" {
			user = cu.Username
		}
	}
	if _, err := c.updateConfig(func(cfg *config.Config) error {
		cfg.Account.Demo = false
		cfg.Account.Username = user
		return nil
	}); err != nil {
		return err
	}
	c.mu.Lock()
	c.acct = acct
	c.signIn = ""
	c.mu.Unlock()
	c.logf("signed in as %s", user)
	c.startEngine()
	c.changed()
	return nil
}

// SignOut stops backing up and forgets the stored session. Folder pairs
// and everything on the server are kept.
func (c *Controller) SignOut(ctx context.Context) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	c.stopEngine()
	c.mu.Lock()
	acct := c.acct
	c.acct = nil
	c.mu.Unlock()
	var err error
	if c.demoActive() {
		c.leaveDemo() // the demo's session goes with its profile
	} else {
		if acct != nil {
			if err = acct.Store.Delete(ctx); err != nil {
				c.logf("sign out: %v", err)
			}
		}
		if _, uerr := c.updateConfig(func(cfg *config.Config) error {
			cfg.Account.Username = ""
			return nil
		}); uerr != nil && err == nil {
			err = uerr
		}
	}
	c.setSignIn("signed out")
	c.logf("signed out")
	return err
}

// SavePair adds (empty ID) or updates a folder pair, saves the
// configuration and reschedules. Invalid input is a
// config.ValidationError whose fields are the pair's keys ("local",
// "remote", …).
func (c *Controller) SavePair(ctx context.Context, p config.Pair) (config.Pair, error) {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	p.Remote = strings.TrimRight(strings.TrimSpace(p.Remote), "/")
	p.Local = strings.TrimSpace(p.Local)
	if p.Interval == 0 {
		p.Interval = config.Duration(config.DefaultInterval)
	}
	isNew := p.ID == ""
	cfg, err := c.updateConfig(func(cfg *config.Config) error {
		if isNew {
			p.ID = newPairID(cfg, p.LocalPath())
		}
		if errs := config.ValidatePair(p); len(errs) > 0 {
			return config.ValidationError(errs)
		}
		i := slices.IndexFunc(cfg.Pairs, func(q config.Pair) bool { return q.ID == p.ID })
		switch {
		case i >= 0:
			if p.PruneLimit == 0 {
				// The window has no field for it: a limit set in
				// the file stays.
				p.PruneLimit = cfg.Pairs[i].PruneLimit
			}
			cfg.Pairs[i] = p
		case isNew:
			cfg.Pairs = append(cfg.Pairs, p)
		default:
			return fmt.Errorf("there is no folder pair %q any more", p.ID)
		}
		return nil
	})
	if err != nil {
		return config.Pair{}, pairFieldErrors(err)
	}
	c.reschedule(cfg)
	if e := c.engine(); e != nil && p.Enabled {
		e.ScanNow(p.ID)
	}
	c.logf("saved folder %s → %s", p.LocalPath(), p.Remote)
	c.changed()
	return p, nil
}

// pairFieldErrors turns whole-file field names ("pair[2].local") into the
// pair's own keys, so a form can show them next to its fields.
func pairFieldErrors(err error) error {
	var ve config.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := make(config.ValidationError, 0, len(ve))
	for _, fe := range ve {
		if i := strings.Index(fe.Field, "]."); strings.HasPrefix(fe.Field, "pair[") && i > 0 {
			fe.Field = fe.Field[i+2:]
		}
		out = append(out, fe)
	}
	return out
}

var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// newPairID names a pair after its folder, unique in cfg.
func newPairID(cfg *config.Config, local string) string {
	base := strings.Trim(idUnsafe.ReplaceAllString(filepath.Base(local), "-"), "-._")
	if base == "" {
		base = "folder"
	}
	if len(base) > 48 {
		base = base[:48]
	}
	id := base
	for n := 2; ; n++ {
		if _, taken := cfg.Pair(id); !taken {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, n)
	}
}

// RemovePair stops backing up a pair. Nothing is deleted, locally or on
// the server.
func (c *Controller) RemovePair(ctx context.Context, id string) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	cfg, err := c.updateConfig(func(cfg *config.Config) error {
		i := slices.IndexFunc(cfg.Pairs, func(q config.Pair) bool { return q.ID == id })
		if i < 0 {
			return fmt.Errorf("there is no folder pair %q", id)
		}
		cfg.Pairs = slices.Delete(cfg.Pairs, i, i+1)
		return nil
	})
	if err != nil {
		return err
	}
	c.reschedule(cfg)
	c.logf("stopped backing up folder pair %s; its copy on JottaCloud is kept", id)
	c.changed()
	return nil
}

// reschedule hands the engine the current pairs.
func (c *Controller) reschedule(cfg *config.Config) {
	keep := map[string]bool{}
	for _, p := range cfg.Pairs {
		keep[p.ID] = true
	}
	c.st.forget(keep)
	if e := c.engine(); e != nil {
		c.setEnginePairs(e, cfg)
	}
}

// AddExclude adds a gitignore-style pattern to a pair.
func (c *Controller) AddExclude(ctx context.Context, pairID, pattern string) error {
	pattern = strings.TrimSpace(pattern)
	if pattern == "" {
		return errors.New("the pattern is empty")
	}
	p, ok := c.pairByID(pairID)
	if !ok {
		return fmt.Errorf("there is no folder pair %q", pairID)
	}
	if !slices.Contains(p.Excludes, pattern) {
		p.Excludes = append(p.Excludes, pattern)
	}
	_, err := c.SavePair(ctx, p)
	return err
}

func (c *Controller) pairByID(id string) (config.Pair, bool) {
	cfg, err := c.Config()
	if err != nil {
		return config.Pair{}, false
	}
	return cfg.Pair(id)
}

// BackupNow starts a pass of every pair (of one pair with a non-empty id)
// as soon as possible. Asking for a backup ends a pause: the person asking
// wants it now.
func (c *Controller) BackupNow(ctx context.Context, pairID string) error {
	e := c.engine()
	if e == nil {
		return ErrNotSignedIn
	}
	if paused, _ := e.Paused(); paused {
		e.Resume()
		c.logf("resumed to back up now")
		defer c.changed()
	}
	e.ScanNow(pairID)
	return nil
}

// Storage reads the account's storage use from the service.
func (c *Controller) Storage(ctx context.Context) (jotta.Quota, error) {
	acct := c.account()
	if acct == nil {
		return jotta.Quota{}, ErrNotSignedIn
	}
	return acct.Client.Quota(ctx)
}

// Pause stops passes until the given time (zero: until Resume).
func (c *Controller) Pause(ctx context.Context, until time.Time) error {
	e := c.engine()
	if e == nil {
		return ErrNotSignedIn
	}
	d := time.Duration(0)
	if !until.IsZero() {
		if d = time.Until(until); d <= 0 {
			return nil
		}
	}
	e.Pause(d)
	if until.IsZero() {
		c.logf("paused until resumed")
	} else {
		c.logf("paused until %s", until.Format("Mon 15:04"))
	}
	c.changed()
	return nil
}

// Resume ends a pause.
func (c *Controller) Resume(ctx context.Context) error {
	e := c.engine()
	if e == nil {
		return ErrNotSignedIn
	}
	e.Resume()
	c.logf("resumed")
	c.changed()
	return nil
}

// Devices lists the account's devices (backup computers and Jotta).
func (c *Controller) Devices(ctx context.Context) ([]string, error) {
	acct := c.account()
	if acct == nil {
		return nil, ErrNotSignedIn
	}
	devs, err := acct.Client.Devices(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(devs))
	for _, d := range devs {
		out = append(out, d.Name)
	}
	return out, nil
}

// MountPoints lists a device's live mount points that can hold a backup;
// the built-in device's virtual views (Latest, Links, Trash) are left out
// (jotta.ClassifyMountPoint). A device that does not exist yet has none.
func (c *Controller) MountPoints(ctx context.Context, device string) ([]string, error) {
	acct := c.account()
	if acct == nil {
		return nil, ErrNotSignedIn
	}
	d, err := acct.Client.Device(ctx, device)
	if errors.Is(err, jotta.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, mp := range d.MountPoints {
		if mp.Deleted.IsZero() && jotta.ClassifyMountPoint(device, mp.Name).Target() {
			out = append(out, mp.Name)
		}
	}
	return out, nil
}

func (c *Controller) account() *Account {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.acct
}

// Options returns the global options; StartAtLogin is read back from the
// system.
func (c *Controller) Options() (config.Options, string, error) {
	cfg, err := c.Config()
	if err != nil {
		return config.Options{}, "", err
	}
	o := cfg.Options
	if on, err := c.o.Autostart.Enabled(); err == nil {
		o.StartAtLogin = on
	}
	return o, cfg.Account.Endpoint, nil
}

// SaveOptions stores the global options and the endpoint override, turns
// starting at login on or off, and restarts the engine when its settings
// changed.
func (c *Controller) SaveOptions(ctx context.Context, o config.Options, endpoint string) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	before, err := c.Config()
	if err != nil {
		return err
	}
	cfg, err := c.updateConfig(func(cfg *config.Config) error {
		o.Excludes = cfg.Options.Excludes
		cfg.Options = o
		cfg.Account.Endpoint = strings.TrimSpace(endpoint)
		return nil
	})
	if err != nil {
		return err
	}
	if on, _ := c.o.Autostart.Enabled(); on != o.StartAtLogin {
		if o.StartAtLogin {
			exe := c.o.Executable
			if exe == "" {
				if exe, err = os.Executable(); err != nil {
					return fmt.Errorf("start at login: %w", err)
				}
			}
			err = c.o.Autostart.Enable(exe)
		} else {
			err = c.o.Autostart.Disable()
		}
		if err != nil {
			return fmt.Errorf("start at login: %w", err)
		}
	}
	if before.Options.Transfers != cfg.Options.Transfers || before.Options.BandwidthLimit != cfg.Options.BandwidthLimit {
		if c.engine() != nil {
			c.stopEngine()
			c.startEngine()
		}
	}
	c.changed()
	return nil
}

// WantNotifications reports the user's notification option.
func (c *Controller) WantNotifications() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg != nil && c.cfg.Options.Notifications
}

// TrayIcon reports the user's choice of tray icon look (config.TrayIconColour, …).
func (c *Controller) TrayIcon() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg == nil || c.cfg.Options.TrayIcon == "" {
		return config.TrayIconColour
	}
	return c.cfg.Options.TrayIcon
}
