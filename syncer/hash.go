package syncer

import (
	"context"
	"crypto/md5"
	"errors"
	"io"
	"os"
	"sync"

	"golang.org/x/sync/errgroup"
)

// errChangedWhileReading marks a file whose stat moved while it was read.
var errChangedWhileReading = errors.New("file changed while it was being read; it will be retried on the next pass")

var bufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// hashResult is the outcome for one file of the hash pool.
type hashResult struct {
	i   int // index into the walk's files
	md5 [16]byte
	err error
}

// hashFiles hashes files[i] for every i in todo with workers goroutines and
// calls done (serialised) after each file. afterFirstRead, when set, runs
// after the first block of a file was read (a test hook).
func hashFiles(ctx context.Context, root string, files []localFile, todo []int, workers int,
	open func(string) (*os.File, error), afterFirstRead func(rel string), done func(hashResult)) error {
	if len(todo) == 0 {
		return nil
	}
	if workers < 1 {
		workers = 1
	}
	jobs := make(chan int)
	results := make(chan hashResult)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(jobs)
		for _, i := range todo {
			select {
			case jobs <- i:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			for i := range jobs {
				sum, err := hashOne(gctx, root, &files[i], open, afterFirstRead)
				select {
				case results <- hashResult{i: i, md5: sum, err: err}:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		done(r)
	}
	return g.Wait()
}

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
