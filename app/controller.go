package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"jottacloudclient/app/autostart"
	"jottacloudclient/app/config"
	"jottacloudclient/app/creds"
	"jottacloudclient/app/message"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// Autostarter turns starting at login on and off; app/autostart is the
// real one.
type Autostarter interface {
	Enable(exePath string) error
	Disable() error
	Enabled() (bool, error)
}

type systemAutostart struct{}

func (systemAutostart) Enable(exe string) error { return autostart.Enable(exe) }
func (systemAutostart) Disable() error          { return autostart.Disable() }
func (systemAutostart) Enabled() (bool, error)  { return autostart.Enabled() }

// ControllerOptions configure a Controller. Paths is required.
type ControllerOptions struct {
	Paths      Paths
	Keyring    creds.Keyring // nil: the OS keyring
	HTTPClient *http.Client
	Getenv     func(string) string // nil: os.Getenv
	NetrcPath  string              // "": ~/.netrc
	Logger     *slog.Logger
	Autostart  Autostarter // nil: the OS mechanism
	Executable string      // what starts at login; "": this program
	// Debounce and NewWatcher tune the engine's file watching (tests).
	Debounce   time.Duration
	NewWatcher func() (syncer.Watcher, error)
	// PowerCheck says whether scheduled backups may run under the
	// configuration's skip_on_battery and skip_on_metered (it is only
	// asked when one is on). nil: SystemPower's Check.
	PowerCheck func(ctx context.Context, skipOnBattery, skipOnMetered bool) (ok bool, reason string)
	// WatchNetwork, when set, replaces NetworkManager as the source of
	// "the network is back" (tests); it must call onUp from its own
	// goroutine and stop when ctx ends.
	WatchNetwork func(ctx context.Context, onUp func())
	// Now is the clock for "protected as of" warnings (tests; nil:
	// time.Now).
	Now func() time.Time
	// GateRetry is how soon a held-back backup asks again (tests; 0: the
	// engine's default).
	GateRetry time.Duration
}

// Controller is the application behind the tray and the settings window:
// it owns the configuration file, the signed-in account, the demo service
// and the backup engine, and reports their state as one Status. It is safe
// for concurrent use; every method may block on disk, keyring or network,
// so GUIs call it off their UI goroutine.
type Controller struct {
	o   ControllerOptions
	log *slog.Logger
	ctx context.Context // lives until Close
	end context.CancelFunc

	opMu sync.Mutex // serialises account and engine changes

	mu         sync.Mutex
	cfg        *config.Config // nil while the file does not parse
	cfgErr     error
	inDemo     bool // the demo profile is active: cfg and paths are the demo's
	acct       *Account
	demo       *emulator.Running
	eng        *runningEngine
	signIn     string // why the user must sign in ("" when signed in)
	st         statusBook
	cfgInvalid string    // why the loaded configuration cannot be scheduled ("": it can)
	started    time.Time // when the controller was made: the "since" of a pair never backed up
	subs       map[chan struct{}]struct{}
}

// runningEngine is an engine with its Run loop and event pump.
type runningEngine struct {
	e      *syncer.Engine
	cancel context.CancelFunc
	done   chan struct{} // Run and the pump have returned
}

