package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// failingUploads refuses uploads of names containing "bad", the way the
// server refuses single files, so that parallel workers report problems at
// the same time.
type failingUploads struct{ *syncertest.MemRemote }

func (f failingUploads) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	if strings.Contains(path, "bad") {
		return syncer.UploadResult{}, fmt.Errorf("upload %s: %w", path, syncer.ErrNameRejected)
	}
	return f.MemRemote.Upload(ctx, path, src, meta)
}

func TestParallelUploadProblemsAreAllReported(t *testing.T) {
	local := t.TempDir()
	const bad, good = 24, 8
	for i := range bad {
		writeFile(t, local, fmt.Sprintf("bad%02d.txt", i), []byte(fmt.Sprintf("bad %d", i)))
	}
	for i := range good {
		writeFile(t, local, fmt.Sprintf("good%02d.txt", i), []byte(fmt.Sprintf("good %d", i)))
	}
	r := failingUploads{syncertest.NewMemRemote()}
	e := newEngine(t, r, syncer.Options{Transfers: 8})
	res, err := e.RunPass(context.Background(), pairFor(local), syncer.PassOptions{})
	if err != nil && !errors.Is(err, syncer.ErrNameRejected) {
		t.Fatalf("pass: %v", err)
	}
	if len(res.Problems) != bad {
		t.Errorf("%d problems reported, want one per refused file (%d)", len(res.Problems), bad)
	}
	if n := len(remoteFiles(t, r)); n != good {
		t.Errorf("%d files on the server, want the %d accepted ones", n, good)
	}
}

// refusingRemote fails every upload with one error.
type refusingRemote struct {
	*syncertest.MemRemote
	err     error
	uploads int
}

func (r *refusingRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	r.uploads++
	return syncer.UploadResult{}, fmt.Errorf("upload %s: %w", path, r.err)
}

func TestFullAccountOrLostSessionStopsThePassAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"account full", syncer.ErrQuota},
		{"signed out", syncer.ErrUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			local := t.TempDir()
			for i := range 30 {
				writeFile(t, local, fmt.Sprintf("f%02d.txt", i), []byte(fmt.Sprintf("file %d", i)))
			}
			r := &refusingRemote{MemRemote: syncertest.NewMemRemote(), err: tc.err}
			e := newEngine(t, r, syncer.Options{Transfers: 1, SmallTransfers: 1})
			res, err := e.RunPass(context.Background(), pairFor(local), syncer.PassOptions{})
			if !errors.Is(err, tc.err) || res.Complete {
				t.Fatalf("pass: complete %v, err %v; want it stopped with %v", res.Complete, err, tc.err)
			}
			if r.uploads != 1 {
				t.Errorf("%d uploads tried, want the pass to stop after the first", r.uploads)
			}
		})
	}
}
