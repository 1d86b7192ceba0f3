package syncertest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"jottacloudclient/syncer"
)

// Harness is one fresh remote for the conformance suite.
type Harness struct {
	// Remote under test; the account may already hold other devices.
	Remote syncer.Remote
	// Base is "/<device>/<mountpoint>" for the suite to use; it need not
	// exist yet (the suite checks that EnsureFolder creates it).
	Base string
	// CutNextUpload, when set, arms a fault: the next upload that sends
	// bytes is interrupted after afterBytes bytes. The resume case is
	// skipped without it.
	CutNextUpload func(afterBytes int64)
	// Trashed, when set, reports whether a path is in the server's trash;
	// it lets the suite check that Trash is not a permanent delete.
	Trashed func(path string) bool
}

// RunRemoteTests checks that a Remote behaves as the engine expects.
// newHarness is called once per subtest and must return an independent
// remote (or at least an unused Base).
func RunRemoteTests(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"EnsureFolderCreatesDeviceMountPointAndFolders", testEnsureFolder},
		{"ListMissingRootIsNotExist", testListMissing},
		{"UploadThenListOnce", testUploadList},
		{"EmptyFile", testEmptyFile},
		{"NamesAreCaseInsensitive", testCaseInsensitive},
		{"LongNameRejected", testLongName},
		{"DedupSendsNoBytes", testDedup},
		{"ResumeAfterCut", testResume},
		{"TrashIsNotPermanent", testTrash},
		{"MoveFile", testMoveFile},
		{"MoveFolder", testMoveFolder},
		{"MoveErrors", testMoveErrors},
		{"MoveAsideFreesTheName", testMoveAside},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newHarness(t)) })
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func sum(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func put(t *testing.T, h Harness, path string, data []byte) syncer.UploadResult {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	res, err := h.Remote.Upload(ctxT(t), path, bytes.NewReader(data), syncer.FileMeta{Size: int64(len(data)), MD5: sum(data), Created: now, Modified: now})
	if err != nil {
		t.Fatalf("upload %s: %v", path, err)
	}
	if res.MD5 != sum(data) || res.Size != int64(len(data)) {
		t.Fatalf("upload %s: server confirmed md5 %s size %d, want %s %d", path, res.MD5, res.Size, sum(data), len(data))
	}
	return res
}

func list(t *testing.T, h Harness, root string) map[string]syncer.Entry {
	t.Helper()
	out := map[string]syncer.Entry{}
	err := h.Remote.List(ctxT(t), root, func(e syncer.Entry) error {
		if _, dup := out[e.Path]; dup {
			return fmt.Errorf("listed %q twice", e.Path)
		}
		out[e.Path] = e
		return nil
	})
	if err != nil {
		t.Fatalf("list %s: %v", root, err)
	}
	return out
}

func folder(t *testing.T, h Harness, name string) string {
	t.Helper()
	p := h.Base + "/" + name
	if _, err := h.Remote.EnsureFolder(ctxT(t), p); err != nil {
		t.Fatalf("ensure %s: %v", p, err)
	}
	return p
}

func testEnsureFolder(t *testing.T, h Harness) {
	p := h.Base + "/top/inner"
	created, err := h.Remote.EnsureFolder(ctxT(t), p)
	if err != nil {
		t.Fatalf("ensure: %v", err)
	}
	if len(created) == 0 || created[len(created)-1] != p {
		t.Fatalf("created = %v, want it to end with %s", created, p)
	}
	again, err := h.Remote.EnsureFolder(ctxT(t), p)
	if err != nil {
		t.Fatalf("ensure again: %v", err)
	}
	if len(again) != 0 {
		t.Errorf("second ensure created %v, want nothing", again)
	}
	got := list(t, h, h.Base+"/top")
	if e, ok := got["inner"]; !ok || !e.Dir {
		t.Errorf("listing of top = %v, want folder inner", got)
	}
}

func testListMissing(t *testing.T, h Harness) {
	folder(t, h, "exists")
	err := h.Remote.List(ctxT(t), h.Base+"/does-not-exist", func(syncer.Entry) error { return nil })
	if !errors.Is(err, syncer.ErrNotExist) {
		t.Fatalf("list of a missing folder: %v, want ErrNotExist", err)
	}
}

func testUploadList(t *testing.T, h Harness) {
	root := folder(t, h, "list")
	files := map[string][]byte{
		"a.txt":              []byte("alpha"),
		"sub/b.txt":          []byte("bravo bravo"),
		"sub/deep/c.md":      bytes.Repeat([]byte("c"), 70000),
		"sub/æøå é.txt":      []byte("unicode"),
		"sub/plus+semi;.txt": []byte("odd characters"),
	}
	for p, d := range files {
		put(t, h, root+"/"+p, d)
	}
	got := list(t, h, root)
	for p, d := range files {
		e, ok := got[p]
		if !ok {
			t.Errorf("%s missing from listing %v", p, keys(got))
			continue
		}
		if e.Dir || e.Size != int64(len(d)) || !strings.EqualFold(e.MD5, sum(d)) {
			t.Errorf("%s listed as %+v, want size %d md5 %s", p, e, len(d), sum(d))
		}
	}
	for _, d := range []string{"sub", "sub/deep"} {
		if e, ok := got[d]; !ok || !e.Dir {
			t.Errorf("folder %s missing from listing %v", d, keys(got))
		}
	}
}

func testEmptyFile(t *testing.T, h Harness) {
	root := folder(t, h, "empty")
	put(t, h, root+"/zero", nil)
	got := list(t, h, root)
	if e, ok := got["zero"]; !ok || e.Size != 0 || e.MD5 != sum(nil) {
		t.Fatalf("zero-byte file listed as %+v (present %v)", e, ok)
	}
}

func testCaseInsensitive(t *testing.T, h Harness) {
	root := folder(t, h, "case")
	put(t, h, root+"/Hello.txt", []byte("first"))
	put(t, h, root+"/hello.TXT", []byte("second version"))
	got := list(t, h, root)
	if len(got) != 1 {
		t.Fatalf("listing %v, want one file: names differing in case are the same file", keys(got))
	}
	for p, e := range got {
		if !strings.EqualFold(p, "hello.txt") || e.MD5 != sum([]byte("second version")) {
			t.Errorf("listed %s %+v, want hello.txt with the second content", p, e)
		}
	}
}

func testLongName(t *testing.T, h Harness) {
	root := folder(t, h, "long")
	ok := strings.Repeat("n", 255)
	put(t, h, root+"/"+ok, []byte("fits"))
	long := strings.Repeat("n", 256)
	_, err := h.Remote.Upload(ctxT(t), root+"/"+long, bytes.NewReader([]byte("x")), syncer.FileMeta{Size: 1, MD5: sum([]byte("x"))})
	if !errors.Is(err, syncer.ErrNameRejected) {
		t.Fatalf("256-byte name: %v, want ErrNameRejected", err)
	}
}

func testDedup(t *testing.T, h Harness) {
	root := folder(t, h, "dedup")
	data := bytes.Repeat([]byte("dedup me "), 4000)
	first := put(t, h, root+"/one", data)
	if first.BytesSent != int64(len(data)) && !first.Deduplicated {
		t.Errorf("first upload sent %d of %d bytes without dedup", first.BytesSent, len(data))
	}
	second := put(t, h, root+"/two", data)
	if !second.Deduplicated || second.BytesSent != 0 {
		t.Errorf("same content elsewhere: %+v, want deduplicated with 0 bytes sent", second)
	}
	again := put(t, h, root+"/one", data)
	if again.BytesSent != 0 {
		t.Errorf("same content at the same path sent %d bytes, want 0", again.BytesSent)
	}
}

func testResume(t *testing.T, h Harness) {
	if h.CutNextUpload == nil {
		t.Skip("harness cannot interrupt uploads")
	}
	root := folder(t, h, "resume")
	data := make([]byte, 300000)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	const cut = 100000
	h.CutNextUpload(cut)
	_, err := h.Remote.Upload(ctxT(t), root+"/big", bytes.NewReader(data), syncer.FileMeta{Size: int64(len(data)), MD5: sum(data)})
	if err == nil {
		t.Fatal("interrupted upload reported success")
	}
	if _, ok := list(t, h, root)["big"]; ok {
		t.Fatal("an incomplete upload is listed as a file")
	}
	res := put(t, h, root+"/big", data)
	if res.BytesSent != int64(len(data)-cut) {
		t.Errorf("resumed upload sent %d bytes, want the remaining %d", res.BytesSent, len(data)-cut)
	}
}

func testTrash(t *testing.T, h Harness) {
	root := folder(t, h, "trash")
	put(t, h, root+"/keep", []byte("keep"))
	put(t, h, root+"/gone", []byte("gone"))
	put(t, h, root+"/dir/inner", []byte("inner"))
	ctx := ctxT(t)
	if err := h.Remote.Trash(ctx, root+"/gone", false); err != nil {
		t.Fatalf("trash file: %v", err)
	}
	if err := h.Remote.Trash(ctx, root+"/dir", true); err != nil {
		t.Fatalf("trash folder: %v", err)
	}
	got := list(t, h, root)
	if _, ok := got["keep"]; !ok {
		t.Errorf("untouched file missing: %v", keys(got))
	}
	for _, p := range []string{"gone", "dir", "dir/inner"} {
		if _, ok := got[p]; ok {
			t.Errorf("trashed %s still listed", p)
		}
	}
	if h.Trashed != nil {
		for _, p := range []string{"/gone", "/dir/inner"} {
			if !h.Trashed(root + p) {
				t.Errorf("%s is not in the trash", p)
			}
		}
	}
	put(t, h, root+"/gone", []byte("back again"))
	if e, ok := list(t, h, root)["gone"]; !ok || e.MD5 != sum([]byte("back again")) {
		t.Errorf("upload to a trashed path did not bring it back: %+v", e)
	}
}

func testMoveFile(t *testing.T, h Harness) {
	root := folder(t, h, "movefile")
	folder(t, h, "movefile/to")
	put(t, h, root+"/from.txt", []byte("moving"))
	if err := h.Remote.Move(ctxT(t), root+"/from.txt", root+"/to/renamed.txt", false); err != nil {
		t.Fatalf("move: %v", err)
	}
	got := list(t, h, root)
	if _, ok := got["from.txt"]; ok {
		t.Error("source still listed after move")
	}
	if e, ok := got["to/renamed.txt"]; !ok || e.MD5 != sum([]byte("moving")) {
		t.Errorf("destination listed as %+v (present %v)", e, ok)
	}
}

func testMoveFolder(t *testing.T, h Harness) {
	root := folder(t, h, "movedir")
	put(t, h, root+"/old/a", []byte("a"))
	put(t, h, root+"/old/sub/b", []byte("b"))
	if err := h.Remote.Move(ctxT(t), root+"/old", root+"/new", true); err != nil {
		t.Fatalf("move folder: %v", err)
	}
	got := list(t, h, root)
	for _, p := range []string{"new/a", "new/sub/b"} {
		if _, ok := got[p]; !ok {
			t.Errorf("%s missing after folder move: %v", p, keys(got))
		}
	}
	if _, ok := got["old"]; ok {
		t.Error("old folder still listed")
	}
}

// testMoveAside: an item moved aside leaves its name free for an item of
// the other kind (a folder where a file was, and a file where a folder was).
func testMoveAside(t *testing.T, h Harness) {
	root := folder(t, h, "moveaside")
	ctx := ctxT(t)
	put(t, h, root+"/notes", []byte("a file"))
	put(t, h, root+"/pics/a", []byte("a"))
	if err := h.Remote.MoveAside(ctx, root+"/notes", root+"/notes (old)", false); err != nil {
		t.Fatalf("move a file aside: %v", err)
	}
	if err := h.Remote.MoveAside(ctx, root+"/pics", root+"/pics (old)", true); err != nil {
		t.Fatalf("move a folder aside: %v", err)
	}
	put(t, h, root+"/notes/inside.txt", []byte("now a folder"))
	put(t, h, root+"/pics", []byte("now a file"))
	got := list(t, h, root)
	for p, want := range map[string]string{
		"notes (old)": "a file", "pics (old)/a": "a", "notes/inside.txt": "now a folder", "pics": "now a file",
	} {
		if e, ok := got[p]; !ok || e.MD5 != sum([]byte(want)) {
			t.Errorf("%s listed as %+v (present %v); listing %v", p, e, ok, keys(got))
		}
	}
}

func testMoveErrors(t *testing.T, h Harness) {
	root := folder(t, h, "moveerr")
	put(t, h, root+"/a", []byte("a"))
	put(t, h, root+"/b", []byte("b"))
	ctx := ctxT(t)
	if err := h.Remote.Move(ctx, root+"/missing", root+"/c", false); !errors.Is(err, syncer.ErrNotExist) {
		t.Errorf("move of a missing file: %v, want ErrNotExist", err)
	}
	if err := h.Remote.Move(ctx, root+"/a", root+"/b", false); !errors.Is(err, syncer.ErrExist) {
		t.Errorf("move onto an existing file: %v, want ErrExist", err)
	}
	if e, ok := list(t, h, root)["b"]; !ok || e.MD5 != sum([]byte("b")) {
		t.Errorf("refused move changed the destination: %+v", e)
	}
}

func keys(m map[string]syncer.Entry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
