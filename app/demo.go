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

	"jottacloudclient/app/config"
	"jottacloudclient/jotta/emulator"
)

// The demo signs in to a JottaCloud emulator that runs inside the app on
// loopback. It runs in a profile of its own under the state directory:
// its configuration file, folder pairs, indexes, session and server data
// all live in one directory that is deleted when the demo ends (signing
// out, or signing in to a real account). The real configuration file is
// never written by the demo, so nothing chosen during the demo can be
// backed up to a real account.

func (c *Controller) demoDir() string { return filepath.Join(c.o.Paths.StateDir, "demo") }

// demoPaths is the demo profile: everything under demoDir but the
// process-wide instance lock.
func (c *Controller) demoPaths() Paths {
	d := c.demoDir()
	return Paths{
		Config:   filepath.Join(d, "config.toml"),
		CredsDir: filepath.Join(d, "session"),
		StateDir: filepath.Join(d, "state"),
		LockDir:  c.o.Paths.LockDir,
	}
}

// hasDemoProfile reports whether a demo was running when the app last stopped.
func (c *Controller) hasDemoProfile() bool {
	_, err := os.Stat(c.demoPaths().Config)
	return err == nil
}

// demoActive reports whether the demo profile is the current one.
func (c *Controller) demoActive() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inDemo
}

// enterDemo makes a fresh demo profile current: a configuration with the
// sample folder and nothing else.
func (c *Controller) enterDemo() error {
	if err := os.RemoveAll(c.demoDir()); err != nil {
		return fmt.Errorf("clear the old demo: %w", err)
	}
	sample, err := c.makeSampleFolder()
	if err != nil {
		return err
	}
	cfg := config.Default()
	if real := c.config(); real != nil {
		cfg.Options = real.Options // the user's choices of speed and notifications
		cfg.Options.Excludes = nil
	}
	cfg.Account.Demo = true
	cfg.Account.Username = "demo@example.org"
	cfg.Pairs = []config.Pair{config.NewPair("demo", sample, "/"+deviceName()+"/Demo/Sample files")}
	if err := config.Save(c.demoPaths().Config, cfg); err != nil {
		return fmt.Errorf("create the demo: %w", err)
	}
	c.mu.Lock()
	c.cfg, c.cfgErr, c.inDemo = cfg, nil, true
	c.mu.Unlock()
	return nil
}

// leaveDemo stops the demo service, deletes the demo profile and makes the
// real configuration current again. The engine must be stopped.
func (c *Controller) leaveDemo() {
	c.stopDemo()
	if err := os.RemoveAll(c.demoDir()); err != nil {
		c.logf("delete the demo's files: %v", err)
	}
	c.mu.Lock()
	c.inDemo = false
	c.mu.Unlock()
	c.loadConfig(c.o.Paths.Config)
}

// forgetLegacyDemo cleans a configuration written by versions that kept
// the demo in the real profile: the demo flag and the pairs of the demo's
// own folders go, so they can never reach a real account.
func (c *Controller) forgetLegacyDemo() {
	dir := c.demoDir() + string(filepath.Separator)
	if _, err := c.updateConfig(func(cfg *config.Config) error {
		cfg.Account.Demo = false
		cfg.Account.Username = ""
		cfg.Pairs = slices.DeleteFunc(cfg.Pairs, func(p config.Pair) bool {
			return strings.HasPrefix(p.LocalPath()+string(filepath.Separator), dir)
		})
		return nil
	}); err != nil {
		c.logf("forget the old demo: %v", err)
	}
}

// noKeyring keeps the demo's session out of the OS keyring.
type noKeyring struct{}

var errNoKeyring = errors.New("the demo keeps its session in a file")

func (noKeyring) Get(string, string) (string, error) { return "", errNoKeyring }
func (noKeyring) Set(string, string, string) error   { return errNoKeyring }
func (noKeyring) Delete(string, string) error        { return errNoKeyring }

