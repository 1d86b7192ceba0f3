package syncer_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// signallingRemote tells when the first upload arrives.
type signallingRemote struct {
	*syncertest.MemRemote
	first chan struct{}
}

func (s *signallingRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	select {
	case s.first <- struct{}{}:
	default:
	}
	return s.MemRemote.Upload(ctx, path, src, meta)
}

func TestUploadsStartWhileHashing(t *testing.T) {
	local := t.TempDir()
	for i := range 6 {
		writeFile(t, local, fmt.Sprintf("d/f%d.bin", i), []byte(strings.Repeat(fmt.Sprint(i), 1000)))
	}
	r := &signallingRemote{MemRemote: syncertest.NewMemRemote(), first: make(chan struct{}, 1)}
	e := newEngine(t, r, syncer.Options{Hashers: 1})
	// The last file's hashing waits for an upload: it only comes when
	// uploads do not wait for the whole tree to be hashed.
	uploadedFirst := false
	syncer.SetAfterFirstRead(e, func(rel string) {
		if rel != "d/f5.bin" {
			return
		}
		select {
		case <-r.first:
			uploadedFirst = true
		case <-time.After(10 * time.Second):
		}
	})
	res := pass(t, e, pairFor(local), syncer.PassOptions{})
	if !uploadedFirst {
		t.Error("no upload started before the last file was hashed")
	}
	if res.Counters.FilesUploaded != 6 || len(res.Problems) != 0 {
		t.Errorf("counters %+v, problems %v; want 6 files uploaded", res.Counters, res.Problems)
	}
	if res.Planned.Uploads != 6 || res.Planned.UploadBytes != 6000 || res.Planned.Unchanged != 0 {
		t.Errorf("summary %+v, want the 6 files counted as uploads", res.Planned)
	}
	got := remoteFiles(t, r)
	for i := range 6 {
		if got[fmt.Sprintf("d/f%d.bin", i)] != md5hex([]byte(strings.Repeat(fmt.Sprint(i), 1000))) {
			t.Errorf("d/f%d.bin on the remote: %q", i, got[fmt.Sprintf("d/f%d.bin", i)])
		}
	}
	again := pass(t, e, pairFor(local), syncer.PassOptions{})
	if again.Counters.FilesHashed != 0 || again.Counters.FilesUploaded != 0 || again.Planned.Unchanged != 6 {
		t.Errorf("the next pass did work: %+v %+v", again.Counters, again.Planned)
	}
}

// A copy of a backed-up file (a new inode) whose original is gone is still
// a move, not an upload: content already on the server waits for the plan.
func TestCopiedThenDeletedIsAMove(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "a/orig.txt", []byte("the same content"))
	writeFile(t, local, "keep.txt", []byte("keep"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	pass(t, e, p, syncer.PassOptions{})
	writeFile(t, local, "b/copy.txt", []byte("the same content"))
	writeFile(t, local, "b/new.txt", []byte("new content"))
	if err := os.Remove(filepath.Join(local, "a/orig.txt")); err != nil {
		t.Fatal(err)
	}
	res := pass(t, e, p, syncer.PassOptions{})
	if res.Counters.FilesMoved != 1 || res.Counters.FilesUploaded != 1 || len(res.Problems) != 0 {
		t.Errorf("counters %+v, problems %v; want the copy moved and the new file uploaded", res.Counters, res.Problems)
	}
	got := remoteFiles(t, mem)
	if got["b/copy.txt"] != md5hex([]byte("the same content")) || got["b/new.txt"] != md5hex([]byte("new content")) {
		t.Errorf("remote after the pass: %v", got)
	}
}

// The files left alone count toward the default prune limit (10 % of the
// remote files): 15 deletions out of 200 files are within it.
func TestPruneLimitCountsUnchangedFiles(t *testing.T) {
	local := t.TempDir()
	for i := range 200 {
		writeFile(t, local, fmt.Sprintf("d%d/f%03d.txt", i%4, i), []byte(fmt.Sprint("file ", i)))
	}
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	p.Prune = syncer.PruneFiles
	pass(t, e, p, syncer.PassOptions{})
	for i := range 15 {
		if err := os.Remove(filepath.Join(local, fmt.Sprintf("d%d/f%03d.txt", i%4, i))); err != nil {
			t.Fatal(err)
		}
	}
	res := pass(t, e, p, syncer.PassOptions{})
	if res.Planned.PruneRefused != "" || res.Counters.FilesTrashed != 15 || res.Planned.Unchanged != 185 {
		t.Errorf("refusal %q, %d trashed, %d unchanged; want 15 trashed and 185 unchanged", res.Planned.PruneRefused, res.Counters.FilesTrashed, res.Planned.Unchanged)
	}
}

// A first pass over a folder the server already holds (a new computer, a
// lost index) hashes every file and uploads nothing, and a changed file in
// it is uploaded.
func TestFirstPassOverBackedUpFolder(t *testing.T) {
	local := t.TempDir()
	for i := range 30 {
		writeFile(t, local, fmt.Sprintf("d%d/f%02d.txt", i%3, i), []byte(fmt.Sprint("file ", i)))
	}
	mem := syncertest.NewMemRemote()
	first := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	pass(t, first, p, syncer.PassOptions{})
	writeFile(t, local, "d1/f01.txt", []byte("changed since"))
	fresh := newEngine(t, mem, syncer.Options{}) // an empty index
	res := pass(t, fresh, p, syncer.PassOptions{})
	if res.Counters.FilesHashed != 30 || res.Counters.FilesUploaded != 1 || res.Planned.Unchanged != 29 || len(res.Problems) != 0 {
		t.Errorf("counters %+v, planned %+v, problems %v; want 30 hashed, 1 uploaded, 29 unchanged", res.Counters, res.Planned, res.Problems)
	}
	if remoteFiles(t, mem)["d1/f01.txt"] != md5hex([]byte("changed since")) {
		t.Error("the changed file is not on the server")
	}
	again := pass(t, fresh, p, syncer.PassOptions{})
	if again.Counters.FilesHashed != 0 || again.Planned.Unchanged != 30 {
		t.Errorf("next pass: %+v %+v", again.Counters, again.Planned)
	}
}
