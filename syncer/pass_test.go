package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

func generatedTree() map[string][]byte {
	big := make([]byte, 3<<20+12345)
	for i := range big {
		big[i] = byte(i*31 + i>>9)
	}
	return map[string][]byte{
		"readme.txt":                   []byte("hello"),
		"empty":                        nil,
		"nested/empty-too":             {},
		"nested/a/b/c/deep.txt":        []byte("deep down"),
		"nested/a/sibling.txt":         []byte("sibling"),
		"unicode/blåbærsyltetøy.txt":   []byte("jam"),
		"unicode/日本語/ファイル.md":          []byte("japanese"),
		"unicode/emoji 🎉 party.txt":    []byte("party"),
		"media/large.bin":              big,
		"media/same-as-readme.txt":     []byte("hello"),
		"spaces and+plus;semi/x y.txt": []byte("odd chars"),
	}
}

func TestInitialPassThenNoWork(t *testing.T) {
	local := t.TempDir()
	tree := generatedTree()
	for p, d := range tree {
		writeFile(t, local, p, d)
	}
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)

	first := pass(t, e, p, syncer.PassOptions{})
	if len(first.Problems) != 0 {
		t.Fatalf("problems on a clean tree: %+v", first.Problems)
	}
	got := remoteFiles(t, mem)
	if len(got) != len(tree) {
		t.Errorf("remote holds %d files, want %d: %v", len(got), len(tree), got)
	}
	for path, data := range tree {
		if got[path] != md5hex(data) {
			t.Errorf("%s: remote md5 %q, want %q", path, got[path], md5hex(data))
		}
		if b, ok := mem.File(testRemote + "/" + path); !ok || !bytes.Equal(b, data) {
			t.Errorf("%s: remote content differs (present %v)", path, ok)
		}
	}
	if first.Counters.FilesHashed != int64(len(tree)) {
		t.Errorf("first pass hashed %d files, want %d", first.Counters.FilesHashed, len(tree))
	}
	if first.Counters.ListRequests != 1 {
		t.Errorf("first pass made %d listing requests, want 1", first.Counters.ListRequests)
	}

	second := pass(t, e, p, syncer.PassOptions{})
	c := second.Counters
	if c.BytesUploaded != 0 || c.FilesUploaded != 0 || c.FilesDeduplicated != 0 {
		t.Errorf("unchanged tree uploaded: %+v", c)
	}
	if c.BytesHashed != 0 || c.FilesHashed != 0 {
		t.Errorf("unchanged tree was read again: %+v", c)
	}
	if c.ListRequests != 1 {
		t.Errorf("second pass made %d listing requests, want 1", c.ListRequests)
	}
	uploadsBefore := mem.Stats().Uploads

	changed := []byte("hello, changed content")
	writeFile(t, local, "nested/a/sibling.txt", changed)
	third := pass(t, e, p, syncer.PassOptions{})
	c = third.Counters
	if c.FilesHashed != 1 || c.BytesHashed != int64(len(changed)) {
		t.Errorf("after one change hashed %d files/%d bytes, want 1/%d", c.FilesHashed, c.BytesHashed, len(changed))
	}
	if c.FilesUploaded != 1 || c.BytesUploaded != int64(len(changed)) {
		t.Errorf("after one change uploaded %d files/%d bytes, want 1/%d", c.FilesUploaded, c.BytesUploaded, len(changed))
	}
	if n := mem.Stats().Uploads - uploadsBefore; n != 1 {
		t.Errorf("remote saw %d upload requests, want 1", n)
	}
	if remoteFiles(t, mem)["nested/a/sibling.txt"] != md5hex(changed) {
		t.Error("changed file not updated on the remote")
	}
}

