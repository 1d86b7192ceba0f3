package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/app/creds"
	"jottacloudclient/app/message"
	"jottacloudclient/jotta"
)

// envNetrc points the credentials chain at another netrc file than
// ~/.netrc ($NETRC is honoured too; this one wins).
const envNetrc = "JOTTA_NETRC"

// cliEnv is what a command that talks to JottaCloud needs besides the
// account: where the files are, the loaded configuration, the logger and
// the chosen endpoint.
type cliEnv struct {
	Paths    app.Paths
	Config   *config.Config
	Logger   *slog.Logger
	Endpoint string // "" means JottaCloud itself
}

// cliAccount is a signed-in account with the environment it was opened in.
type cliAccount struct {
	*app.Account
	Env *cliEnv
}

// loadEnv resolves the logger, the paths and the configuration file. A
// configuration file that does not parse is reported with its line and
// left untouched (exit 2). The endpoint is --endpoint or
// JOTTACLOUD_ENDPOINT, else account.endpoint of the configuration.
func loadEnv(g *globals) (*cliEnv, error) { return loadEnvWith(g, false) }

// loadEnvLenient is loadEnv for the commands that do not need the folder
// pairs (login, whoami, ls, download, restore, verify): a configuration
// file that does not load is reported, with the line to fix, and the
// command goes on with the defaults, so a typo never blocks the way back
// to the files.
func loadEnvLenient(g *globals) (*cliEnv, error) { return loadEnvWith(g, true) }

func loadEnvWith(g *globals, lenient bool) (*cliEnv, error) {
	log, err := g.logger()
	if err != nil {
		return nil, err
	}
	paths, err := app.DefaultPaths()
	if err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("find the configuration directory: %w", err))
	}
	cfg, warns, err := config.Load(paths.Config)
	var le *config.LoadError
	if err != nil && lenient && errors.As(err, &le) {
		fmt.Fprintf(g.stderr, "jotta: warning: %s Going on without it.\n", message.Text(le))
		cfg, err = config.Default(), nil
	}
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	for _, w := range warns {
		log.Warn("configuration", "key", w.Key, "msg", w.Msg)
	}
	endpoint := strings.TrimSpace(g.endpoint)
	if endpoint == "" {
		endpoint = strings.TrimSpace(cfg.Account.Endpoint)
	}
	if endpoint != "" && !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
		return nil, withCode(exitUsage, fmt.Errorf("endpoint %q is not an http(s) URL: give a base URL such as http://127.0.0.1:PORT", endpoint))
	}
	return &cliEnv{Paths: paths, Config: cfg, Logger: log, Endpoint: endpoint}, nil
}

// accountOptions are the options for app.OpenAccount and app.SignIn.
func (e *cliEnv) accountOptions() app.AccountOptions {
	return app.AccountOptions{
		Paths:     e.Paths,
		Endpoint:  e.Endpoint,
		NetrcPath: os.Getenv(envNetrc),
		Logger:    e.Logger,
	}
}

// openAccount loads the environment and finds the credentials (stored
// session, ~/.netrc, JOTTACLOUD_TOKEN). Every failure is exit code 2 with
// a message that says what to do.
func openAccount(ctx context.Context, g *globals) (*cliAccount, error) {
	env, err := loadEnvLenient(g)
	if err != nil {
		return nil, err
	}
	return openAccountIn(ctx, env)
}

// openAccountIn opens the account in an already loaded environment.
func openAccountIn(ctx context.Context, env *cliEnv) (*cliAccount, error) {
	acc, err := app.OpenAccount(ctx, env.accountOptions())
	if err != nil {
		return nil, withCode(exitUsage, accountError(err))
	}
	return &cliAccount{Account: acc, Env: env}, nil
}

// accountError adds what to do to a credentials or session error. Other
// errors are returned as they are.
func accountError(err error) error {
	var perm *creds.NetrcPermissionError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, creds.ErrNoCredentials):
		return fmt.Errorf("not signed in: %w. Create a personal login token in JottaCloud's web settings "+
			"(Settings → Security) and run 'jotta login' (or set JOTTACLOUD_TOKEN to it)", err)
	case errors.Is(err, creds.ErrPasswordLogin), errors.As(err, &perm):
		return err
	case errors.Is(err, jotta.ErrSignInRequired):
		if strings.Contains(err.Error(), "jotta login") {
			return err
		}
		return fmt.Errorf("%w; run 'jotta login' to sign in again", err)
	}
	return err
}

// commandError gives an error from talking to JottaCloud its exit code: 2
// when the user has to sign in again, otherwise fallback.
func commandError(err error, fallback int) error {
	if err == nil {
		return nil
	}
	if app.IsSignInRequired(err) {
		return withCode(exitUsage, accountError(err))
	}
	return withCode(fallback, err)
}

// describeCredential says in words where the session lives and where it
// came from, for whoami and login.
func describeCredential(info creds.Info) string {
	var where string
	switch info.Backend {
	case creds.SourceKeyring:
		where = "stored in the OS keyring (keyring)"
	case creds.SourceFile:
		where = "stored in the token file (file)"
	default:
		where = "stored in " + string(info.Backend)
	}
	var from string
	switch info.Origin {
	case creds.SourceLogin:
		from = "signed in with 'jotta login'"
	case creds.SourceNetrc:
		from = "from ~/.netrc (netrc)"
	case creds.SourceEnv:
		from = "from JOTTACLOUD_TOKEN (env)"
	default:
		from = "from " + string(info.Origin)
	}
	return where + ", " + from
}

// accountBytes formats n bytes in binary units: 0 B, 512 B, 1.5 KiB, 2.0 GiB.
func accountBytes(n int64) string {
	const unit = 1024
	if n < 0 {
		return "-" + accountBytes(-n)
	}
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := float64(n) / unit
	i := 0
	for v >= unit && i < len(units)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}
