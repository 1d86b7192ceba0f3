package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/app/message"
	"jottacloudclient/syncer"
)

// scanFlags are the options of 'jotta scan'.
type scanFlags struct {
	dryRun         bool
	excludes       []string
	pruneFiles     bool
	pruneFolders   bool
	pruneAll       bool
	pruneLimit     int
	confirmDeletes bool
	errorFile      string
	transfers      int
	bwlimit        string
	hidden         bool
	followSymlinks bool
	progress       bool
	noProgress     bool
	json           bool
}

func newScanCmd(g *globals) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan <topdir> </device/mountpoint/folder>",
		Short: "Back up a folder once",
		Long: `Back up topdir to a remote folder in one pass: new and changed files are
uploaded (the server deduplicates content it already has), renamed files and
folders are moved on the server, and with a --prune flag remote copies of
files deleted locally go to JottaCloud's trash. The device, mount point and
folders are created when missing.

Exit status: 0 when every file is backed up, 1 when some files failed (they
are listed, and written to --errorfile), 2 for usage, configuration or
sign-in errors.`,
		Example: `  jotta scan ~/Documents /Laptop/Archive/Documents
  jotta scan --dry-run --prune-files /srv/photos /NAS/Archive/Photos
  jotta scan --exclude '*.tmp' --exclude 'cache/' --bwlimit 2MiB/s ~/src /Laptop/Archive/src`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return withCode(exitUsage, fmt.Errorf("scan needs two arguments, the local folder and the remote folder (like /Laptop/Archive/Documents), got %d", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), g, f, args[0], args[1])
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.dryRun, "dry-run", "n", false, "show what would be uploaded, moved and trashed, and change nothing")
	fl.StringArrayVar(&f.excludes, "exclude", nil, "leave out paths matching this gitignore-style pattern (repeatable)")
	fl.BoolVar(&f.pruneFiles, "prune-files", false, "move remote copies of files deleted locally to the trash")
	fl.BoolVar(&f.pruneFolders, "prune-folders", false, "move remote copies of folders deleted locally to the trash")
	fl.BoolVar(&f.pruneAll, "prune-all", false, "both --prune-files and --prune-folders")
	fl.IntVar(&f.pruneLimit, "prune-limit", 0, "most files one pass may trash (0: 10% of the remote files, between 10 and 100; -1: no limit)")
	fl.BoolVar(&f.confirmDeletes, "confirm-deletes", false, "for this pass, move the held-back deletions to the trash: past the prune limit and on a folder that looks like another disk (never when the folder is empty)")
	fl.StringVar(&f.errorFile, "errorfile", "", "write the files that failed, with reasons, to this file (one per line: path, tab, reason); written even when empty")
	fl.IntVar(&f.transfers, "transfers", 0, fmt.Sprintf("parallel uploads, 1..%d (default: the config file's, else %d)", config.MaxTransfers, config.DefaultTransfers))
	fl.StringVar(&f.bwlimit, "bwlimit", "", `upload speed limit, like "2MiB/s" or "500k" (default: the config file's, else unlimited)`)
	fl.BoolVar(&f.hidden, "hidden", true, "back up hidden files and folders (names starting with a dot)")
	fl.BoolVar(&f.followSymlinks, "follow-symlinks", false, "follow symbolic links that point inside topdir")
	fl.BoolVar(&f.progress, "progress", false, "show a progress bar even when stdout is not a terminal")
	fl.BoolVar(&f.noProgress, "no-progress", false, "never show a progress bar")
	fl.BoolVar(&f.json, "json", false, "print the summary as one JSON object on stdout (messages go to stderr)")
	return cmd
}

// scanPairID names the scan's index: one per (absolute topdir, remote
// folder), so scanning the same folders again finds its index.
func scanPairID(local, remote string) string {
	sum := sha256.Sum256([]byte(local + "\x00" + remote))
	return "scan-" + filepath.Base(local) + "-" + hex.EncodeToString(sum[:8])
}

// scanPrune turns the prune flags into a mode.
func scanPrune(f scanFlags) syncer.PruneMode {
	switch {
	case f.pruneAll || (f.pruneFiles && f.pruneFolders):
		return syncer.PruneAll
	case f.pruneFiles:
		return syncer.PruneFiles
	case f.pruneFolders:
		return syncer.PruneFolders
	}
	return syncer.PruneNone
}

