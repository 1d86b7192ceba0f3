package config

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole configuration file.
type Config struct {
	Account Account `toml:"account"`
	Options Options `toml:"options"`
	Pairs   []Pair  `toml:"pair"`

	// lines maps keys to the line of the file they were loaded from
	// (see Locate); nil for a configuration made in code.
	lines map[string]int
}

// Account names the JottaCloud account. The credentials themselves live in
// the keyring (see app/creds), never here.
type Account struct {
	Username string `toml:"username"`           // the sign-in name shown in the UI; informational
	Endpoint string `toml:"endpoint,omitempty"` // optional API base URL override (the local emulator, tests)
	// Demo signs in to the built-in demo service (a local JottaCloud
	// emulator with its own data) instead of a real account.
	Demo bool `toml:"demo,omitempty"`
}

// Options are the global settings.
type Options struct {
	Transfers      int      `toml:"transfers"`       // parallel uploads, 1..MaxTransfers
	BandwidthLimit ByteRate `toml:"bandwidth_limit"` // upload limit; 0 means unlimited
	StartAtLogin   bool     `toml:"start_at_login"`
	Notifications  bool     `toml:"notifications"`
	SkipOnBattery  bool     `toml:"skip_on_battery"`
	SkipOnMetered  bool     `toml:"skip_on_metered"`
	Excludes       []string `toml:"excludes"` // gitignore-style patterns applied to every pair
	// TrayIcon is the tray icon's look: TrayIconColour (also ""),
	// TrayIconLight, TrayIconDark or TrayIconAuto.
	TrayIcon string `toml:"tray_icon"`
}

// Tray icon looks: in colour, monochrome for a light or a dark panel, or
// following the desktop's light or dark style (colour when it has none).
const (
	TrayIconColour = "colour"
	TrayIconLight  = "light"
	TrayIconDark   = "dark"
	TrayIconAuto   = "auto"
)

// Pair is one local folder backed up to one remote folder.
type Pair struct {
	ID       string   `toml:"id"`       // stable name, unique in the file
	Local    string   `toml:"local"`    // absolute local directory; a leading ~ means the home directory
	Remote   string   `toml:"remote"`   // /device/mountpoint/folder[/…]
	Enabled  bool     `toml:"enabled"`  // scheduled at all
	Interval Duration `toml:"interval"` // time between full passes, at least MinInterval
	Watch    bool     `toml:"watch"`    // also react to file-system events
	Excludes []string `toml:"excludes"` // gitignore-style patterns, on top of Options.Excludes
	Prune    Prune    `toml:"prune"`    // what may be removed remotely when gone locally
	// PruneLimit is the most files one pass may move to the trash without
	// the user's confirmation: 0 for the default (10 % of the remote
	// files, between 10 and 100), -1 for no limit.
	PruneLimit     int  `toml:"prune_limit"`
	IncludeHidden  bool `toml:"include_hidden"`
	FollowSymlinks bool `toml:"follow_symlinks"`
}

// Defaults and limits.
const (
	DefaultTransfers = 4
	MaxTransfers     = 32
	DefaultInterval  = time.Hour
	MinInterval      = time.Minute
)

// Default is the configuration used when there is no file.
func Default() *Config {
	return &Config{Options: Options{Transfers: DefaultTransfers, Notifications: true, TrayIcon: TrayIconColour}}
}

// NewPair returns a pair with the defaults a new pair gets: enabled, hourly,
// watched, hidden files included, nothing pruned.
func NewPair(id, local, remote string) Pair {
	return Pair{ID: id, Local: local, Remote: remote, Enabled: true, Interval: Duration(DefaultInterval),
		Watch: true, Prune: PruneNone, IncludeHidden: true}
}

// LocalPath is Local with a leading ~ expanded and the path cleaned.
func (p Pair) LocalPath() string {
	l := p.Local
	if l == "~" || strings.HasPrefix(l, "~/") || strings.HasPrefix(l, `~\`) {
		if home, err := os.UserHomeDir(); err == nil {
			l = filepath.Join(home, l[1:])
		}
	}
	if l == "" {
		return ""
	}
	return filepath.Clean(l)
}

// Pair returns the pair with the given id.
func (c *Config) Pair(id string) (Pair, bool) {
	for _, p := range c.Pairs {
		if p.ID == id {
			return p, true
		}
	}
	return Pair{}, false
}

// EnvPath names the environment variable that overrides the file's path.
const EnvPath = "JOTTA_CONFIG"

// DefaultPath is $JOTTA_CONFIG, else
// os.UserConfigDir()/jottacloudclient/config.toml.
func DefaultPath() (string, error) {
	if p := os.Getenv(EnvPath); p != "" {
		return p, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "jottacloudclient", "config.toml"), nil
}
