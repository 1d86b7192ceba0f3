package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"jottacloudclient/app/restore"
)

// restoreFlags are the options of 'jotta restore'.
type restoreFlags struct {
	at         string
	deleted    bool
	overwrite  bool
	noBackup   bool
	transfers  int
	json       bool
	progress   bool
	noProgress bool
}

func newRestoreCmd(g *globals) *cobra.Command {
	var f restoreFlags
	cmd := &cobra.Command{
		Use:     "restore REMOTE LOCALDIR",
		Aliases: []string{"download"},
		Short:   "Restore backed-up files: the latest, as of a date, or from the trash",
		Long: `Restore the remote folder or file REMOTE into LOCALDIR. A folder's contents
land directly in LOCALDIR (restore /Laptop/Archive/Documents ~/Documents puts
them back where a backup of ~/Documents took them from); a single file lands
in LOCALDIR under its name.

--at restores each file as it was at that time: the newest version stored by
then, including files trashed since. It takes a date (2026-03-01, meaning the
end of that day), a time (2026-03-01T18:30:00Z) or "3 days ago". --deleted
restores what is in the trash below REMOTE instead.

Every file is downloaded into the hidden folder LOCALDIR/` + restore.TempDirName + `, checked
against the server's md5 and size, and only then given its name and its
modification time. An interrupted restore resumes where it stopped when run
again. Files already there with the same content are counted and left alone;
a different local file is kept and reported unless --overwrite, which keeps
the old one as "NAME (conflict DATE)" (--no-backup: replaced outright).

Exit status: 0 when everything was restored, 1 when some files were not
(they are listed), 2 for usage or sign-in errors.`,
		Example: `  jotta restore /Laptop/Archive/Documents ~/Documents
  jotta restore --at "3 days ago" /Laptop/Archive/Documents/Taxes /tmp/taxes
  jotta restore --deleted /Laptop/Archive/Photos ~/Pictures/recovered`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return withCode(exitUsage, fmt.Errorf("restore needs two arguments, the remote folder or file (like /Laptop/Archive/Documents) and the local folder, got %d", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRestore(cmd.Context(), g, f, remoteArg(args[0]), args[1])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.at, "at", "", `restore as of this time: a date, an RFC 3339 time or "3 days ago"`)
	fl.BoolVar(&f.deleted, "deleted", false, "restore what is in the trash below REMOTE")
	fl.BoolVar(&f.overwrite, "overwrite", false, "replace local files that differ (the old copy is kept as a conflict copy)")
	fl.BoolVar(&f.noBackup, "no-backup", false, "with --overwrite, keep no conflict copy of replaced files")
	fl.IntVar(&f.transfers, "transfers", 4, "files downloaded in parallel, 1..32")
	fl.BoolVar(&f.json, "json", false, "print the summary as one JSON object on stdout")
	fl.BoolVar(&f.progress, "progress", false, "show a progress bar even when stderr is not a terminal")
	fl.BoolVar(&f.noProgress, "no-progress", false, "never show a progress bar")
	return cmd
}

// restoreWhen turns --at and --deleted into the state to restore.
func restoreWhen(f restoreFlags, now time.Time) (restore.When, error) {
	switch {
	case f.deleted && f.at != "":
		return restore.When{}, errors.New("--at and --deleted cannot be combined: --deleted restores what is in the trash now")
	case f.deleted:
		return restore.When{Mode: restore.Trashed}, nil
	case f.at != "":
		t, err := restore.ParseTime(f.at, now, time.Local)
		if err != nil {
			return restore.When{}, err
		}
		return restore.When{Mode: restore.AsOf, At: t}, nil
	}
	return restore.When{Mode: restore.Latest}, nil
}

// restoreSummary is the result of 'jotta restore', as printed with --json.
type restoreSummary struct {
	Remote   string     `json:"remote"`
	Local    string     `json:"local"`
	At       *time.Time `json:"at,omitempty"`
	Deleted  bool       `json:"deleted"`
	Complete bool       `json:"complete"`
	Error    string     `json:"error,omitempty"`
	Seconds  float64    `json:"seconds"`
	Files    int        `json:"files"`
	*restore.Result
}

func runRestore(ctx context.Context, g *globals, f restoreFlags, remote, local string) error {
	if f.transfers < 1 || f.transfers > 32 {
		return withCode(exitUsage, fmt.Errorf("--transfers must be between 1 and 32, got %d", f.transfers))
	}
	if f.noBackup && !f.overwrite {
		return withCode(exitUsage, errors.New("--no-backup only applies with --overwrite"))
	}
	start := time.Now()
	when, err := restoreWhen(f, start)
	if err != nil {
		return withCode(exitUsage, err)
	}
	acc, err := openAccount(ctx, g)
	if err != nil {
		return err
	}
	cat, err := restore.Load(ctx, acc.Client, remote)
	if err != nil {
		return lsError(remote, err)
	}
	snap, err := cat.Snapshot(ctx, when)
	if err != nil {
		return commandError(fmt.Errorf("read the versions below %s: %w", remote, err), exitPartial)
	}
	if when.Mode == restore.AsOf && len(snap.Files) == 0 {
		noteNothingYet(g.stderr, remote, when.At, cat.Days(time.Local))
	}
	var bar *restoreBar
	if !f.noProgress && (f.progress || engineIsTerminal(g.stderr)) {
		bar = &restoreBar{w: g.stderr}
	}
	opts := restore.Options{Overwrite: f.overwrite, NoBackup: f.noBackup, Transfers: f.transfers, Logger: acc.Env.Logger}
	if bar != nil {
		opts.Progress = bar.update
	}
	res, runErr := restore.Run(ctx, acc.Client, snap, local, opts)
	bar.finish()
	if res == nil {
		return withCode(exitUsage, runErr)
	}
	sum := restoreSummary{Remote: remote, Local: local, Deleted: f.deleted, Seconds: time.Since(start).Seconds(),
		Files: len(snap.Files), Result: res, Complete: runErr == nil && !res.Failed()}
	if when.Mode == restore.AsOf {
		sum.At = &when.At
	}
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	if f.json {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		printRestoreSummary(g.stdout, sum)
	}
	switch {
	case runErr != nil:
		return withCode(exitPartial, fmt.Errorf("restore interrupted: %w; run the same command again to resume", runErr))
	case res.Failed():
		return withCode(exitPartial, fmt.Errorf("%s not restored (see above)", enginePlural(int64(len(res.Problems)), "item was", "items were")))
	}
	return nil
}

// noteNothingYet says why a restore as of at finds no file: nothing there
// had been stored yet. days (newest first) are those the snapshot saw.
func noteNothingYet(w io.Writer, remote string, at time.Time, days []time.Time) {
	if len(days) == 0 {
		return
	}
	oldest := days[len(days)-1].Format("2006-01-02")
	fmt.Fprintf(w, "jotta: note: nothing below %s had been backed up by %s; the oldest version there is from %s (try --at %s)\n",
		shownName(remote), at.Local().Format("2006-01-02 15:04"), oldest, oldest)
}

func printRestoreSummary(w io.Writer, s restoreSummary) {
	r := s.Result
	what := "latest backup"
	switch {
	case s.At != nil:
		what = "backup as of " + s.At.Local().Format("2006-01-02 15:04:05")
	case s.Deleted:
		what = "trash"
	}
	fmt.Fprintf(w, "restored %s (%s) of %d from the %s of %s to %s\n",
		enginePlural(int64(r.Restored), "file", "files"), engineBytes(r.Bytes+r.Resumed), s.Files, what, shownName(s.Remote), s.Local)
	if r.Present > 0 {
		fmt.Fprintf(w, "%s already there with the same content\n", enginePlural(int64(r.Present), "file was", "files were"))
	}
	if r.Resumed > 0 {
		fmt.Fprintf(w, "%s reused from an interrupted restore\n", engineBytes(r.Resumed))
	}
	if r.Replaced > 0 {
		fmt.Fprintf(w, "%s replaced\n", enginePlural(int64(r.Replaced), "different local file", "different local files"))
	}
	for _, c := range r.Conflicts {
		fmt.Fprintf(w, "kept the old local copy as %s\n", c)
	}
	for _, n := range r.Renamed {
		fmt.Fprintf(w, "renamed for this computer: %s -> %s\n", n.Remote, n.Local)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "not restored: %s: %s\n", p.Path, p.Reason)
	}
}

// restoreBar draws the restore's progress in bytes on a terminal.
type restoreBar struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func (b *restoreBar) update(p restore.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar == nil {
		b.bar = progressbar.NewOptions64(max(p.BytesTotal, 1),
			progressbar.OptionSetWriter(b.w),
			progressbar.OptionShowBytes(true),
			progressbar.OptionUseIECUnits(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	b.bar.Describe(fmt.Sprintf("restoring %d/%d", p.FilesDone, p.FilesTotal))
	_ = b.bar.Set64(min(p.BytesDone, b.bar.GetMax64()))
}

func (b *restoreBar) finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}