// scanRemoteRoot cleans the remote argument: a leading slash, no trailing
// one, no empty segments.
func scanRemoteRoot(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("remote folder %q must start with '/': write it as /device/mountpoint/folder, for example /Laptop/Archive/Documents", s)
	}
	var segs []string
	for _, seg := range strings.Split(s, "/") {
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	if len(segs) < 2 {
		return "", fmt.Errorf("remote folder %q needs at least a device and a mount point: write it as /device/mountpoint/folder, for example /Laptop/Archive/Documents", s)
	}
	return "/" + strings.Join(segs, "/"), nil
}

// scanPlan is everything the command decided before touching anything.
type scanPlan struct {
	pair syncer.Pair
	opts syncer.Options
	env  *cliEnv
}

// prepareScan checks the arguments and flags and reads the config file.
func prepareScan(g *globals, f scanFlags, topdir, remote string) (*scanPlan, error) {
	if f.transfers < 0 || f.transfers > config.MaxTransfers {
		return nil, withCode(exitUsage, fmt.Errorf("--transfers must be between 1 and %d, got %d", config.MaxTransfers, f.transfers))
	}
	if f.pruneLimit < -1 {
		return nil, withCode(exitUsage, fmt.Errorf("--prune-limit must be a number of files, or -1 for no limit, got %d", f.pruneLimit))
	}
	if f.progress && f.noProgress {
		return nil, withCode(exitUsage, errors.New("--progress and --no-progress cannot both be given"))
	}
	for _, x := range f.excludes {
		if strings.TrimSpace(x) == "" {
			return nil, withCode(exitUsage, errors.New("--exclude needs a pattern, like '*.tmp' or 'cache/'"))
		}
	}
	local, err := filepath.Abs(topdir)
	if err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("local folder %q: %w", topdir, err))
	}
	fi, err := os.Stat(local)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, withCode(exitUsage, fmt.Errorf("local folder %s does not exist", local))
	case err != nil:
		return nil, withCode(exitUsage, fmt.Errorf("local folder %s cannot be read: %w", local, err))
	case !fi.IsDir():
		return nil, withCode(exitUsage, fmt.Errorf("%s is a file, not a folder: give the folder to back up", local))
	}
	root, err := scanRemoteRoot(remote)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	env, err := loadEnv(g)
	if err != nil {
		return nil, err
	}
	pair := syncer.Pair{
		ID:             scanPairID(local, root),
		Local:          local,
		Remote:         root,
		Excludes:       f.excludes,
		SkipHidden:     !f.hidden,
		FollowSymlinks: f.followSymlinks,
		Prune:          scanPrune(f),
		PruneLimit:     f.pruneLimit,
	}
	if err := pair.Validate(); err != nil {
		return nil, withCode(exitUsage, err)
	}
	opts := app.EngineOptions(env.Config, env.Paths, env.Logger)
	opts.NoWatch = true
	if f.transfers > 0 {
		opts.Transfers = f.transfers
	}
	if f.bwlimit != "" {
		bw, err := config.ParseByteRate(f.bwlimit)
		if err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--bwlimit: %w", err))
		}
		opts.BandwidthLimit = int64(bw)
	}
	return &scanPlan{pair: pair, opts: opts, env: env}, nil
}

