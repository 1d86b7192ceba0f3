package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"jottacloudclient/app"
	"jottacloudclient/internal/names"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
	"jottacloudclient/syncer"
)

// verifyFlags are the options of jotta verify; the selection flags mean
// what they mean for jotta scan.
type verifyFlags struct {
	excludes       []string
	hidden         bool
	followSymlinks bool
}

func newVerifyCmd(g *globals) *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify <topdir> </device/mountpoint/folder>",
		Short: "Compare a local folder with its backup, file by file",
		Long: `Hash every local file below topdir again (leaving out what jotta scan
leaves out: --exclude patterns, the config file's excludes, .jottaignore
files and, with --hidden=false, hidden names) and compare size and md5 with
one streamed listing of the remote folder. It reports files missing
remotely, files that differ, and files only the remote has (for
information).

A file matches only when the backup holds it under the same name (the
server compares names without case) with the same size and md5. Items
jotta scan reports as not backed up (a name JottaCloud cannot hold, a
twin whose name differs only in case) are listed with the reason.

Exit status: 0 when every local file matches, 1 when any file is missing,
differs or is not backed up, 2 for usage, configuration or sign-in errors.`,
		Example: `  jotta verify ~/Documents /Laptop/Archive/Documents`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return withCode(exitUsage, fmt.Errorf("verify needs two arguments, the local folder and the remote folder (like /Laptop/Archive/Documents), got %d", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return verifyRun(cmd.Context(), g, f, args[0], args[1])
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.excludes, "exclude", nil, "leave out paths matching this gitignore-style pattern (repeatable)")
	fl.BoolVar(&f.hidden, "hidden", true, "include hidden files and folders (names starting with a dot)")
	fl.BoolVar(&f.followSymlinks, "follow-symlinks", false, "follow symbolic links that point inside topdir")
	return cmd
}

// verifyLocal is one local file and its hash.
type verifyLocal struct {
	rel    string // local relative path, '/'-separated, as on disk
	remote string // the path it has remotely (NFC)
	abs    string
	size   int64
	md5    string
	err    error
}

// verifyRemote is one remote file.
type verifyRemote struct {
	rel  string
	size int64
	md5  string
	seen bool
}

// verifyReport is the outcome of a comparison.
type verifyReport struct {
	Files      int
	Matched    int
	Missing    []string
	Differ     []string // with details
	Extra      []string
	Unreadable []string // with reasons
	// NotBackedUp lists, with reasons, what jotta scan reports as not
	// backed up: names JottaCloud cannot hold, case twins, special files.
	NotBackedUp []string
}

func (r *verifyReport) failed() bool {
	return len(r.Missing) > 0 || len(r.Differ) > 0 || len(r.Unreadable) > 0 || len(r.NotBackedUp) > 0
}

func verifyRun(ctx context.Context, g *globals, f verifyFlags, topdir, remote string) error {
	for _, x := range f.excludes {
		if strings.TrimSpace(x) == "" {
			return withCode(exitUsage, errors.New("--exclude needs a pattern, like '*.tmp' or 'cache/'"))
		}
	}
	local, err := filepath.Abs(topdir)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("local folder %q: %w", topdir, err))
	}
	fi, err := os.Stat(local)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return withCode(exitUsage, fmt.Errorf("local folder %s does not exist", local))
	case err != nil:
		return withCode(exitUsage, fmt.Errorf("local folder %s cannot be read: %w", local, err))
	case !fi.IsDir():
		return withCode(exitUsage, fmt.Errorf("%s is a file, not a folder: give the folder that was backed up", local))
	}
	segs := api.SplitPath(strings.TrimSpace(remote))
	if !strings.HasPrefix(strings.TrimSpace(remote), "/") || len(segs) < 2 {
		return withCode(exitUsage, fmt.Errorf("remote folder %q must be /device/mountpoint[/folder…], for example /Laptop/Archive/Documents", remote))
	}
	for _, s := range segs {
		if s == "" {
			return withCode(exitUsage, fmt.Errorf("remote folder %q has an empty segment", remote))
		}
	}
	acc, err := openAccount(ctx, g)
	if err != nil {
		return err
	}
	// The same selection as a scan of this folder: the engine's own walk.
	pair := syncer.Pair{ID: "verify", Local: local, Remote: "/" + strings.Join(segs, "/"),
		Excludes: f.excludes, SkipHidden: !f.hidden, FollowSymlinks: f.followSymlinks}
	selected, problems, err := syncer.Select(ctx, pair, acc.Env.Config.Options.Excludes)
	if err != nil {
		return withCode(exitUsage, err)
	}
	w := &verifySelection{}
	for _, sf := range selected {
		w.files = append(w.files, &verifyLocal{rel: sf.Rel, remote: sf.Remote, abs: sf.Abs})
	}
	for _, p := range problems {
		if p.Unreadable {
			w.files = append(w.files, &verifyLocal{rel: p.Path, err: errors.New(p.Reason)})
		} else {
			w.notBackedUp = append(w.notBackedUp, p.Path+": "+strings.TrimPrefix(p.Reason, "not backed up: "))
		}
	}
	if err := verifyHash(ctx, w.files); err != nil {
		return withCode(exitPartial, fmt.Errorf("hash local files: %w", err))
	}
	root := "/" + strings.Join(segs, "/")
	remoteFiles, missingRoot, err := verifyListRemote(ctx, acc.Client, segs)
	if err != nil {
		return commandError(fmt.Errorf("list %s: %w", root, err), exitUsage)
	}
	rep := verifyCompare(w.files, remoteFiles)
	rep.NotBackedUp = w.notBackedUp
	verifyPrint(g.stdout, rep, local, root, missingRoot)
	if rep.failed() {
		return withCode(exitPartial, fmt.Errorf("%s and %s differ: %d missing remotely, %d different, %d unreadable, %d not backed up",
			local, root, len(rep.Missing), len(rep.Differ), len(rep.Unreadable), len(rep.NotBackedUp)))
	}
	return nil
}

