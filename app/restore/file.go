package restore

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"jottacloudclient/app/message"
	"jottacloudclient/jotta"
)

// outcome is what happened to one file.
type outcome int

const (
	outRestored outcome = iota
	outReplaced
	outPresent
)

// errDiffers reports a different local file in the way without Overwrite.
var errDiffers = errors.New("a different file with this name is already there and was kept; restore with --overwrite to replace it (your copy is then kept as a conflict copy)")

// errChecksum reports downloaded bytes that do not match the server's md5.
var errChecksum = errors.New("the downloaded bytes do not match the backed-up file's checksum; nothing was written, try again")

// errNotAFile reports a folder (or other non-file) where a file goes.
var errNotAFile = errors.New("a folder or other item with this name is already there")

// downloadAttempts bounds how often one transfer is resumed after a broken
// connection within one run.
const downloadAttempts = 3

// restoreFile brings f to local: left alone when identical, otherwise
// downloaded into the temporary folder (resuming a part left by an earlier
// run), verified and renamed into place.
func (r *runner) restoreFile(ctx context.Context, f File, local string) (outcome, error) {
	replace := false
	switch same, err := sameContent(local, f); {
	case err == nil && same:
		r.addBytes(f.Size, "")
		return outPresent, nil
	case errors.Is(err, errNotAFile):
		return 0, err
	case err == nil: // differs
		if !r.opts.Overwrite {
			return 0, errDiffers
		}
		replace = true
	case !errors.Is(err, fs.ErrNotExist):
		return 0, fmt.Errorf("read the local copy: %w", err)
	}
	part, err := r.fetch(ctx, f)
	if err != nil {
		return 0, err
	}
	if !f.Modified.IsZero() {
		if err := os.Chtimes(part, f.Modified, f.Modified); err != nil {
			r.opts.Logger.Debug("set modification time", "path", local, "err", err)
		}
	}
	if replace && !r.opts.NoBackup {
		kept, err := r.keepConflictCopy(local)
		if err != nil {
			os.Remove(part)
			return 0, err
		}
		r.mu.Lock()
		rel, _ := filepath.Rel(r.dest, kept)
		r.res.Conflicts = append(r.res.Conflicts, filepath.ToSlash(rel))
		r.mu.Unlock()
	}
	if err := place(part, local, replace); err != nil {
		os.Remove(part)
		return 0, err
	}
	if replace {
		return outReplaced, nil
	}
	return outRestored, nil
}

// sameContent compares the local file with f by size and md5. It returns
// fs.ErrNotExist when nothing is there and errNotAFile for a folder.
func sameContent(local string, f File) (bool, error) {
	st, err := os.Lstat(local)
	if err != nil {
		return false, err
	}
	if !st.Mode().IsRegular() {
		return false, errNotAFile
	}
	if st.Size() != f.Size {
		return false, nil
	}
	fh, err := os.Open(local)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	h := md5.New()
	if _, err := io.Copy(h, fh); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == f.MD5 || f.MD5 == "", nil
}

// partName is the short temporary name of one revision of one file: the
// same file and revision always get the same name, so a later run finds it.
func (r *runner) partName(f File) string {
	sum := sha256.Sum256([]byte(r.s.Root + "/" + f.Rel + "\x00" + strconv.Itoa(f.Revision) + "\x00" + f.MD5))
	return filepath.Join(r.tmp, hex.EncodeToString(sum[:8])+".part")
}

// fetch downloads f into its part file, reusing what an earlier run left
// there, and returns the part's path once size and md5 match.
func (r *runner) fetch(ctx context.Context, f File) (string, error) {
	if err := os.MkdirAll(r.tmp, 0o700); err != nil {
		return "", fmt.Errorf("create the temporary folder: %w", err)
	}
	hideDir(r.tmp)
	part := r.partName(f)
	fh, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("create a temporary file: %w", err)
	}
	h := md5.New()
	have, err := resumeFrom(fh, h, f.Size)
	if err != nil {
		fh.Close()
		os.Remove(part)
		return "", fmt.Errorf("read the partial download: %w", err)
	}
	if have > 0 {
		r.mu.Lock()
		r.res.Resumed += have
		r.mu.Unlock()
		r.addBytes(have, f.Rel)
		r.opts.Logger.Info("resuming a partial download", "path", f.Rel, "bytes", have)
	}
	n, err := r.copy(ctx, f, have, io.MultiWriter(fh, h))
	if err != nil {
		fh.Close()
		if ctx.Err() == nil {
			r.mu.Lock()
			r.keepTemp = true // the next run resumes it
			r.mu.Unlock()
		}
		return "", err
	}
	total := have + n
	sum := hex.EncodeToString(h.Sum(nil))
	if total != f.Size || (f.MD5 != "" && sum != f.MD5) {
		fh.Close()
		os.Remove(part)
		r.opts.Logger.Warn("restored bytes do not match", "path", f.Rel, "size", total, "want_size", f.Size, "md5", sum, "want_md5", f.MD5)
		return "", errChecksum
	}
	// The part is private while it is written; the restored file gets the usual mode.
	err = fh.Chmod(0o644)
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(part)
		return "", fmt.Errorf("write the temporary file: %w", err)
	}
	return part, nil
}