// NewController loads the configuration and, when credentials are found,
// signs in and starts the engine. A configuration file that does not parse
// is reported in Status and never overwritten; nothing is scheduled then.
// Missing credentials are not an error: Status says that sign-in is needed.
func NewController(ctx context.Context, o ControllerOptions) (*Controller, error) {
	if o.Paths.Config == "" || o.Paths.StateDir == "" || o.Paths.CredsDir == "" {
		return nil, errors.New("controller: paths are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Autostart == nil {
		o.Autostart = systemAutostart{}
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.PowerCheck == nil {
		o.PowerCheck = SystemPower(o.Logger).Check
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Controller{o: o, log: o.Logger, subs: map[chan struct{}]struct{}{}, started: o.Now()}
	c.st.init()
	c.ctx, c.end = context.WithCancel(context.WithoutCancel(ctx))

	c.loadConfig(o.Paths.Config)
	if c.cfg != nil && c.cfg.Account.Demo {
		c.forgetLegacyDemo()
	}
	if c.hasDemoProfile() {
		c.loadConfig(c.demoPaths().Config)
		c.inDemo = c.cfg != nil
		if !c.inDemo {
			c.leaveDemo()
		}
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()
	c.connect(ctx)
	return c, nil
}

// loadConfig makes the configuration file at path current, or its load
// error when it does not parse.
func (c *Controller) loadConfig(path string) {
	cfg, warns, err := config.Load(path)
	for _, w := range warns {
		c.logf("config: %s", w)
	}
	invalid := ""
	if err == nil {
		if _, _, verr := EngineConfig(cfg, path); verr != nil {
			invalid = verr.Error()
		}
	}
	c.mu.Lock()
	c.cfg, c.cfgErr, c.cfgInvalid = cfg, err, invalid
	if err != nil {
		c.cfg = nil
	}
	c.mu.Unlock()
	if err != nil {
		c.logf("%v", err)
	}
	if invalid != "" {
		c.logf("%s", message.Clean(invalid))
	}
}

// paths are the active profile's paths: the demo's while it runs.
func (c *Controller) paths() Paths {
	c.mu.Lock()
	demo := c.inDemo
	c.mu.Unlock()
	if demo {
		return c.demoPaths()
	}
	return c.o.Paths
}

// connect signs in with what is stored (or the demo) and starts the
// engine; failures leave the controller signed out with the reason.
func (c *Controller) connect(ctx context.Context) {
	cfg := c.config()
	if cfg == nil {
		c.setSignIn("the configuration file has a problem")
		return
	}
	var acct *Account
	var err error
	if c.demoActive() {
		acct, err = c.openDemo(ctx)
	} else {
		acct, err = OpenAccount(ctx, c.accountOptions(cfg))
	}
	if err != nil {
		if IsSignInRequired(err) {
			c.setSignIn("sign in with a personal login token, or try the demo")
		} else {
			c.setSignIn(err.Error())
		}
		c.logf("not signed in: %v", err)
		return
	}
	c.mu.Lock()
	c.acct = acct
	c.signIn = ""
	c.mu.Unlock()
	c.startEngine()
	c.changed()
}

func (c *Controller) accountOptions(cfg *config.Config) AccountOptions {
	return AccountOptions{
		Paths:      c.o.Paths,
		Endpoint:   cfg.Account.Endpoint, // never used for the demo profile: see demoOptions
		Keyring:    c.o.Keyring,
		HTTPClient: c.o.HTTPClient,
		Getenv:     c.o.Getenv,
		NetrcPath:  c.o.NetrcPath,
		Logger:     c.log,
	}
}

// config returns the loaded configuration (nil while it is broken).
func (c *Controller) config() *config.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg
}

// Config returns a copy of the configuration, or the load error.
func (c *Controller) Config() (*config.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg == nil {
		return nil, c.cfgErr
	}
	cp := *c.cfg
	cp.Pairs = append([]config.Pair(nil), c.cfg.Pairs...)
	return &cp, nil
}

// updateConfig applies edit to a copy of the configuration, validates
// and saves it atomically, and only then makes it current.
func (c *Controller) updateConfig(edit func(*config.Config) error) (*config.Config, error) {
	cur, err := c.Config()
	if err != nil {
		return nil, fmt.Errorf("the configuration file cannot be changed until it loads: %w", err)
	}
	if err := edit(cur); err != nil {
		return nil, err
	}
	if errs := cur.Validate(); len(errs) > 0 {
		return nil, config.ValidationError(errs)
	}
	if err := config.Save(c.paths().Config, cur); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.cfg = cur
	c.mu.Unlock()
	return cur, nil
}

// startEngine builds an engine for the signed-in account and runs it.
func (c *Controller) startEngine() {
	c.mu.Lock()
	acct, cfg := c.acct, c.cfg
	c.mu.Unlock()
	if acct == nil || cfg == nil {
		return
	}
	opts := EngineOptions(cfg, c.paths(), c.log)
	opts.Debounce = c.o.Debounce
	opts.NewWatcher = c.o.NewWatcher
	opts.Gate = c.gate // reads the options at every check: saving them needs no restart
	opts.GateRetry = c.o.GateRetry
	e, err := syncer.New(acct.Remote(), opts)
	if err != nil {
		c.logf("start backup engine: %v", err)
		return
	}
	c.setEnginePairs(e, cfg)
	ctx, cancel := context.WithCancel(c.ctx)
	re := &runningEngine{e: e, cancel: cancel, done: make(chan struct{})}
	if c.o.WatchNetwork != nil {
		c.o.WatchNetwork(ctx, e.NetworkUp)
	} else {
		go WatchNetwork(ctx, e, c.log)
	}
	sub := e.Subscribe()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.pump(sub)
	}()
	go func() {
		defer wg.Done()
		if err := e.Run(ctx); err != nil {
			c.logf("backup engine stopped: %v", err)
		}
		sub.Close()
	}()
	go func() {
		wg.Wait()
		close(re.done)
	}()
	c.mu.Lock()
	c.eng = re
	c.mu.Unlock()
}

// gate holds scheduled backups back as the current options say.
func (c *Controller) gate(ctx context.Context) (bool, string) {
	cfg := c.config()
	if cfg == nil || (!cfg.Options.SkipOnBattery && !cfg.Options.SkipOnMetered) {
		return true, ""
	}
	return c.o.PowerCheck(ctx, cfg.Options.SkipOnBattery, cfg.Options.SkipOnMetered)
}

// setEnginePairs gives the engine the enabled pairs that are usable now;
// the others get a reason in their status.
func (c *Controller) setEnginePairs(e *syncer.Engine, cfg *config.Config) {
	// The one validation 'jotta run' and 'jotta status' use too: a file
	// it refuses schedules nothing and says what to fix.
	if _, _, err := EngineConfig(cfg, c.paths().Config); err != nil {
		c.mu.Lock()
		c.cfgInvalid = err.Error()
		c.mu.Unlock()
		c.logf("%s", message.Clean(err.Error()))
		if err := e.SetPairs(nil); err != nil {
			c.logf("schedule folders: %v", err)
		}
		return
	}
	c.mu.Lock()
	c.cfgInvalid = ""
	c.mu.Unlock()
	var ok []syncer.Pair
	for _, p := range EnginePairs(cfg) {
		if err := p.Validate(); err != nil {
			c.st.pairError(p.ID, err.Error())
			continue
		}
		if fi, err := os.Stat(p.Local); err != nil || !fi.IsDir() {
			c.st.pairError(p.ID, fmt.Sprintf("the folder %s is not available; backups of it wait until it is back", p.Local))
			continue
		}
		ok = append(ok, p)
		if t, err := e.LastComplete(p.ID); err == nil {
			c.st.lastComplete(p.ID, t)
		}
	}
	if err := e.SetPairs(ok); err != nil {
		c.logf("schedule folders: %v", err)
	}
}

// stopEngine stops the running engine and waits for it.
func (c *Controller) stopEngine() {
	c.mu.Lock()
	re := c.eng
	c.eng = nil
	c.mu.Unlock()
	if re == nil {
		return
	}
	re.cancel()
	<-re.done
	if err := re.e.Close(); err != nil {
		c.logf("close backup engine: %v", err)
	}
}

// engine returns the running engine, or nil.
func (c *Controller) engine() *syncer.Engine {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.eng == nil {
		return nil
	}
	return c.eng.e
}

func (c *Controller) setSignIn(why string) {
	c.mu.Lock()
	c.signIn = why
	c.mu.Unlock()
	c.changed()
}

// Close stops the engine and the demo service.
func (c *Controller) Close() error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	c.stopEngine()
	c.stopDemo()
	c.end()
	return nil
}

// Changes signals, without blocking the sender, whenever the state
// changed, until ctx ends.
func (c *Controller) Changes(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	c.mu.Lock()
	c.subs[ch] = struct{}{}
	c.mu.Unlock()
	go func() {
		<-ctx.Done()
		c.mu.Lock()
		delete(c.subs, ch)
		c.mu.Unlock()
	}()
	return ch
}

func (c *Controller) changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// logf adds a line to the activity log and the logger.
func (c *Controller) logf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.st.addLog(time.Now(), msg)
	c.log.Info(msg)
}

func (c *Controller) now() time.Time { return c.o.Now() }