func runScan(ctx context.Context, g *globals, f scanFlags, topdir, remote string) error {
	sp, err := prepareScan(g, f, topdir, remote)
	if err != nil {
		return err
	}
	if f.errorFile != "" {
		// Created up front: a script finds it even when the scan stops
		// before the pass (sign-in needed), and a bad path is caught
		// before any work.
		if err := os.WriteFile(f.errorFile, nil, 0o644); err != nil {
			return withCode(exitUsage, fmt.Errorf("--errorfile: %w", err))
		}
	}
	acct, err := openAccountIn(ctx, sp.env)
	if err != nil {
		return err
	}
	eng, err := syncer.New(acct.Remote(), sp.opts)
	if err != nil {
		return withCode(exitUsage, err)
	}
	defer eng.Close()

	msgs := g.stdout // notices: stdout for people, stderr when stdout is JSON
	if f.json {
		msgs = g.stderr
	}
	showBar := !f.noProgress && !f.json && (f.progress || engineIsTerminal(g.stdout))
	col := newScanCollector(msgs, showBar)
	sub := eng.Subscribe()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		col.consume(sub.C())
	}()
	po := syncer.PassOptions{DryRun: f.dryRun, ForcePrune: f.confirmDeletes}
	if f.dryRun && !f.json {
		// The files a new tree would send are listed as they are found,
		// not held for the end.
		po.WouldUpload = col.wouldUpload
	}
	res, passErr := eng.RunPass(ctx, sp.pair, po)
	sub.Close()
	wg.Wait()

	sum := newScanSummary(sp, res, col)
	if f.errorFile != "" {
		if err := writeErrorFile(f.errorFile, res); err != nil {
			fmt.Fprintf(g.stderr, "jotta: %v\n", err)
		}
	}
	if f.json {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	} else {
		if f.dryRun && res.Plan != nil {
			printDryRun(g.stdout, res.Plan)
		}
		printScanSummary(g.stdout, sum)
	}
	return scanExit(passErr, res)
}

// scanExit maps the pass outcome to the exit code.
func scanExit(passErr error, res *syncer.PassResult) error {
	switch {
	case passErr != nil && errors.Is(passErr, context.Canceled):
		return withCode(exitPartial, errors.New("interrupted; run the same command again to finish (uploads resume where they stopped)"))
	case passErr != nil:
		return commandError(passErr, exitPartial)
	case len(res.Problems) > 0:
		return withCode(exitPartial, fmt.Errorf("%s not backed up (listed above)", enginePlural(int64(len(res.Problems)), "item was", "items were")))
	}
	return nil
}

// writeErrorFile writes one line per problem, "path<TAB>reason".
func writeErrorFile(path string, res *syncer.PassResult) error {
	lines := make([]string, 0, len(res.Problems)+1)
	for _, p := range res.Problems {
		lines = append(lines, scanOneLine(p.Path)+"\t"+scanOneLine(message.ProblemOnce(p.Reason, p.Err)))
	}
	if res.Err != nil {
		lines = append(lines, "\tpass stopped: "+scanOneLine(message.For(res.Err).Once().String()))
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write error file: %w", err)
	}
	var werr error
	for _, l := range lines {
		if _, werr = io.WriteString(f, l+"\n"); werr != nil {
			break
		}
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("write error file %s: %w", path, werr)
	}
	return nil
}

// oneLine keeps a path or reason on one line of the error file.
func scanOneLine(s string) string {
	return strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}

// scanCollector gathers what the engine reports during the pass and shows
// it as it happens.
type scanCollector struct {
	mu      sync.Mutex // the engine's events and a dry run's lines come from two goroutines
	w       io.Writer
	bar     *passProgress
	created []string
	notices []string
}

func newScanCollector(w io.Writer, showBar bool) *scanCollector {
	c := &scanCollector{w: w}
	if showBar {
		c.bar = newPassProgress(w)
	}
	return c
}

func (c *scanCollector) say(msg string) {
	if c.bar != nil {
		c.bar.note(msg)
		return
	}
	fmt.Fprintln(c.w, msg)
}

// wouldUpload prints a file a dry run would upload, as the walk finds it.
func (c *scanCollector) wouldUpload(local string, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.say(fmt.Sprintf("would upload %s (%s)", local, engineBytes(size)))
}

func (c *scanCollector) consume(events <-chan syncer.Event) {
	for ev := range events {
		c.mu.Lock()
		c.event(ev)
		c.mu.Unlock()
	}
	if c.bar != nil {
		c.bar.done()
	}
}

func (c *scanCollector) event(ev syncer.Event) {
	switch e := ev.(type) {
	case syncer.ProgressEvent:
		if c.bar != nil {
			c.bar.update(e)
		}
	case syncer.FolderCreatedEvent:
		c.created = append(c.created, e.Path)
		c.say("created remote folder " + e.Path)
	case syncer.NoticeEvent:
		c.notices = append(c.notices, e.Message)
		c.say("note: " + e.Message)
	}
}