// resumeFrom hashes what fh holds and positions it at the end. A part
// longer than the file is started again.
func resumeFrom(fh *os.File, h hash.Hash, size int64) (int64, error) {
	st, err := fh.Stat()
	if err != nil {
		return 0, err
	}
	have := st.Size()
	if have > size {
		if err := fh.Truncate(0); err != nil {
			return 0, err
		}
		have = 0
	}
	if _, err := io.CopyN(h, fh, have); err != nil {
		return 0, err
	}
	_, err = fh.Seek(have, io.SeekStart)
	return have, err
}

// copy streams f from offset into w with range requests, resuming after a
// broken connection, and returns the bytes written. It reads at most one
// byte beyond the listed size, enough to notice a longer file.
func (r *runner) copy(ctx context.Context, f File, offset int64, w io.Writer) (int64, error) {
	var (
		written int64
		lastErr error
	)
	if offset >= f.Size {
		return 0, nil
	}
	for attempt := range downloadAttempts {
		if err := ctx.Err(); err != nil {
			return written, err
		}
		if attempt > 0 {
			r.opts.Logger.Info("resuming download", "path", f.Rel, "offset", offset+written, "err", lastErr)
		}
		rc, err := r.c.DownloadRevision(ctx, r.s.Root+"/"+f.Rel, f.Revision, offset+written, -1)
		if err != nil {
			return written, fmt.Errorf("download: %w", err)
		}
		n, err := io.Copy(w, &countingReader{r: io.LimitReader(rc, f.Size-offset-written+1), add: func(n int64) { r.addBytes(n, f.Rel) }})
		rc.Close()
		written += n
		r.mu.Lock()
		r.res.Bytes += n
		r.mu.Unlock()
		if err == nil {
			return written, nil
		}
		var pe *fs.PathError
		if ctx.Err() != nil || errors.As(err, &pe) {
			return written, fmt.Errorf("download: %w", err)
		}
		lastErr = err
		if n == 0 && attempt > 0 {
			break
		}
	}
	return written, fmt.Errorf("download: the connection broke repeatedly: %w", lastErr)
}

type countingReader struct {
	r   io.Reader
	add func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.add(int64(n))
	}
	return n, err
}

// keepConflictCopy renames the local file to "NAME (conflict DATE).EXT"
// (a free name) and returns the new path.
func (r *runner) keepConflictCopy(local string) (string, error) {
	dir, name := filepath.Split(local)
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if stem == "" { // ".bashrc"
		stem, ext = name, ""
	}
	stamp := r.opts.Now().Format("2006-01-02 150405")
	for i := 1; i < 1000; i++ {
		tag := " (conflict " + stamp + ")"
		if i > 1 {
			tag = fmt.Sprintf(" (conflict %s %d)", stamp, i)
		}
		cand := filepath.Join(dir, truncateName(stem, 255-len(tag)-len(ext))+tag+ext)
		if _, err := os.Lstat(cand); err == nil {
			continue
		}
		if err := os.Rename(local, cand); err != nil {
			return "", fmt.Errorf("keep the existing file as a conflict copy: %w", err)
		}
		return cand, nil
	}
	return "", errors.New("no free name for a conflict copy")
}

// truncateName shortens s to at most n bytes without splitting a UTF-8
// character.
func truncateName(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:max(n, 0)]
}

// place gives the verified part its final name. Without replace a hard
// link claims the name only if it is still free, so a file that appeared
// meanwhile is never overwritten.
func place(part, final string, replace bool) error {
	if replace {
		if err := os.Rename(part, final); err != nil {
			return fmt.Errorf("move into place: %w", err)
		}
		return nil
	}
	err := os.Link(part, final)
	switch {
	case err == nil:
		if err := os.Remove(part); err != nil {
			return fmt.Errorf("remove the temporary file: %w", err)
		}
		return nil
	case errors.Is(err, fs.ErrExist):
		return errDiffers
	}
	// No hard links here: check, then rename.
	if _, serr := os.Lstat(final); serr == nil {
		return errDiffers
	}
	if err := os.Rename(part, final); err != nil {
		return fmt.Errorf("move into place: %w", err)
	}
	return nil
}

// reason turns an error into words for the user (app/message owns the
// wording of protocol and local-file errors; the technical chain goes to
// the debug log).
func reason(err error) string {
	switch {
	case err == nil:
		return "unknown error"
	case errors.Is(err, errDiffers), errors.Is(err, errChecksum), errors.Is(err, errNotAFile), errors.Is(err, errParentMissing):
		return err.Error()
	case errors.Is(err, jotta.ErrNotExist):
		return "It is no longer on JottaCloud (removed for good since it was listed)."
	}
	return message.Text(err)
}
