package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"jottacloudclient/app/config"
	"jottacloudclient/jotta/emulator"
)

// The demo signs in to a JottaCloud emulator that runs inside the app on
// loopback, with its own data and credentials under the state directory,
// so a newcomer can see the whole flow without an account. Nothing of the
// real account is touched.

func (c *Controller) demoDir() string { return filepath.Join(c.o.Paths.StateDir, "demo") }

// noKeyring keeps the demo's session out of the OS keyring.
type noKeyring struct{}

var errNoKeyring = errors.New("the demo keeps its session in a file")

func (noKeyring) Get(string, string) (string, error) { return "", errNoKeyring }
func (noKeyring) Set(string, string, string) error   { return errNoKeyring }
func (noKeyring) Delete(string, string) error        { return errNoKeyring }

// demoOptions are the account options of the demo service at url.
func (c *Controller) demoOptions(url string) AccountOptions {
	p := c.o.Paths
	p.CredsDir = filepath.Join(c.demoDir(), "session")
	return AccountOptions{
		Paths:      p,
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

// StartDemo signs in to the built-in demo service and, when no folder is
// configured yet, adds a sample folder so the first backup can be watched.
func (c *Controller) StartDemo(ctx context.Context) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	if _, err := c.Config(); err != nil {
		return fmt.Errorf("fix the configuration file first: %w", err)
	}
	c.stopEngine()
	acct, err := c.openDemo(ctx)
	if err != nil {
		c.stopDemo()
		return err
	}
	sample, err := c.makeSampleFolder()
	if err != nil {
		return err
	}
	if _, err := c.updateConfig(func(cfg *config.Config) error {
		cfg.Account.Demo = true
		cfg.Account.Username = "demo@example.org"
		if len(cfg.Pairs) == 0 {
			cfg.Pairs = append(cfg.Pairs, config.NewPair("demo", sample, "/"+deviceName()+"/Demo/Sample files"))
		}
		return nil
	}); err != nil {
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
