package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"jottacloudclient/app/config"
	"jottacloudclient/app/creds"
	"jottacloudclient/app/power"
	"jottacloudclient/jotta"
	"jottacloudclient/syncer"
)

// Paths are where the app keeps its files. The zero value is filled in by
// DefaultPaths; tests point every field at temporary directories.
type Paths struct {
	Config   string // the TOML configuration file
	CredsDir string // token file fallback and the refresh lock
	StateDir string // per-pair indexes and logs; deleting it costs a rehash, never data
	LockDir  string // the single-instance lock and socket
}

// DefaultPaths uses the OS config dir for configuration, credentials and
// the instance lock, and the OS cache dir for the engine's indexes.
// JOTTA_CONFIG overrides the configuration file.
func DefaultPaths() (Paths, error) {
	cfg, err := config.DefaultPath()
	if err != nil {
		return Paths{}, err
	}
	cd, err := creds.DefaultDir()
	if err != nil {
		return Paths{}, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return Paths{}, fmt.Errorf("find cache directory: %w", err)
	}
	return Paths{Config: cfg, CredsDir: cd, StateDir: filepath.Join(cache, "jottacloudclient"), LockDir: cd}, nil
}

// EnginePair turns a configured folder pair into the engine's form.
func EnginePair(p config.Pair) syncer.Pair {
	prune, _ := syncer.ParsePruneMode(string(p.Prune))
	return syncer.Pair{
		ID:             p.ID,
		Local:          p.LocalPath(),
		Remote:         p.Remote,
		Excludes:       append([]string(nil), p.Excludes...),
		SkipHidden:     !p.IncludeHidden,
		FollowSymlinks: p.FollowSymlinks,
		Prune:          prune,
		PruneLimit:     p.PruneLimit,
		Interval:       time.Duration(p.Interval),
		NoWatch:        !p.Watch,
	}
}

// EnginePairs returns the enabled pairs of cfg in the engine's form.
func EnginePairs(cfg *config.Config) []syncer.Pair {
	var out []syncer.Pair
	for _, p := range cfg.Pairs {
		if p.Enabled {
			out = append(out, EnginePair(p))
		}
	}
	return out
}

// EngineOptions are the engine settings of cfg. When cfg skips backups on
// battery or on metered networks, Gate asks the system (see SystemPower);
// the flags are read once, here.
func EngineOptions(cfg *config.Config, paths Paths, log *slog.Logger) syncer.Options {
	o := syncer.Options{
		StateDir:       paths.StateDir,
		GlobalExcludes: append([]string(nil), cfg.Options.Excludes...),
		Transfers:      cfg.Options.Transfers,
		BandwidthLimit: int64(cfg.Options.BandwidthLimit),
		Logger:         log,
		Probe:          Reachable,
	}
	if cfg.Options.SkipOnBattery || cfg.Options.SkipOnMetered {
		o.Gate = SystemPower(log).Gate(cfg.Options.SkipOnBattery, cfg.Options.SkipOnMetered)
	}
	return o
}

// WatchNetwork makes e retry failed passes at once whenever NetworkManager
// reports the computer online again, until ctx ends. Without
// NetworkManager the engine's own retries and probe carry on alone.
func WatchNetwork(ctx context.Context, e *syncer.Engine, log *slog.Logger) {
	if err := SystemPower(log).WatchOnline(ctx, nil, e.NetworkUp); err != nil {
		log.Debug("network changes are not reported; failed backups are retried on their own schedule", "err", err)
	}
}

var systemPower struct {
	once    sync.Once
	checker *power.Checker
}

// SystemPower is the process's one power and network checker on the
// system D-Bus. It connects on its first check and keeps the connection;
// log (of the first call) hears why a state was unknown.
func SystemPower(log *slog.Logger) *power.Checker {
	systemPower.once.Do(func() {
		systemPower.checker = power.New(power.Options{Logger: log})
	})
	return systemPower.checker
}

// AccountOptions say how to reach the account.
type AccountOptions struct {
	Paths      Paths
	Endpoint   string // one base URL for JFS and the JSON API (the emulator); "" = JottaCloud
	Keyring    creds.Keyring
	HTTPClient *http.Client
	Getenv     func(string) string // nil: os.Getenv
	NetrcPath  string              // "": ~/.netrc
	Logger     *slog.Logger
}

