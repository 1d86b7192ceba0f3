package syncer

import (
	"context"
	"crypto/md5"
	"errors"
	"io"
	"os"
	"sync"
)

// errChangedWhileReading marks a file whose stat moved while it was read.
var errChangedWhileReading = errors.New("file changed while it was being read; it will be retried on the next pass")

var bufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// hashOne streams one file through MD5 and checks afterwards that the file
// still has the stat the walk saw, so a stale sum is never recorded.
func hashOne(ctx context.Context, root string, f *localFile, open func(string) (*os.File, error), afterFirstRead func(string)) ([16]byte, error) {
	var sum [16]byte
	abs := f.path(root)
	fh, err := open(abs)
	if err != nil {
		return sum, err
	}
	defer fh.Close()
	h := md5.New()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	first := true
	for {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		n, rerr := fh.Read(buf)
		h.Write(buf[:n])
		if first && afterFirstRead != nil {
			afterFirstRead(f.rel)
		}
		first = false
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return sum, rerr
		}
	}
	if changed(abs, f) {
		return sum, errChangedWhileReading
	}
	h.Sum(sum[:0])
	return sum, nil
}

// changed re-stats f at abs and reports whether it differs from the walk's view.
func changed(abs string, f *localFile) bool {
	fi, err := os.Stat(abs)
	if err != nil {
		return true
	}
	inode, ctime, _ := fileIdentity(fi)
	return fi.Size() != f.size || fi.ModTime().UnixNano() != f.mtime || inode != f.inode || ctime != f.ctime
}