func TestRootCreatedAndReported(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "f.txt", []byte("x"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	sub := e.Subscribe()
	defer sub.Close()
	res := pass(t, e, pairFor(local), syncer.PassOptions{})
	if res.Counters.FoldersCreated != 3 {
		t.Errorf("created %d folders, want device, mount point and folder (3)", res.Counters.FoldersCreated)
	}
	if typ := mem.DeviceType("TestBox"); typ != "WORKSTATION" {
		t.Errorf("device type %q, want WORKSTATION", typ)
	}
	var created []string
	for ev := range sub.C() {
		switch ev := ev.(type) {
		case syncer.FolderCreatedEvent:
			created = append(created, ev.Path)
		case syncer.PassEvent:
			if ev.Result != res {
				t.Error("pass event carries another result")
			}
			want := []string{"/TestBox", "/TestBox/Backup", "/TestBox/Backup/docs"}
			if fmt.Sprint(created) != fmt.Sprint(want) {
				t.Errorf("folder events %v, want %v", created, want)
			}
			return
		}
	}
}

func TestRenamedDirectoryUploadsNothing(t *testing.T) {
	local := t.TempDir()
	for i := range 20 {
		writeFile(t, local, fmt.Sprintf("photos/2024/img%02d.jpg", i), bytes.Repeat([]byte{byte(i)}, 1000+i))
	}
	writeFile(t, local, "other.txt", []byte("stays"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	pass(t, e, p, syncer.PassOptions{})
	if err := os.Rename(filepath.Join(local, "photos"), filepath.Join(local, "pictures")); err != nil {
		t.Fatal(err)
	}
	before := mem.Stats().BytesReceived
	res := pass(t, e, p, syncer.PassOptions{})
	if res.Counters.BytesUploaded != 0 || mem.Stats().BytesReceived != before {
		t.Errorf("rename uploaded %d bytes (remote received %d)", res.Counters.BytesUploaded, mem.Stats().BytesReceived-before)
	}
	if res.Counters.FoldersMoved != 1 || res.Counters.FilesMoved != 20 {
		t.Errorf("moves: %d folders, %d files; want one folder move carrying 20 files", res.Counters.FoldersMoved, res.Counters.FilesMoved)
	}
	if res.Counters.BytesHashed != 0 {
		t.Errorf("rename read %d bytes again; the index knows the files by inode", res.Counters.BytesHashed)
	}
	got := remoteFiles(t, mem)
	for i := range 20 {
		if _, ok := got[fmt.Sprintf("pictures/2024/img%02d.jpg", i)]; !ok {
			t.Errorf("pictures/2024/img%02d.jpg missing after rename", i)
		}
		if _, ok := got[fmt.Sprintf("photos/2024/img%02d.jpg", i)]; ok {
			t.Errorf("photos/2024/img%02d.jpg still on the remote", i)
		}
	}
	// The next pass finds everything in place and reads nothing.
	again := pass(t, e, p, syncer.PassOptions{})
	if again.Counters.FilesHashed != 0 || again.Counters.BytesUploaded != 0 || again.Counters.FilesMoved != 0 {
		t.Errorf("pass after rename did work: %+v", again.Counters)
	}
}

func TestFolderMovedIntoANewParent(t *testing.T) {
	local := t.TempDir()
	for i := range 4 {
		writeFile(t, local, fmt.Sprintf("a/photos/p%d.jpg", i), []byte(fmt.Sprintf("photo %d", i)))
	}
	writeFile(t, local, "a/keep.txt", []byte("keep"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	pass(t, e, p, syncer.PassOptions{})
	if err := os.MkdirAll(filepath.Join(local, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(local, "a/photos"), filepath.Join(local, "b/pics")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(local, "b/pics/new-empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := pass(t, e, p, syncer.PassOptions{})
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %+v", res.Problems)
	}
	if res.Counters.FoldersMoved != 1 || res.Counters.BytesUploaded != 0 {
		t.Errorf("counters %+v, want one folder move and no bytes", res.Counters)
	}
	got := remoteFiles(t, mem)
	for i := range 4 {
		if _, ok := got[fmt.Sprintf("b/pics/p%d.jpg", i)]; !ok {
			t.Errorf("b/pics/p%d.jpg missing: %v", i, got)
		}
	}
	var sawEmpty bool
	mem.List(context.Background(), testRemote, func(en syncer.Entry) error {
		sawEmpty = sawEmpty || (en.Dir && en.Path == "b/pics/new-empty")
		return nil
	})
	if !sawEmpty {
		t.Error("empty folder inside the moved folder was not created")
	}
}

func TestRenamedFilesWithoutFolderMove(t *testing.T) {
	local := t.TempDir()
	for i := range 5 {
		writeFile(t, local, fmt.Sprintf("dir/f%d.txt", i), []byte(fmt.Sprintf("content %d", i)))
	}
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	pass(t, e, p, syncer.PassOptions{})
	// Two files leave the folder under new names; the folder stays.
	for _, i := range []int{1, 3} {
		if err := os.Rename(filepath.Join(local, fmt.Sprintf("dir/f%d.txt", i)), filepath.Join(local, fmt.Sprintf("moved-%d.txt", i))); err != nil {
			t.Fatal(err)
		}
	}
	res := pass(t, e, p, syncer.PassOptions{})
	if res.Counters.FilesMoved != 2 || res.Counters.FoldersMoved != 0 || res.Counters.BytesUploaded != 0 {
		t.Errorf("counters %+v, want two file moves and no bytes", res.Counters)
	}
	if res.Counters.FilesHashed != 0 {
		t.Errorf("renamed files were read again: %+v", res.Counters)
	}
}

func TestMovedFileIdentity(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "a.txt", []byte("first content"))
	writeFile(t, local, "b.txt", []byte("other content"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	pass(t, e, p, syncer.PassOptions{})

	// A hard link keeps the old path: both paths are read, nothing borrowed.
	if err := os.Link(filepath.Join(local, "b.txt"), filepath.Join(local, "b-link.txt")); err != nil {
		t.Skip("no hard links here:", err)
	}
	res := pass(t, e, p, syncer.PassOptions{})
	if res.Counters.FilesHashed == 0 {
		t.Errorf("the new hard link was not hashed: %+v", res.Counters)
	}
	// A rename whose content changed (other size) is read again and uploaded.
	if err := os.Rename(filepath.Join(local, "a.txt"), filepath.Join(local, "c.txt")); err != nil {
		t.Fatal(err)
	}
	fh, err := os.OpenFile(filepath.Join(local, "c.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(" and more")
	fh.Close()
	res = pass(t, e, p, syncer.PassOptions{})
	if res.Counters.FilesHashed != 1 || res.Counters.FilesUploaded != 1 {
		t.Errorf("changed and renamed file: %+v, want one file hashed and uploaded", res.Counters)
	}
	got := remoteFiles(t, mem)
	if got["c.txt"] != md5hex([]byte("first content and more")) {
		t.Errorf("c.txt on the remote is %q", got["c.txt"])
	}
}

func TestPruneSafety(t *testing.T) {
	setup := func(t *testing.T, n int, prune syncer.PruneMode) (string, *syncertest.MemRemote, *syncer.Engine, syncer.Pair) {
		local := t.TempDir()
		for i := range n {
			writeFile(t, local, fmt.Sprintf("d%d/f%03d.txt", i%3, i), []byte(fmt.Sprintf("file %d", i)))
		}
		mem := syncertest.NewMemRemote()
		e := newEngine(t, mem, syncer.Options{})
		p := pairFor(local)
		p.Prune = prune
		pass(t, e, p, syncer.PassOptions{})
		return local, mem, e, p
	}

	t.Run("emptied root prunes nothing", func(t *testing.T) {
		local, mem, e, p := setup(t, 12, syncer.PruneAll)
		entries, _ := os.ReadDir(local)
		for _, en := range entries {
			os.RemoveAll(filepath.Join(local, en.Name()))
		}
		res := pass(t, e, p, syncer.PassOptions{ForcePrune: true})
		if res.Counters.FilesTrashed != 0 || mem.Stats().Trashes != 0 {
			t.Errorf("trashed %d files from an empty source", res.Counters.FilesTrashed)
		}
		if !strings.Contains(res.Planned.PruneRefused, "empty") {
			t.Errorf("refusal %q does not say the folder is empty", res.Planned.PruneRefused)
		}
		if n := len(remoteFiles(t, mem)); n != 12 {
			t.Errorf("remote holds %d files, want all 12", n)
		}
	})

	t.Run("missing root fails the pass and changes nothing", func(t *testing.T) {
		local, mem, e, p := setup(t, 12, syncer.PruneAll)
		if err := os.RemoveAll(local); err != nil {
			t.Fatal(err)
		}
		res, err := e.RunPass(context.Background(), p, syncer.PassOptions{})
		if !errors.Is(err, syncer.ErrSourceMissing) {
			t.Fatalf("pass over a missing folder: %v, want ErrSourceMissing", err)
		}
		if !strings.Contains(err.Error(), "missing") || res.Complete {
			t.Errorf("error %q / complete %v should say the folder is missing", err, res.Complete)
		}
		if n := len(remoteFiles(t, mem)); n != 12 || mem.Stats().Trashes != 0 {
			t.Errorf("remote holds %d files and saw %d trash requests", n, mem.Stats().Trashes)
		}
	})

	t.Run("normal prune goes to the trash", func(t *testing.T) {
		local, mem, e, p := setup(t, 12, syncer.PruneAll)
		os.Remove(filepath.Join(local, "d0/f000.txt"))
		os.RemoveAll(filepath.Join(local, "d1"))
		res := pass(t, e, p, syncer.PassOptions{})
		if res.Planned.PruneRefused != "" {
			t.Fatalf("prune refused: %s", res.Planned.PruneRefused)
		}
		if res.Counters.FoldersTrashed != 1 || res.Counters.FilesTrashed != 5 {
			t.Errorf("trashed %d folders / %d files, want 1 / 5 (d1 holds 4)", res.Counters.FoldersTrashed, res.Counters.FilesTrashed)
		}
		if !mem.Trashed(testRemote+"/d0/f000.txt") || !mem.Trashed(testRemote+"/d1/f001.txt") {
			t.Error("pruned items are not in the trash")
		}
		if n := len(remoteFiles(t, mem)); n != 7 {
			t.Errorf("remote lists %d live files, want 7", n)
		}
	})

	t.Run("prune off keeps remote copies", func(t *testing.T) {
		local, mem, e, p := setup(t, 12, syncer.PruneNone)
		os.RemoveAll(filepath.Join(local, "d1"))
		pass(t, e, p, syncer.PassOptions{})
		if n := len(remoteFiles(t, mem)); n != 12 || mem.Stats().Trashes != 0 {
			t.Errorf("remote holds %d files after a pass without prune, want 12", n)
		}
	})

	t.Run("threshold refuses a mass delete", func(t *testing.T) {
		local, mem, e, p := setup(t, 60, syncer.PruneFiles)
		for i := range 30 {
			os.Remove(filepath.Join(local, fmt.Sprintf("d%d/f%03d.txt", i%3, i)))
		}
		res := pass(t, e, p, syncer.PassOptions{})
		if res.Counters.FilesTrashed != 0 || mem.Stats().Trashes != 0 {
			t.Errorf("trashed %d files over the limit", res.Counters.FilesTrashed)
		}
		if !strings.Contains(res.Planned.PruneRefused, "limit of 10") {
			t.Errorf("refusal %q does not name the limit", res.Planned.PruneRefused)
		}
		if res.Planned.HeldFiles != 30 || len(res.Plan.Held) != 30 {
			t.Errorf("held back %d files in %d items, want the 30 for the user to review", res.Planned.HeldFiles, len(res.Plan.Held))
		}
		forced := pass(t, e, p, syncer.PassOptions{ForcePrune: true})
		if forced.Counters.FilesTrashed != 30 {
			t.Errorf("forced prune trashed %d files, want 30", forced.Counters.FilesTrashed)
		}
	})

	t.Run("kept items are never trashed and stop the asking", func(t *testing.T) {
		local, mem, e, p := setup(t, 60, syncer.PruneFiles)
		for i := range 30 {
			os.Remove(filepath.Join(local, fmt.Sprintf("d%d/f%03d.txt", i%3, i)))
		}
		res := pass(t, e, p, syncer.PassOptions{})
		var keep []string
		for _, h := range res.Plan.Held {
			keep = append(keep, h.Path)
		}
		if err := e.KeepRemote(p.ID, keep); err != nil {
			t.Fatal(err)
		}
		if kept, err := e.Kept(p.ID); err != nil || len(kept) != 30 {
			t.Fatalf("kept %v, %v", kept, err)
		}
		again := pass(t, e, p, syncer.PassOptions{})
		if again.Planned.PruneRefused != "" || len(again.Plan.Held) != 0 {
			t.Errorf("still asking after the user chose to keep: %q", again.Planned.PruneRefused)
		}
		forced := pass(t, e, p, syncer.PassOptions{ForcePrune: true})
		if forced.Counters.FilesTrashed != 0 || mem.Stats().Trashes != 0 || len(remoteFiles(t, mem)) != 60 {
			t.Errorf("kept items trashed: %d", forced.Counters.FilesTrashed)
		}
		// A later deletion is still asked about (or pruned within the limit).
		os.Remove(filepath.Join(local, "d0/f030.txt"))
		later := pass(t, e, p, syncer.PassOptions{})
		if later.Counters.FilesTrashed != 1 {
			t.Errorf("a new deletion within the limit trashed %d files, want 1", later.Counters.FilesTrashed)
		}
	})

	t.Run("another filesystem refuses prune", func(t *testing.T) {
		local, mem, e, p := setup(t, 12, syncer.PruneFiles)
		if err := syncer.SetRootDevice(e, p.ID, 424242); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(local, "d0/f000.txt"))
		res := pass(t, e, p, syncer.PassOptions{})
		if !strings.Contains(res.Planned.PruneRefused, "different filesystem") || mem.Stats().Trashes != 0 {
			t.Errorf("refusal %q, trashes %d", res.Planned.PruneRefused, mem.Stats().Trashes)
		}
	})
}

func TestModifiedDuringHashIsNotRecorded(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "stable.txt", []byte("stable"))
	orig := bytes.Repeat([]byte("a"), 600<<10) // more than one read block
	writeFile(t, local, "busy.log", orig)
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	syncer.SetAfterFirstRead(e, func(rel string) {
		if rel == "busy.log" {
			writeFile(t, local, "busy.log", []byte("rewritten while being hashed"))
		}
	})
	res := pass(t, e, p, syncer.PassOptions{})
	assertProblem(t, res, "busy.log", "changed while")
	got := remoteFiles(t, mem)
	if _, ok := got["busy.log"]; ok {
		t.Error("file modified during hashing was uploaded")
	}
	if got["stable.txt"] != md5hex([]byte("stable")) {
		t.Error("the other file was not backed up")
	}

	syncer.SetAfterFirstRead(e, nil)
	next := pass(t, e, p, syncer.PassOptions{})
	if next.Counters.FilesHashed != 1 {
		t.Errorf("next pass hashed %d files, want the retried one", next.Counters.FilesHashed)
	}
	if remoteFiles(t, mem)["busy.log"] != md5hex([]byte("rewritten while being hashed")) {
		t.Error("retried file not uploaded with its current md5")
	}
}

func TestInterruptedUploadResumes(t *testing.T) {
	local := t.TempDir()
	data := bytes.Repeat([]byte("0123456789"), 50000)
	writeFile(t, local, "big.bin", data)
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	mem.CutNextUpload(200000)
	first := pass(t, e, p, syncer.PassOptions{})
	assertProblem(t, first, "big.bin", "upload")
	second := pass(t, e, p, syncer.PassOptions{})
	if second.Counters.FilesHashed != 0 {
		t.Errorf("resume pass rehashed %d files", second.Counters.FilesHashed)
	}
	if second.Counters.BytesUploaded != int64(len(data)-200000) {
		t.Errorf("resume sent %d bytes, want %d", second.Counters.BytesUploaded, len(data)-200000)
	}
	if remoteFiles(t, mem)["big.bin"] != md5hex(data) {
		t.Error("resumed file has the wrong md5")
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "a.txt", []byte("aaa"))
	writeFile(t, local, "dir/b.txt", []byte("bbbb"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	res := pass(t, e, p, syncer.PassOptions{DryRun: true})
	pl := res.Planned
	if pl.Uploads != 2 || pl.UploadBytes != 7 || !pl.CreateRoot {
		t.Errorf("dry run planned %+v, want 2 uploads of 7 bytes and a new root", pl)
	}
	st := mem.Stats()
	if st.Uploads != 0 || st.Mkdirs != 0 || st.Moves != 0 || st.Trashes != 0 {
		t.Errorf("dry run touched the remote: %+v", st)
	}
	real := pass(t, e, p, syncer.PassOptions{})
	if real.Counters.FilesHashed != 2 {
		t.Errorf("the pass after a dry run hashed %d files, want 2 (dry runs store nothing)", real.Counters.FilesHashed)
	}
	if real.Counters.FilesUploaded != 2 {
		t.Errorf("the pass after a dry run uploaded %d files, want 2", real.Counters.FilesUploaded)
	}
}

func TestDryRunReportsMovesAndPrune(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "old/a.txt", []byte("aaaa"))
	writeFile(t, local, "gone.txt", []byte("gone!"))
	writeFile(t, local, "stay.txt", []byte("stay"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	p.Prune = syncer.PruneFiles
	pass(t, e, p, syncer.PassOptions{})
	os.Rename(filepath.Join(local, "old"), filepath.Join(local, "new"))
	os.Remove(filepath.Join(local, "gone.txt"))
	before := mem.Stats()
	res := pass(t, e, p, syncer.PassOptions{DryRun: true})
	pl := res.Planned
	if pl.FolderMoves != 1 || pl.MovedBytes != 4 || pl.TrashFiles != 1 || pl.TrashBytes != 5 || pl.Uploads != 0 {
		t.Errorf("dry run planned %+v, want one folder move of 4 bytes and one 5-byte file to trash", pl)
	}
	if after := mem.Stats(); after.Moves != before.Moves || after.Trashes != before.Trashes {
		t.Errorf("dry run changed the remote: %+v -> %+v", before, after)
	}
}

// TestDryRunStreamsNewFiles: with WouldUpload set, a dry run names each
// new file as the walk finds it and keeps it out of the plan; a renamed
// folder still shows as a move, and nothing is sent.
func TestDryRunStreamsNewFiles(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "old/a.txt", []byte("aaaa"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	p := pairFor(local)
	pass(t, e, p, syncer.PassOptions{})
	os.Rename(filepath.Join(local, "old"), filepath.Join(local, "renamed"))
	for i := range 5 {
		writeFile(t, local, fmt.Sprintf("new/%d.txt", i), []byte(strings.Repeat("n", i+1)))
	}
	var got []string
	before := mem.Stats()
	res := pass(t, e, p, syncer.PassOptions{DryRun: true, WouldUpload: func(local string, size int64) {
		got = append(got, fmt.Sprintf("%s %d", local, size))
	}})
	want := []string{"new/0.txt 1", "new/1.txt 2", "new/2.txt 3", "new/3.txt 4", "new/4.txt 5"}
	if !slices.Equal(got, want) {
		t.Errorf("WouldUpload saw %q, want %q (in walk order)", got, want)
	}
	if len(res.Plan.Uploads) != 0 {
		t.Errorf("the plan still holds %d uploads", len(res.Plan.Uploads))
	}
	if pl := res.Planned; pl.Uploads != 5 || pl.UploadBytes != 15 || pl.FolderMoves != 1 {
		t.Errorf("dry run planned %+v, want 5 uploads of 15 bytes and one folder move", pl)
	}
	if after := mem.Stats(); after.Uploads != before.Uploads || after.Moves != before.Moves || after.Mkdirs != before.Mkdirs {
		t.Errorf("dry run changed the remote: %+v -> %+v", before, after)
	}
}

// TestUnchangedPassLeavesTheIndexAlone: a pass that finds nothing new
// writes no new index generation; one that finds a change does.
func TestUnchangedPassLeavesTheIndexAlone(t *testing.T) {
	local := t.TempDir()
	for i := range 20 {
		writeFile(t, local, fmt.Sprintf("d%d/f%d.txt", i%3, i), []byte(strings.Repeat("x", i)))
	}
	stateDir := t.TempDir()
	e := newEngine(t, syncertest.NewMemRemote(), syncer.Options{StateDir: stateDir})
	p := pairFor(local)
	generations := func() string {
		t.Helper()
		names, err := filepath.Glob(e.IndexPath(p.ID) + ".g*")
		if err != nil || len(names) == 0 {
			t.Fatalf("no index generation file: %v", err)
		}
		var out []string
		for _, n := range names {
			fi, err := os.Stat(n)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %d %d", filepath.Base(n), fi.Size(), fi.ModTime().UnixNano()))
		}
		return strings.Join(out, ", ")
	}
	pass(t, e, p, syncer.PassOptions{})
	before := generations()
	if res := pass(t, e, p, syncer.PassOptions{}); res.Counters.FilesHashed != 0 || res.Planned.Unchanged != 20 {
		t.Fatalf("second pass: %+v, planned %+v; want nothing hashed and 20 unchanged", res.Counters, res.Planned)
	}
	if after := generations(); after != before {
		t.Errorf("an unchanged pass rewrote the index: %s -> %s", before, after)
	}
	writeFile(t, local, "d1/new.txt", []byte("new"))
	pass(t, e, p, syncer.PassOptions{})
	if after := generations(); after == before {
		t.Errorf("a pass that found a new file left the index as it was (%s)", after)
	}
	if res := pass(t, e, p, syncer.PassOptions{}); res.Counters.FilesHashed != 0 || res.Planned.Unchanged != 21 {
		t.Errorf("pass after the new file: %+v, planned %+v; want nothing hashed and 21 unchanged", res.Counters, res.Planned)
	}
}

func TestDeletedIndexCostsOnlyARehash(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "a.txt", []byte("aaa"))
	writeFile(t, local, "b.txt", []byte("bbb"))
	mem := syncertest.NewMemRemote()
	state := t.TempDir()
	e := newEngine(t, mem, syncer.Options{StateDir: state})
	p := pairFor(local)
	pass(t, e, p, syncer.PassOptions{})
	e.Close()
	if err := os.Remove(e.IndexPath(p.ID)); err != nil {
		t.Fatal(err)
	}
	e2 := newEngine(t, mem, syncer.Options{StateDir: state})
	res := pass(t, e2, p, syncer.PassOptions{})
	if res.Counters.FilesHashed != 2 || res.Counters.BytesUploaded != 0 || res.Counters.FilesUploaded != 0 {
		t.Errorf("after losing the index: %+v, want 2 files rehashed and nothing uploaded", res.Counters)
	}
}

func TestBandwidthLimitPacesUploads(t *testing.T) {
	local := t.TempDir()
	stateDir := t.TempDir()
	data := bytes.Repeat([]byte("z"), 1<<20)
	writeFile(t, local, "z.bin", data)
	synctest.Test(t, func(t *testing.T) {
		mem := syncertest.NewMemRemote()
		e, err := syncer.New(mem, syncer.Options{StateDir: stateDir, BandwidthLimit: 256 << 10, NoWatch: true})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		start := time.Now()
		res, err := e.RunPass(context.Background(), pairFor(local), syncer.PassOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// 1 MiB at 256 KiB/s with a 256 KiB burst: three seconds of waiting
		// on the (fake) clock.
		if el := time.Since(start); el < 3*time.Second || el > 4*time.Second {
			t.Errorf("upload took %v of clock time, want about 3s", el)
		}
		if res.Counters.BytesUploaded != int64(len(data)) || remoteFiles(t, mem)["z.bin"] != md5hex(data) {
			t.Errorf("limited upload: %+v", res.Counters)
		}
	})
}

// countingRemote records how many uploads run at once, small and large
// apart; each upload holds its slot for a moment so that the limits are
// reached.
type countingRemote struct {
	*syncertest.MemRemote
	mu                 sync.Mutex
	now, max           int
	smallNow, smallMax int
	largeNow, largeMax int
}

func (c *countingRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	small := meta.Size < syncer.SmallFileSize
	c.mu.Lock()
	c.now++
	c.max = max(c.max, c.now)
	if small {
		c.smallNow++
		c.smallMax = max(c.smallMax, c.smallNow)
	} else {
		c.largeNow++
		c.largeMax = max(c.largeMax, c.largeNow)
	}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.now--
		if small {
			c.smallNow--
		} else {
			c.largeNow--
		}
		c.mu.Unlock()
	}()
	time.Sleep(5 * time.Millisecond)
	return c.MemRemote.Upload(ctx, path, src, meta)
}

// TestTransfersAreBounded: large files respect Transfers, small ones their
// own, larger SmallTransfers, and the two run side by side.
func TestTransfersAreBounded(t *testing.T) {
	const small, large = 2_000, syncer.SmallFileSize + 1000
	cases := []struct {
		name                   string
		opts                   syncer.Options
		smallFiles, largeFiles int
		wantSmall, wantLarge   int
	}{
		{"large, default", syncer.Options{}, 0, 24, 0, 4},
		{"large, one at a time", syncer.Options{Transfers: 1}, 0, 24, 0, 1},
		{"large, two", syncer.Options{Transfers: 2}, 0, 24, 0, 2},
		{"small, default", syncer.Options{}, 60, 0, 16, 0},
		{"small, three", syncer.Options{Transfers: 1, SmallTransfers: 3}, 40, 0, 3, 0},
		{"small never below Transfers", syncer.Options{Transfers: 6, SmallTransfers: 2}, 40, 0, 6, 0},
		{"mixed", syncer.Options{Transfers: 2, SmallTransfers: 5}, 40, 16, 5, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			local := t.TempDir()
			for i := range tc.smallFiles {
				writeFile(t, local, fmt.Sprintf("s%02d", i), bytes.Repeat([]byte{byte(i)}, small))
			}
			for i := range tc.largeFiles {
				writeFile(t, local, fmt.Sprintf("l%02d", i), bytes.Repeat([]byte{byte(i)}, large))
			}
			r := &countingRemote{MemRemote: syncertest.NewMemRemote()}
			e := newEngine(t, r, tc.opts)
			res := pass(t, e, pairFor(local), syncer.PassOptions{})
			if n := res.Counters.FilesUploaded; n != int64(tc.smallFiles+tc.largeFiles) {
				t.Fatalf("uploaded %d files", n)
			}
			if r.smallMax > tc.wantSmall || r.largeMax > tc.wantLarge {
				t.Errorf("%d small and %d large uploads ran at once, limits %d and %d", r.smallMax, r.largeMax, tc.wantSmall, tc.wantLarge)
			}
			// The small-file limit is a limit of its own, above Transfers.
			if tc.smallFiles > 0 && tc.wantSmall > max(tc.opts.Transfers, 4) && r.smallMax <= max(tc.opts.Transfers, 4) {
				t.Errorf("at most %d small uploads ran at once; the small-file limit of %d was never used", r.smallMax, tc.wantSmall)
			}
		})
	}
}

// failingRemote refuses every upload the way an offline server would.
type failingRemote struct {
	*syncertest.MemRemote
	calls int
	mu    sync.Mutex
}

func (f *failingRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	return syncer.UploadResult{}, errors.New("503 service unavailable")
}

func TestFailingServerEndsThePass(t *testing.T) {
	local := t.TempDir()
	for i := range 100 {
		writeFile(t, local, fmt.Sprintf("f%03d", i), []byte(fmt.Sprint(i)))
	}
	r := &failingRemote{MemRemote: syncertest.NewMemRemote()}
	e := newEngine(t, r, syncer.Options{Transfers: 1, SmallTransfers: 1})
	res, err := e.RunPass(context.Background(), pairFor(local), syncer.PassOptions{})
	if err == nil || !strings.Contains(err.Error(), "in a row") {
		t.Fatalf("pass error %v, want it to stop after repeated server failures", err)
	}
	if r.calls > 20 || len(res.Problems) > 20 {
		t.Errorf("%d uploads tried and %d problems reported before stopping", r.calls, len(res.Problems))
	}
	// Per-file refusals do not stop a pass.
	long := &rejectingRemote{MemRemote: syncertest.NewMemRemote()}
	e2 := newEngine(t, long, syncer.Options{Transfers: 1})
	res2, err := e2.RunPass(context.Background(), pairFor(local), syncer.PassOptions{})
	if err != nil || len(res2.Problems) != 100 {
		t.Errorf("name refusals: err %v, %d problems; want the pass to finish with 100 problems", err, len(res2.Problems))
	}
}

type rejectingRemote struct{ *syncertest.MemRemote }

func (rejectingRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	return syncer.UploadResult{}, fmt.Errorf("upload %s: %w", path, syncer.ErrNameRejected)
}

// touchingRemote rewrites a local file while the engine uploads it.
type touchingRemote struct {
	*syncertest.MemRemote
	touch func()
}

func (r *touchingRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	res, err := r.MemRemote.Upload(ctx, path, src, meta)
	if r.touch != nil {
		r.touch()
		r.touch = nil
	}
	return res, err
}

func TestModifiedDuringUploadIsRetried(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "doc.txt", []byte("version one"))
	r := &touchingRemote{MemRemote: syncertest.NewMemRemote()}
	r.touch = func() { writeFile(t, local, "doc.txt", []byte("version two, longer")) }
	e := newEngine(t, r, syncer.Options{})
	p := pairFor(local)
	first := pass(t, e, p, syncer.PassOptions{})
	assertProblem(t, first, "doc.txt", "changed while")
	second := pass(t, e, p, syncer.PassOptions{})
	if second.Counters.FilesHashed != 1 || second.Counters.FilesUploaded != 1 {
		t.Errorf("second pass %+v, want the file rehashed and uploaded", second.Counters)
	}
	if remoteFiles(t, r.MemRemote)["doc.txt"] != md5hex([]byte("version two, longer")) {
		t.Error("remote does not hold the current version")
	}
}

// folderRecorder records EnsureFolder calls and refuses uploads below
// failBelow.
type folderRecorder struct {
	*syncertest.MemRemote
	mu        sync.Mutex
	ensured   []string
	failBelow string
}

func (f *folderRecorder) EnsureFolder(ctx context.Context, path string) ([]string, error) {
	f.mu.Lock()
	f.ensured = append(f.ensured, strings.TrimPrefix(path, testRemote+"/"))
	f.mu.Unlock()
	return f.MemRemote.EnsureFolder(ctx, path)
}

func (f *folderRecorder) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	if f.failBelow != "" && strings.HasPrefix(path, testRemote+"/"+f.failBelow+"/") {
		return syncer.UploadResult{}, errors.New("503 service unavailable")
	}
	return f.MemRemote.Upload(ctx, path, src, meta)
}

// TestFoldersMadeByUploads: a new folder that receives a file costs no
// request of its own (the upload creates it); an empty one, or one whose
// every upload failed, is created explicitly. All count as created.
func TestFoldersMadeByUploads(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "a/b/one.txt", []byte("one"))
	writeFile(t, local, "a/two.txt", []byte("two"))
	writeFile(t, local, "broken/three.txt", []byte("three"))
	if err := os.MkdirAll(filepath.Join(local, "empty", "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	mem := syncertest.NewMemRemote()
	if _, err := mem.EnsureFolder(context.Background(), testRemote); err != nil {
		t.Fatal(err)
	}
	r := &folderRecorder{MemRemote: mem, failBelow: "broken"}
	e := newEngine(t, r, syncer.Options{})
	res, err := e.RunPass(context.Background(), pairFor(local), syncer.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(r.ensured)
	// The plan names the deepest new folders (creating one makes its
	// parents): a/b, broken and empty/inner.
	if want := []string{"broken", "empty/inner"}; !slices.Equal(r.ensured, want) {
		t.Errorf("folders created one by one: %v, want %v", r.ensured, want)
	}
	if res.Counters.FoldersCreated != 3 {
		t.Errorf("%d folders counted as created, want 3 (a/b, broken, empty/inner)", res.Counters.FoldersCreated)
	}
	got := map[string]bool{}
	_ = mem.List(context.Background(), testRemote, func(en syncer.Entry) error {
		got[en.Path] = en.Dir
		return nil
	})
	for _, d := range []string{"a", "a/b", "broken", "empty", "empty/inner"} {
		if !got[d] {
			t.Errorf("folder %s missing on the server: %v", d, got)
		}
	}
}
