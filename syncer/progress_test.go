package syncer_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// heldRemote holds its first upload until release is closed.
type heldRemote struct {
	*syncertest.MemRemote
	once    sync.Once
	release chan struct{}
}

func (r *heldRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	first := false
	r.once.Do(func() { first = true })
	if first {
		select {
		case <-r.release:
		case <-ctx.Done():
			return syncer.UploadResult{}, ctx.Err()
		}
	}
	return r.MemRemote.Upload(ctx, path, src, meta)
}

// TestProgressFollowsTheFirstUpload: once a file uploads while the walk
// still goes on, the pass shows the uploads (their totals still growing),
// and while uploads keep coming, not the walk's hashing again.
func TestProgressFollowsTheFirstUpload(t *testing.T) {
	local := t.TempDir()
	const n = 40
	for i := range n {
		writeFile(t, local, fmt.Sprintf("f%02d.txt", i), []byte(fmt.Sprintf("file %d", i)))
	}
	syncer.SetShowUploadsFor(t, time.Hour) // no pause between uploads turns the display back
	r := &heldRemote{MemRemote: syncertest.NewMemRemote(), release: make(chan struct{})}
	e := newEngine(t, r, syncer.Options{})
	sub := e.Subscribe()
	defer sub.Close()
	done := make(chan *syncer.PassResult, 1)
	go func() { done <- pass(t, e, pairFor(local), syncer.PassOptions{}) }()

	var last syncer.ProgressEvent
	uploading := false
	timeout := time.After(time.Minute)
	for {
		select {
		case ev := <-sub.C():
			pe, ok := ev.(syncer.ProgressEvent)
			if !ok {
				continue
			}
			switch {
			case pe.Phase == syncer.StateUploading && !uploading:
				uploading = true
				if !pe.Counting {
					t.Errorf("the first upload event while the walk goes on: %+v, want Counting", pe)
				}
				close(r.release)
			case pe.Phase == syncer.StateScanning && uploading:
				t.Errorf("hashing shown again after the uploads began: %+v", pe)
			}
			last = pe
			continue
		case res := <-done:
			if res.Counters.FilesUploaded != n {
				t.Errorf("uploaded %d files, want %d", res.Counters.FilesUploaded, n)
			}
		case <-timeout:
			t.Fatal("the pass did not end")
		}
		break
	}
	if !uploading {
		t.Fatal("no upload progress was shown")
	}
	// (The last progress may be dropped in favour of the pass's end; when
	// it came, its totals are known and complete.)
	if !last.Counting && (last.Phase != syncer.StateUploading || last.FilesDone != n || last.FilesTotal != n) {
		t.Errorf("last progress %+v, want uploads %d of %d", last, n, n)
	}
}
