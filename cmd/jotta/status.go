package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"jottacloudclient/app"
	"jottacloudclient/app/creds"
	"jottacloudclient/app/instance"
	"jottacloudclient/app/message"
	"jottacloudclient/syncer"
)

func newStatusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the folder pairs, their last backup, the running engine and the credentials",
		Long: `Show the configured folder pairs with the time of their last complete
backup pass, whether a backup engine (the tray app or 'jotta run') is
running, and where the credentials come from. Nothing is sent to JottaCloud
and no token is exchanged.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := loadEnv(g)
			if err != nil {
				return err
			}
			st := statusOf(cmd.Context(), env, time.Now())
			// The same validation as 'jotta run' and the app: a file they
			// would refuse is reported here too, after the report.
			_, _, cfgErr := app.EngineConfig(env.Config, env.Paths.Config)
			if cfgErr != nil {
				st.ConfigError = cfgErr.Error()
			}
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(st); err != nil {
					return err
				}
			} else {
				printStatus(g.stdout, st, time.Now())
			}
			return withCode(exitUsage, cfgErr)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

// statusReport is what 'jotta status' shows.
type statusReport struct {
	Config      string       `json:"config"`
	ConfigFound bool         `json:"config_found"`
	ConfigError string       `json:"config_error,omitempty"` // what 'jotta run' and the app refuse in it
	Engine      statusEngine `json:"engine"`
	Credentials statusCreds  `json:"credentials"`
	Pairs       []statusPair `json:"pairs"`
	StateDir    string       `json:"state_dir"`
}

type statusEngine struct {
	Running bool   `json:"running"`
	Role    string `json:"role,omitempty"` // "tray" or "run"
	PID     int    `json:"pid,omitempty"`
}

type statusCreds struct {
	SignedIn bool   `json:"signed_in"`
	Backend  string `json:"backend,omitempty"` // keyring or file
	Origin   string `json:"origin,omitempty"`  // login, netrc or env
	Username string `json:"username,omitempty"`
	Pending  string `json:"pending,omitempty"` // netrc or env: found, exchanged on first use
	Message  string `json:"message"`
}

type statusPair struct {
	ID           string     `json:"id"`
	Local        string     `json:"local"`
	Remote       string     `json:"remote"`
	Enabled      bool       `json:"enabled"`
	LastComplete *time.Time `json:"last_complete,omitempty"`
	Last         string     `json:"last"` // in words: a time, "never", or why it is unknown
	// Decision says that deletions wait for the user ("" when none).
	Decision string `json:"needs_decision,omitempty"`
	// Warning is the "not backed up since" line when the last complete
	// backup is older than the threshold ("" otherwise).
	Warning string `json:"warning,omitempty"`
}

// statusOf gathers the report; it never fails, problems are part of it.
func statusOf(ctx context.Context, env *cliEnv, now time.Time) statusReport {
	_, cfgErr := os.Stat(env.Paths.Config)
	st := statusReport{Config: env.Paths.Config, ConfigFound: cfgErr == nil, StateDir: env.Paths.StateDir, Pairs: []statusPair{}}
	st.Engine = statusEngineOf(env.Paths.LockDir)
	st.Credentials = statusCredsOf(ctx, env)

	// The running engine holds the indexes open; reading them would wait
	// for it, so their times are only read when no engine runs.
	var eng *syncer.Engine
	if !st.Engine.Running {
		e, err := syncer.New(statusNoRemote{}, syncer.Options{StateDir: env.Paths.StateDir, NoWatch: true, Logger: env.Logger})
		if err == nil {
			eng = e
			defer eng.Close()
		}
	}
	var rs *runStatus
	if st.Engine.Running && st.Engine.Role == instance.RoleRun {
		rs, _ = readRunStatus(env.Paths.StateDir, st.Engine.PID)
	}
	for _, p := range env.Config.Pairs {
		sp := statusPair{ID: p.ID, Local: p.LocalPath(), Remote: p.Remote, Enabled: p.Enabled}
		switch {
		case eng != nil:
			sp.Last = statusLast(eng, p.ID, &sp, now)
		case rs != nil:
			sp.Last = statusFromRun(rs, p.ID, &sp, now)
		default:
			sp.Last = "unknown while the engine runs (its index is in use); see its log"
		}
		if sp.LastComplete != nil && p.Enabled && now.Sub(*sp.LastComplete) > app.StaleAfter(p) {
			sp.Warning = "not backed up since " + message.Day(*sp.LastComplete, now)
		}
		st.Pairs = append(st.Pairs, sp)
	}
	return st
}

// statusLast reads when the pair last completed a pass.
func statusLast(eng *syncer.Engine, id string, sp *statusPair, now time.Time) string {
	if _, err := os.Stat(eng.IndexPath(id)); errors.Is(err, fs.ErrNotExist) {
		return "never"
	}
	t, err := eng.LastComplete(id)
	if err != nil {
		return "unknown: " + err.Error()
	}
	if t.IsZero() {
		return "never"
	}
	sp.LastComplete = &t
	return engineWhen(t, now)
}

// statusFromRun reads a pair's last pass from the running 'jotta run'.
func statusFromRun(rs *runStatus, id string, sp *statusPair, now time.Time) string {
	ps, ok := rs.Pairs[id]
	if !ok {
		return "no pass finished yet since 'jotta run' started"
	}
	var last string
	if ps.LastComplete.IsZero() {
		last = "never"
	} else {
		t := ps.LastComplete
		sp.LastComplete = &t
		last = engineWhen(t, now)
	}
	if ps.HeldFiles > 0 {
		sp.Decision = ps.Held
	}
	if ps.Error != "" {
		last += "; the latest pass failed: " + ps.Error
	} else if ps.Problems > 0 {
		last += fmt.Sprintf("; %s not backed up", enginePlural(int64(ps.Problems), "item was", "items were"))
	}
	return last
}

// statusEngineOf says whether an engine holds the single-instance lock.
func statusEngineOf(dir string) statusEngine {
	var busy *instance.BusyError
	if err := instance.Probe(dir); errors.As(err, &busy) {
		return statusEngine{Running: true, Role: busy.Role, PID: busy.PID}
	}
	return statusEngine{}
}

// statusCredsOf says where the credentials are, without exchanging any.
func statusCredsOf(ctx context.Context, env *cliEnv) statusCreds {
	o := env.accountOptions()
	st, err := app.NewStore(o)
	if err != nil {
		return statusCreds{Message: "credentials store unavailable: " + err.Error()}
	}
	info, err := st.Info(ctx)
	if err == nil {
		c := statusCreds{SignedIn: true, Backend: string(info.Backend), Origin: string(info.Origin), Username: info.Username}
		c.Message = "signed in; session " + describeCredential(info)
		if info.Username != "" {
			c.Message += " as " + info.Username
		}
		return c
	}
	if !app.IsSignInRequired(err) && !errors.Is(err, creds.ErrNoCredentials) {
		return statusCreds{Message: "the stored session cannot be read: " + err.Error()}
	}
	chain := &creds.Chain{Store: st, NetrcPath: o.NetrcPath, Getenv: o.Getenv, Logger: env.Logger}
	sec, ok, err := chain.External()
	switch {
	case err != nil:
		return statusCreds{Message: "not signed in: " + err.Error()}
	case ok:
		where := "~/.netrc"
		if sec.Source == creds.SourceEnv {
			where = creds.EnvToken
		}
		return statusCreds{Pending: string(sec.Source),
			Message: "a token in " + where + " will be exchanged for a session on first use"}
	}
	return statusCreds{Message: "not signed in: " + signInHelpText}
}

// signInHelpText tells the user how to sign in.
const signInHelpText = "run 'jotta login' with a personal login token (JottaCloud web app: Settings → Security → Personal login token), or set JOTTACLOUD_TOKEN"

func printStatus(w io.Writer, st statusReport, now time.Time) {
	cfg := st.Config
	if !st.ConfigFound {
		cfg += " (not created yet)"
	}
	fmt.Fprintf(w, "Config:      %s\n", cfg)
	switch {
	case !st.Engine.Running:
		fmt.Fprintln(w, "Engine:      not running (start the tray app or 'jotta run')")
	case st.Engine.Role == instance.RoleTray:
		fmt.Fprintf(w, "Engine:      the tray app is running (pid %d)\n", st.Engine.PID)
	case st.Engine.Role == instance.RoleRun:
		fmt.Fprintf(w, "Engine:      'jotta run' is running (pid %d)\n", st.Engine.PID)
	default:
		fmt.Fprintln(w, "Engine:      running")
	}
	fmt.Fprintf(w, "Credentials: %s\n", st.Credentials.Message)
	if len(st.Pairs) == 0 {
		fmt.Fprintln(w, "Folder pairs: none configured (add one in the tray app's settings, or use 'jotta scan' for a one-off backup)")
		return
	}
	fmt.Fprintln(w, "Folder pairs:")
	for _, p := range st.Pairs {
		state := ""
		if !p.Enabled {
			state = " (disabled)"
		}
		fmt.Fprintf(w, "  %s%s: %s -> %s\n    last complete backup: %s\n", p.ID, state, p.Local, p.Remote, p.Last)
		if p.Warning != "" {
			fmt.Fprintf(w, "    warning: %s\n", p.Warning)
		}
		if p.Decision != "" {
			fmt.Fprintf(w, "    needs your decision: %s\n    run 'jotta scan --confirm-deletes %s %s' once to move them to the JottaCloud trash\n", p.Decision, p.Local, p.Remote)
		}
	}
}

// statusNoRemote lets status open the engine's indexes without an account;
// status never runs a pass.
type statusNoRemote struct{}

var errStatusNoRemote = errors.New("status does not talk to JottaCloud")

func (statusNoRemote) List(context.Context, string, func(syncer.Entry) error) error {
	return errStatusNoRemote
}

func (statusNoRemote) EnsureFolder(context.Context, string) ([]string, error) {
	return nil, errStatusNoRemote
}

func (statusNoRemote) Upload(context.Context, string, io.ReaderAt, syncer.FileMeta) (syncer.UploadResult, error) {
	return syncer.UploadResult{}, errStatusNoRemote
}

func (statusNoRemote) Move(context.Context, string, string, bool) error { return errStatusNoRemote }

func (statusNoRemote) MoveAside(context.Context, string, string, bool) error {
	return errStatusNoRemote
}

func (statusNoRemote) Trash(context.Context, string, bool) error { return errStatusNoRemote }