// verifySelection is what verify compares: the files a scan backs up and
// the items it reports as not backed up.
type verifySelection struct {
	files       []*verifyLocal
	notBackedUp []string
}

// verifyHash hashes every file that has no error yet, one worker per core.
func verifyHash(ctx context.Context, files []*verifyLocal) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, runtime.GOMAXPROCS(0)))
	for _, f := range files {
		if f.err != nil {
			continue
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			f.size, f.md5, f.err = verifyHashFile(gctx, f.abs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// verifyHashFile returns the size and md5 of the file at path.
func verifyHashFile(ctx context.Context, path string) (int64, string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer fh.Close()
	h := md5.New()
	n, err := io.Copy(h, verifyCtxReader{ctx, fh})
	if err != nil {
		return n, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// verifyCtxReader stops reading when ctx ends.
type verifyCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r verifyCtxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// verifyListRemote lists the remote folder with one liststream request,
// keyed the way the server compares names (case-insensitive, NFC). A
// folder that does not exist is reported as missingRoot with no files.
func verifyListRemote(ctx context.Context, c *jotta.Client, segs []string) (files map[string]*verifyRemote, missingRoot bool, err error) {
	files = map[string]*verifyRemote{}
	err = app.NewRemote(c).List(ctx, "/"+strings.Join(segs, "/"), func(e syncer.Entry) error {
		if !e.Dir {
			files[names.Fold(e.Path)] = &verifyRemote{rel: e.Path, size: e.Size, md5: e.MD5}
		}
		return nil
	})
	if errors.Is(err, syncer.ErrNotExist) {
		return map[string]*verifyRemote{}, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return files, false, nil
}

// verifyCompare matches local files with remote ones.
func verifyCompare(local []*verifyLocal, remote map[string]*verifyRemote) *verifyReport {
	rep := &verifyReport{}
	for _, l := range local {
		if l.err != nil {
			rep.Unreadable = append(rep.Unreadable, fmt.Sprintf("%s (%v)", l.rel, verifyReason(l.err)))
			continue
		}
		rep.Files++
		r, ok := remote[names.Fold(l.remote)]
		if !ok {
			rep.Missing = append(rep.Missing, l.rel)
			continue
		}
		r.seen = true
		if r.rel != l.remote {
			// The server compares names without case: a restore would
			// bring the file back under the name it holds.
			rep.Differ = append(rep.Differ, fmt.Sprintf("%s (stored as %q, which a restore would bring back)", l.rel, r.rel))
			continue
		}
		if r.size != l.size || r.md5 != l.md5 {
			rep.Differ = append(rep.Differ, fmt.Sprintf("%s (local %d bytes, md5 %s; remote %d bytes, md5 %s)",
				l.rel, l.size, l.md5, r.size, r.md5))
			continue
		}
		rep.Matched++
	}
	for _, r := range remote {
		if !r.seen {
			rep.Extra = append(rep.Extra, r.rel)
		}
	}
	for _, s := range [][]string{rep.Missing, rep.Differ, rep.Extra, rep.Unreadable} {
		sort.Strings(s)
	}
	return rep
}

// verifyReason shortens an error whose path is already shown.
func verifyReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// verifyPrint writes the report: one line per finding, then a summary.
func verifyPrint(w io.Writer, rep *verifyReport, local, remote string, missingRoot bool) {
	if missingRoot {
		fmt.Fprintf(w, "remote folder %s does not exist: nothing of %s is backed up there\n", remote, local)
	}
	for _, p := range rep.Missing {
		fmt.Fprintln(w, "missing remotely:", p)
	}
	for _, p := range rep.Differ {
		fmt.Fprintln(w, "differs:", p)
	}
	for _, p := range rep.Unreadable {
		fmt.Fprintln(w, "unreadable:", p)
	}
	for _, p := range rep.NotBackedUp {
		fmt.Fprintln(w, "not backed up:", p)
	}
	for _, p := range rep.Extra {
		fmt.Fprintln(w, "extra remotely:", p)
	}
	fmt.Fprintf(w, "verified %d local file(s) against %s: %d match, %d differ, %d missing remotely, %d unreadable, %d not backed up; %d extra remotely (information only)\n",
		rep.Files, remote, rep.Matched, len(rep.Differ), len(rep.Missing), len(rep.Unreadable), len(rep.NotBackedUp), len(rep.Extra))
}