// demoOptions are the account options of the demo service at url.
func (c *Controller) demoOptions(url string) AccountOptions {
	return AccountOptions{
		Paths:      c.demoPaths(),
		Endpoint:   url,
		Keyring:    noKeyring{},
		HTTPClient: c.o.HTTPClient,
		Getenv:     func(string) string { return "" },
		NetrcPath:  filepath.Join(c.demoDir(), "no-netrc"),
		Logger:     c.log,
	}
}

// startDemoServer starts the emulator on its data directory.
func (c *Controller) startDemoServer() (*emulator.Running, error) {
	c.mu.Lock()
	running := c.demo
	c.mu.Unlock()
	if running != nil {
		return running, nil
	}
	srv, err := emulator.Start("127.0.0.1:0", emulator.Options{
		DataDir: filepath.Join(c.demoDir(), "server"),
		Email:   "demo@example.org",
		Logger:  c.log,
	})
	if err != nil {
		return nil, fmt.Errorf("start the demo service: %w", err)
	}
	c.mu.Lock()
	c.demo = srv
	c.mu.Unlock()
	return srv, nil
}

// openDemo reopens the demo account after a restart, signing in afresh
// when its stored session is gone.
func (c *Controller) openDemo(ctx context.Context) (*Account, error) {
	srv, err := c.startDemoServer()
	if err != nil {
		return nil, err
	}
	o := c.demoOptions(srv.URL)
	acct, err := OpenAccount(ctx, o)
	if IsSignInRequired(err) {
		var tok string
		if tok, err = srv.MintLoginToken(); err != nil {
			return nil, err
		}
		if _, err = SignIn(ctx, o, tok); err != nil {
			return nil, err
		}
		acct, err = OpenAccount(ctx, o)
	}
	return acct, err
}

func (c *Controller) stopDemo() {
	c.mu.Lock()
	srv := c.demo
	c.demo = nil
	c.mu.Unlock()
	if srv != nil {
		if err := srv.Close(); err != nil {
			c.logf("stop the demo service: %v", err)
		}
	}
}

// StartDemo switches to the demo profile and signs in to the built-in demo
// service; the profile starts with a sample folder so the first backup can
// be watched. The real account's configuration and session are left as
// they are.
func (c *Controller) StartDemo(ctx context.Context) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	if _, err := c.Config(); err != nil && !c.demoActive() {
		return fmt.Errorf("fix the configuration file first: %w", err)
	}
	c.stopEngine()
	if c.demoActive() {
		c.leaveDemo()
	}
	c.mu.Lock()
	c.acct = nil
	c.mu.Unlock()
	if err := c.enterDemo(); err != nil {
		c.leaveDemo()
		return err
	}
	acct, err := c.openDemo(ctx)
	if err != nil {
		c.leaveDemo()
		return err
	}
	c.mu.Lock()
	c.acct = acct
	c.signIn = ""
	c.mu.Unlock()
	c.logf("signed in to the demo service")
	c.startEngine()
	c.changed()
	return nil
}

// makeSampleFolder writes a few files to back up in the demo.
func (c *Controller) makeSampleFolder() (string, error) {
	dir := filepath.Join(c.demoDir(), "Sample files")
	files := map[string]string{
		"Welcome.txt": "This folder belongs to the JottaCloud Backup demo.\n" +
			"Add, change or delete files here and watch them being backed up to the demo service.\n",
		"Notes/Shopping list.txt": "milk\nbread\ncoffee\n",
		"Notes/Ideas.md":          "# Ideas\n\n- back up the photo folder\n- try pausing a backup\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", fmt.Errorf("create the demo folder: %w", err)
		}
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return "", fmt.Errorf("create the demo folder: %w", err)
		}
	}
	return dir, nil
}

var deviceUnsafe = regexp.MustCompile(`[^A-Za-z0-9 ._-]+`)

// deviceName is this computer's name as a JottaCloud device name.
func deviceName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "My computer"
	}
	if h = deviceUnsafe.ReplaceAllString(h, "-"); h == "" {
		return "My computer"
	}
	return h
}

// DeviceName is the device name proposed for new folder pairs.
func DeviceName() string { return deviceName() }
