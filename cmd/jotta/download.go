package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
	"golang.org/x/term"

	"jottacloudclient/internal/names"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
)

// errDownloadChecksum reports downloaded bytes whose md5 or size differ
// from what the server lists for the file.
var errDownloadChecksum = errors.New("the downloaded bytes do not match the file's md5 and size on the server")

// errDownloadExists reports a local file in the way without --overwrite.
var errDownloadExists = errors.New("a local file with that name exists: use --overwrite to replace it")

// downloadAttempts bounds how often one file's transfer is resumed after a
// broken connection.
const downloadAttempts = 3

func newDownloadCmd(g *globals) *cobra.Command {
	var (
		overwrite bool
		transfers int
	)
	cmd := &cobra.Command{
		Use:   "download REMOTE LOCALDIR",
		Short: "Download a remote file or folder",
		Long: `Download the file or folder REMOTE into LOCALDIR (a folder arrives as
LOCALDIR/<its name>/…). Every file is written under a temporary name,
checked against the server's md5 and size, and only then given its name; a
file that does not match is removed and reported. Existing local files are
kept unless --overwrite is given.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if transfers < 1 || transfers > 32 {
				return withCode(exitUsage, fmt.Errorf("--transfers must be between 1 and 32, got %d", transfers))
			}
			ctx := cmd.Context()
			acc, err := openAccount(ctx, g)
			if err != nil {
				return err
			}
			d := &downloader{c: acc.Client, log: acc.Env.Logger, overwrite: overwrite, transfers: transfers,
				out: g.stdout, errOut: g.stderr}
			return d.run(ctx, args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.BoolVar(&overwrite, "overwrite", false, "replace local files that already exist")
	f.IntVar(&transfers, "transfers", 4, "files downloaded in parallel")
	return cmd
}

// downloadJob is one remote file and where it goes.
type downloadJob struct {
	remote   string // user-relative path
	local    string // final local path
	size     int64
	md5      string // lower case
	modified time.Time
}

type downloader struct {
	c         *jotta.Client
	log       *slog.Logger
	overwrite bool
	transfers int
	out       io.Writer
	errOut    io.Writer

	bar *progressbar.ProgressBar
}

// run downloads remote into localDir and reports what failed.
func (d *downloader) run(ctx context.Context, remote, localDir string) error {
	segs := api.SplitPath(remote)
	if len(segs) < 2 {
		return withCode(exitUsage, fmt.Errorf("%q is not a file or folder: give /<device>/<mountpoint>[/<path>]", remote))
	}
	remote = "/" + strings.Join(segs, "/")
	e, err := d.c.Stat(ctx, remote, jotta.ListOptions{})
	if err != nil {
		return lsError(remote, err)
	}
	if err := os.MkdirAll(localDir, 0o755); err != nil {
		return withCode(exitUsage, fmt.Errorf("create %s: %w", localDir, err))
	}
	var jobs []downloadJob
	if e.Kind() == api.KindFile {
		f := e.AsFile()
		local, ok := downloadLocalName(f.Name)
		if !ok {
			return withCode(exitPartial, fmt.Errorf("%s: the name %q cannot be used as a local file name", remote, f.Name))
		}
		r := f.CurrentRevision
		jobs = append(jobs, downloadJob{remote: remote, local: filepath.Join(localDir, local),
			size: r.Size, md5: strings.ToLower(r.MD5), modified: r.Modified.Time})
	} else {
		name := e.DisplayName()
		if name == "" {
			name = segs[len(segs)-1]
		}
		local, ok := downloadLocalName(name)
		if !ok {
			return withCode(exitPartial, fmt.Errorf("%s: the name %q cannot be used as a local folder name", remote, name))
		}
		var problems []string
		jobs, problems, err = d.plan(ctx, segs, filepath.Join(localDir, local))
		if err != nil {
			return commandError(fmt.Errorf("list %s: %w", remote, err), exitPartial)
		}
		for _, p := range problems {
			fmt.Fprintln(d.errOut, "skipped:", p)
		}
		if len(problems) > 0 {
			defer func() { fmt.Fprintf(d.errOut, "%d item(s) skipped\n", len(problems)) }()
		}
	}
	var total int64
	for _, j := range jobs {
		total += j.size
	}
	d.bar = downloadProgress(d.errOut, total)
	failed := d.fetchAll(ctx, jobs)
	if d.bar != nil {
		_ = d.bar.Finish()
		fmt.Fprintln(d.errOut)
	}
	if err := ctx.Err(); err != nil {
		return withCode(exitPartial, fmt.Errorf("download interrupted: %w", err))
	}
	fmt.Fprintf(d.out, "downloaded %d of %d file(s) to %s\n", len(jobs)-failed, len(jobs), localDir)
	if failed > 0 {
		return withCode(exitPartial, fmt.Errorf("%d file(s) were not downloaded (see above)", failed))
	}
	return nil
}

// plan lists the folder at segs with one liststream request, creates the
// local folders below localRoot and returns the files to fetch.
func (d *downloader) plan(ctx context.Context, segs []string, localRoot string) ([]downloadJob, []string, error) {
	rel, err := lsRelative(segs)
	if err != nil {
		return nil, nil, err
	}
	root := "/" + strings.Join(segs, "/")
	var (
		jobs     []downloadJob
		problems []string
		dirs     = []string{localRoot}
	)
	_, err = d.c.ListStream(ctx, root, func(e *api.ListEntry) error {
		if e.Folder {
			p, ok := rel(e.Path)
			if !ok || p == "" {
				return nil
			}
			local, ok := downloadLocalPath(localRoot, p)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s/%s: the name cannot be used locally", root, p))
				return nil
			}
			dirs = append(dirs, local)
			return nil
		}
		dir, ok := rel(e.Path)
		if !ok {
			return fmt.Errorf("the server sent %q, which is outside %s", e.Path+"/"+e.Name, root)
		}
		p := e.Name
		if dir != "" {
			p = dir + "/" + e.Name
		}
		local, ok := downloadLocalPath(localRoot, p)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s/%s: the name cannot be used locally", root, p))
			return nil
		}
		jobs = append(jobs, downloadJob{remote: root + "/" + p, local: local, size: e.Size,
			md5: strings.ToLower(e.MD5), modified: e.Modified})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, fmt.Errorf("create local folder: %w", err)
		}
	}
	return jobs, problems, nil
}

// downloadSafeName refuses local names that would leave the target folder
// or that the local file system cannot hold.
func downloadSafeName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00") &&
		(filepath.Separator == '/' || !strings.ContainsRune(name, filepath.Separator)) && filepath.IsLocal(name)
}

// downloadLocalName is the local name of a remote name: the backup's name
// encoding undone (see package names), refused when it could escape the
// target folder.
func downloadLocalName(remote string) (string, bool) {
	local, _ := names.ToLocal(remote)
	return local, downloadSafeName(local)
}

// downloadLocalPath joins a '/'-separated remote relative path below root,
// each name mapped back to its local form, refusing any segment that could
// escape it.
func downloadLocalPath(root, rel string) (string, bool) {
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		local, ok := downloadLocalName(p)
		if !ok {
			return "", false
		}
		parts[i] = local
	}
	return filepath.Join(append([]string{root}, parts...)...), true
}

// fetchAll downloads the jobs in parallel and returns how many failed;
// each failure is reported on errOut.
func (d *downloader) fetchAll(ctx context.Context, jobs []downloadJob) int {
	var (
		mu     sync.Mutex
		failed int
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.transfers)
	for _, j := range jobs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			err := d.fetch(gctx, j)
			if err == nil {
				d.log.Debug("downloaded", "path", j.remote, "bytes", j.size)
				return nil
			}
			mu.Lock()
			failed++
			fmt.Fprintf(d.errOut, "failed: %s: %v\n", j.remote, err)
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	return failed
}

// fetch downloads one file to a temporary name next to its final one,
// checks md5 and size, and renames it into place. The temporary file is
// removed on every failure, so a bad copy never sits under the real name.
func (d *downloader) fetch(ctx context.Context, j downloadJob) (err error) {
	if !d.overwrite {
		if _, err := os.Lstat(j.local); err == nil {
			return errDownloadExists
		}
	}
	// The listing may name a file's folder only through the file itself
	// (no <folder> entry for it), so the folder is made here.
	if err := os.MkdirAll(filepath.Dir(j.local), 0o755); err != nil {
		return fmt.Errorf("create local folder: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(j.local), "."+filepath.Base(j.local)+".*.jotta-part")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := md5.New()
	n, err := d.copy(ctx, j, io.MultiWriter(tmp, h))
	if err != nil {
		return err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if n != j.size || (j.md5 != "" && sum != j.md5) {
		return fmt.Errorf("%w (server: %d bytes, md5 %s; received: %d bytes, md5 %s); the partial file was removed",
			errDownloadChecksum, j.size, j.md5, n, sum)
	}
	// CreateTemp makes the file private; a restored file gets the usual mode.
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if !j.modified.IsZero() {
		if err := os.Chtimes(tmp.Name(), j.modified, j.modified); err != nil {
			d.log.Debug("set modification time", "path", j.local, "err", err)
		}
	}
	return downloadPlace(tmp.Name(), j.local, d.overwrite)
}

// copy streams the file into w, resuming with a range request after a
// broken connection, and returns the bytes written. It reads at most one
// byte more than the listed size, enough to notice a longer file without
// filling the disk.
func (d *downloader) copy(ctx context.Context, j downloadJob, w io.Writer) (int64, error) {
	var (
		written int64
		breaks  int
		lastErr error
	)
	for attempt := range downloadAttempts {
		if err := ctx.Err(); err != nil {
			return written, err
		}
		if attempt > 0 {
			d.log.Info("resuming download", "path", j.remote, "offset", written, "err", lastErr)
		}
		rc, err := d.c.Download(ctx, j.remote, written, -1)
		if err != nil {
			return written, fmt.Errorf("download: %w", err)
		}
		var dst io.Writer = w
		if d.bar != nil {
			dst = io.MultiWriter(w, d.bar)
		}
		n, err := io.Copy(dst, io.LimitReader(rc, max(j.size-written, 0)+1))
		rc.Close()
		written += n
		if err == nil {
			return written, nil
		}
		var pe *fs.PathError
		if ctx.Err() != nil || errors.As(err, &pe) {
			// Cancelled, or the local write failed: retrying will not help.
			return written, fmt.Errorf("download: %w", err)
		}
		breaks++
		lastErr = err
		if n == 0 && attempt > 0 {
			break // no progress since the last break
		}
	}
	return written, fmt.Errorf("download: the connection broke %d times: %w", breaks, lastErr)
}

// downloadPlace gives the verified temporary file its final name. Without
// overwrite a hard link claims the name only if it is still free, so a
// file that appeared meanwhile is never replaced.
func downloadPlace(tmp, final string, overwrite bool) error {
	if overwrite {
		if err := os.Rename(tmp, final); err != nil {
			return fmt.Errorf("rename into place: %w", err)
		}
		return nil
	}
	err := os.Link(tmp, final)
	switch {
	case err == nil:
		if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("remove temporary file: %w", err)
		}
		return nil
	case errors.Is(err, fs.ErrExist):
		return errDownloadExists
	}
	// No hard links on this file system: check, then rename.
	if _, serr := os.Lstat(final); serr == nil {
		return errDownloadExists
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	return nil
}

// downloadProgress returns a byte progress bar when w is a terminal.
func downloadProgress(w io.Writer, total int64) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("downloading"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}
