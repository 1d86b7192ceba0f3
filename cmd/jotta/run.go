package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/app/instance"
	"jottacloudclient/app/message"
	"jottacloudclient/syncer"
)

// runFlags are the options of 'jotta run'.
type runFlags struct {
	json     bool
	debounce time.Duration
	noWatch  bool
}

func newRunCmd(g *globals) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Back up every configured folder pair until stopped",
		Long: `Run the backup engine headless, the way the tray app does, for servers and
NAS boxes: every enabled folder pair of the configuration file is backed up
at start, on its interval and (for pairs that watch) soon after files
change. Pass results and problems are logged on stdout, one line each (JSON
with --json). SIGHUP reloads the configuration file; SIGINT or SIGTERM
stops after the running uploads are cut off (they resume next time).

Only one engine may run per user: 'jotta run' refuses to start while the
tray app (or another 'jotta run') is running.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEngine(cmd.Context(), g, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "log events as JSON lines")
	fl.DurationVar(&f.debounce, "debounce", syncer.DefaultDebounce, "quiet time after a file change before a pass starts")
	fl.BoolVar(&f.noWatch, "no-watch", false, "do not watch folders for changes; scan on the pairs' intervals only")
	return cmd
}

// runPairs validates the configuration as the app does and returns the
// enabled pairs; a pair whose local folder is missing only gets a warning.
func runPairs(env *cliEnv, out *slog.Logger) ([]syncer.Pair, error) {
	pairs, missing, err := app.EngineConfig(env.Config, env.Paths.Config)
	for _, m := range missing {
		out.Warn("local folder is missing; its passes fail until it appears", "pair", m.Field, "reason", m.Message)
	}
	return pairs, err
}

func runEngine(ctx context.Context, g *globals, f runFlags) error {
	if f.debounce <= 0 {
		return withCode(exitUsage, fmt.Errorf("--debounce must be positive, got %s", f.debounce))
	}
	env, err := loadEnv(g)
	if err != nil {
		return err
	}
	out := runEventLogger(g.stdout, f.json)
	pairs, err := runPairs(env, out)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if len(pairs) == 0 {
		return withCode(exitUsage, fmt.Errorf("no enabled folders in %s: add one in the tray app's settings or in the file ([[pair]] with id, local and remote)", env.Paths.Config))
	}
	inst, err := instance.Acquire(env.Paths.LockDir, instance.RoleRun)
	if err != nil {
		var busy *instance.BusyError
		if errors.As(err, &busy) {
			return withCode(exitUsage, err)
		}
		return withCode(exitUsage, fmt.Errorf("take the single-instance lock: %w", err))
	}
	defer inst.Release()

	acct, err := openAccountIn(ctx, env)
	if err != nil {
		return err
	}
	opts := app.EngineOptions(env.Config, env.Paths, env.Logger)
	opts.Debounce = f.debounce
	opts.NoWatch = f.noWatch // pairs with watch = false carry NoWatch themselves
	// The skip-on-battery/metered options are read at every check, so a
	// SIGHUP reload changes them too.
	var skip atomic.Pointer[config.Options]
	skip.Store(&env.Config.Options)
	opts.Gate = func(ctx context.Context) (bool, string) {
		o := skip.Load()
		if !o.SkipOnBattery && !o.SkipOnMetered {
			return true, ""
		}
		return app.SystemPower(env.Logger).Check(ctx, o.SkipOnBattery, o.SkipOnMetered)
	}
	eng, err := syncer.New(acct.Remote(), opts)
	if err != nil {
		return withCode(exitUsage, err)
	}
	defer eng.Close()
	if err := eng.SetPairs(pairs); err != nil {
		return withCode(exitUsage, err)
	}

	out.Info("engine started", "pairs", len(pairs), "watch", !opts.NoWatch, "config", env.Paths.Config)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go app.WatchNetwork(ctx, eng, env.Logger)
	serveDone := make(chan struct{})
	go func() {
		defer close(serveDone)
		// A later tray app or 'jotta run' asks the holder to show itself;
		// headless there is nothing to show, the request is just answered.
		_ = inst.Serve(ctx, nil)
	}()

	sub := eng.Subscribe()
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		runLogEvents(out, sub.C(), newRunStatusFile(env.Paths.StateDir, out))
	}()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if o := runReload(g, eng, out); o != nil {
					skip.Store(o)
				}
			}
		}
	}()

	err = eng.Run(ctx)
	cancel()
	sub.Close()
	<-logDone
	<-serveDone
	out.Info("engine stopped")
	if err != nil {
		return withCode(exitPartial, err)
	}
	return nil
}

// runReload reads the configuration file again and hands the pairs to the
// engine, returning the new global options; a file that does not parse or
// validate keeps the old pairs and options (nil).
func runReload(g *globals, eng *syncer.Engine, out *slog.Logger) *config.Options {
	env, err := loadEnv(g)
	if err != nil {
		out.Error("config reload failed; keeping the previous folder pairs", "err", err)
		return nil
	}
	pairs, err := runPairs(env, out)
	if err == nil {
		err = eng.SetPairs(pairs)
	}
	if err != nil {
		out.Error("config reload failed; keeping the previous folder pairs", "err", err)
		return nil
	}
	out.Info("config reloaded", "pairs", len(pairs))
	return &env.Config.Options
}

// runEventLogger writes the engine's reports as text or JSON lines.
func runEventLogger(w io.Writer, asJSON bool) *slog.Logger {
	ho := &slog.HandlerOptions{Level: slog.LevelInfo}
	if asJSON {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// runLogEvents logs pass results (a failed pass too), problems, created
// folders and notices; progress and state changes are left out (they
// would flood a log).
func runLogEvents(out *slog.Logger, events <-chan syncer.Event, sf *runStatusFile) {
	for ev := range events {
		switch e := ev.(type) {
		case syncer.PassEvent:
			sf.record(e.Result) // first: a reader of the log finds the file up to date
			runLogPass(out, e.Result)
		case syncer.ProblemEvent:
			out.Warn("problem", "pair", e.Pair, "path", e.Path, "reason", e.Reason)
		case syncer.FolderCreatedEvent:
			out.Info("created remote folder", "pair", e.Pair, "path", e.Path)
		case syncer.RetryEvent:
			out.Warn("pass will be retried", "pair", e.Pair, "attempt", e.Attempt,
				"in", time.Until(e.At).Round(time.Second).String(), "reason", message.Text(e.Err))
		case syncer.NoticeEvent:
			out.Info("notice", "pair", e.Pair, "msg", e.Message)
		case syncer.DroppedEvent:
			out.Warn("events dropped", "count", e.Count)
		}
	}
}

func runLogPass(out *slog.Logger, r *syncer.PassResult) {
	c := r.Counters
	attrs := []any{
		"pair", r.Pair,
		"complete", r.Complete,
		"seconds", r.Finished.Sub(r.Started).Round(time.Millisecond).Seconds(),
		"files_seen", c.FilesSeen,
		"files_uploaded", c.FilesUploaded,
		"bytes_uploaded", c.BytesUploaded,
		"files_deduplicated", c.FilesDeduplicated,
		"files_moved", c.FilesMoved,
		"folders_moved", c.FoldersMoved,
		"files_trashed", c.FilesTrashed,
		"files_hashed", c.FilesHashed,
		"bytes_hashed", c.BytesHashed,
		"problems", len(r.Problems),
	}
	if r.Planned.PruneRefused != "" {
		out.Warn("deletions wait for your decision", "pair", r.Pair, "files", r.Planned.HeldFiles,
			"why", message.HeldBack(r.Planned.PruneRefused, r.Planned.HeldFiles),
			"action", "run 'jotta scan --confirm-deletes LOCAL REMOTE' once for this folder to move them to the JottaCloud trash, or raise prune_limit in the configuration")
	}
	if r.Err != nil {
		attrs = append(attrs, "err", r.Err.Error())
		out.Warn("pass stopped", attrs...)
		return
	}
	out.Info("pass done", attrs...)
}

// runStatusName is the file in the state directory where 'jotta run'
// keeps the outcome of each pair's last pass, for 'jotta status': the
// indexes themselves stay locked while the engine runs.
const runStatusName = "run-status.json"

// runStatus is the content of the status file.
type runStatus struct {
	PID   int                      `json:"pid"`
	Pairs map[string]runPairStatus `json:"pairs"`
}

type runPairStatus struct {
	LastComplete time.Time `json:"last_complete,omitzero"`
	LastPass     time.Time `json:"last_pass"`
	Complete     bool      `json:"complete"`
	Problems     int       `json:"problems"`
	Error        string    `json:"error,omitempty"`
	// HeldFiles and Held say that deletions wait for the user's decision.
	HeldFiles int    `json:"held_files,omitempty"`
	Held      string `json:"held,omitempty"`
}

// runStatusFile writes the status file after every pass.
type runStatusFile struct {
	path string
	log  *slog.Logger
	st   runStatus
}

func newRunStatusFile(stateDir string, log *slog.Logger) *runStatusFile {
	return &runStatusFile{
		path: filepath.Join(stateDir, runStatusName),
		log:  log,
		st:   runStatus{PID: os.Getpid(), Pairs: map[string]runPairStatus{}},
	}
}

func (f *runStatusFile) record(r *syncer.PassResult) {
	if r.DryRun {
		return
	}
	ps := runPairStatus{LastComplete: r.LastComplete, LastPass: r.Finished, Complete: r.Complete, Problems: len(r.Problems)}
	if r.Err != nil {
		ps.Error = message.Text(r.Err)
	}
	if r.Planned.HeldFiles > 0 {
		ps.HeldFiles, ps.Held = r.Planned.HeldFiles, message.HeldBack(r.Planned.PruneRefused, r.Planned.HeldFiles)
	} else if old, ok := f.st.Pairs[r.Pair]; ok && r.Plan == nil {
		ps.HeldFiles, ps.Held = old.HeldFiles, old.Held // not planned this time: still waiting
	}
	f.st.Pairs[r.Pair] = ps
	data, err := json.MarshalIndent(f.st, "", "  ")
	if err == nil {
		err = runWriteAtomic(f.path, data)
	}
	if err != nil {
		f.log.Warn("cannot write the status file for 'jotta status'", "path", f.path, "err", err)
	}
}

// readRunStatus reads the status file written by the 'jotta run' with pid.
func readRunStatus(stateDir string, pid int) (*runStatus, error) {
	data, err := os.ReadFile(filepath.Join(stateDir, runStatusName))
	if err != nil {
		return nil, err
	}
	var st runStatus
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("read %s: %w", runStatusName, err)
	}
	if st.PID != pid {
		return nil, fmt.Errorf("%s is from another process (pid %d)", runStatusName, st.PID)
	}
	return &st, nil
}

// runWriteAtomic replaces path with data (temporary file, then rename).
func runWriteAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
	}
	return werr
}
