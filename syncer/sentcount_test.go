package syncer_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// breakingRemote reads the first half of every upload, then reports the
// connection as broken after those bytes went out.
type breakingRemote struct{ *syncertest.MemRemote }

func (b breakingRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	half := meta.Size / 2
	n, err := io.Copy(io.Discard, io.NewSectionReader(src, 0, half))
	if err != nil {
		return syncer.UploadResult{}, err
	}
	return syncer.UploadResult{BytesSent: n}, errors.New("connection reset by peer")
}

// TestBrokenUploadsCountTheirBytes: a summary counts the bytes that reached
// the server, also for uploads that broke off.
func TestBrokenUploadsCountTheirBytes(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "a.bin", []byte(strings.Repeat("a", 4000)))
	writeFile(t, local, "b.bin", []byte(strings.Repeat("b", 6000)))
	e := newEngine(t, breakingRemote{syncertest.NewMemRemote()}, syncer.Options{})
	res := pass(t, e, pairFor(local), syncer.PassOptions{})
	if len(res.Problems) != 2 {
		t.Fatalf("problems %+v, want both uploads failed", res.Problems)
	}
	if got := res.Counters.BytesUploaded; got != 5000 {
		t.Errorf("bytes sent counted as %d, want 5000 (half of each file)", got)
	}
}