// Account is a signed-in JottaCloud account.
type Account struct {
	Client *jotta.Client
	Store  *creds.Store
	Info   creds.Info // where the credential came from
}

// Remote is the engine's view of the account.
func (a *Account) Remote() *Remote { return NewRemote(a.Client) }

// NewStore opens the writable token store under o.Paths.CredsDir.
func NewStore(o AccountOptions) (*creds.Store, error) {
	return creds.NewStore(creds.StoreOptions{Dir: o.Paths.CredsDir, Keyring: o.Keyring, Logger: o.Logger})
}

// Exchange turns a personal login token or a bare refresh token into a
// session. endpoint is the emulator's base URL when set: a bare refresh
// token is then redeemed there instead of at JottaCloud's sign-in service.
func Exchange(hc *http.Client, endpoint string) creds.Exchange {
	return func(ctx context.Context, s creds.Secret) (*jotta.Token, error) {
		if s.Kind == creds.KindLoginToken || jotta.IsLoginToken(s.Reveal()) {
			return jotta.Login(ctx, hc, s.Reveal())
		}
		tokenURL := ""
		if endpoint != "" {
			tokenURL = strings.TrimRight(endpoint, "/") + "/auth/realms/jottacloud/protocol/openid-connect/token"
		}
		return jotta.RefreshToken(ctx, hc, tokenURL, s.Reveal())
	}
}

// OpenAccount finds the credentials (stored session, then ~/.netrc, then
// JOTTACLOUD_TOKEN), exchanging a token found outside the store once, and
// returns a client. An error matching jotta.ErrSignInRequired means the
// user must sign in (jotta login, or the settings window).
func OpenAccount(ctx context.Context, o AccountOptions) (*Account, error) {
	st, err := NewStore(o)
	if err != nil {
		return nil, err
	}
	chain := &creds.Chain{Store: st, NetrcPath: o.NetrcPath, Getenv: o.Getenv, Logger: o.Logger}
	info, err := chain.Resolve(ctx, Exchange(o.HTTPClient, o.Endpoint))
	if err != nil {
		return nil, err
	}
	c, err := jotta.New(jotta.Options{Endpoint: o.Endpoint, HTTPClient: o.HTTPClient, Store: st, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	return &Account{Client: c, Store: st, Info: info}, nil
}

// SignIn exchanges a personal login token typed by the user and stores the
// session, replacing any earlier one.
func SignIn(ctx context.Context, o AccountOptions, loginToken string) (creds.Info, error) {
	st, err := NewStore(o)
	if err != nil {
		return creds.Info{}, err
	}
	return st.Login(ctx, strings.TrimSpace(loginToken), Exchange(o.HTTPClient, o.Endpoint))
}

// IsSignInRequired reports whether err means the user has to sign in again.
func IsSignInRequired(err error) bool { return errors.Is(err, jotta.ErrSignInRequired) }

// EngineConfig is the one validation of a configuration before its pairs
// are scheduled ('jotta run', 'jotta status'): it returns the enabled
// pairs in the engine's form, the pairs whose local folder is missing (a
// warning: their passes fail until it appears), and an error naming the
// file and every field to fix.
func EngineConfig(cfg *config.Config, path string) ([]syncer.Pair, []config.FieldError, error) {
	var errs, missing []config.FieldError
	for _, fe := range cfg.Locate(cfg.Validate()) {
		if i, ok := missingLocal(cfg, fe); ok {
			missing = append(missing, config.FieldError{Field: cfg.Pairs[i].ID, Message: fe.Message})
			continue
		}
		errs = append(errs, fe)
	}
	if len(errs) > 0 {
		return nil, missing, fmt.Errorf("config file %s: %w", path, config.ValidationError(errs))
	}
	return EnginePairs(cfg), missing, nil
}

// missingLocal reports whether fe is about a pair's local folder that does
// not exist, and which pair.
func missingLocal(cfg *config.Config, fe config.FieldError) (int, bool) {
	for i, p := range cfg.Pairs {
		if fe.Field != fmt.Sprintf("pair[%d].local", i) || p.LocalPath() == "" {
			continue
		}
		_, err := os.Stat(p.LocalPath())
		return i, filepath.IsAbs(p.LocalPath()) && errors.Is(err, fs.ErrNotExist)
	}
	return 0, false
}
