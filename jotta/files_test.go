package jotta_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
	"jottacloudclient/jotta/emulator"
)

func names(d *jotta.Dir) (folders, files []string) {
	for _, f := range d.Folders {
		folders = append(folders, f.Name)
	}
	for _, f := range d.Files {
		files = append(files, f.Name)
	}
	sort.Strings(folders)
	sort.Strings(files)
	return folders, files
}

func TestDevicesAndMountPoints(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	if err := e.client.CreateDevice(ctx, "laptop-1", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.client.CreateDevice(ctx, "laptop-1", ""); err != nil {
		t.Fatalf("creating an existing device: %v", err)
	}
	for _, mp := range []string{"Documents", "Photos", "Documents"} {
		if err := e.client.CreateMountPoint(ctx, "laptop-1", mp); err != nil {
			t.Fatalf("mount point %s: %v", mp, err)
		}
	}
	devs, err := e.client.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found *api.Device
	for i := range devs {
		if devs[i].Name == "laptop-1" {
			found = &devs[i]
		}
	}
	if found == nil || found.Type != jotta.DeviceWorkstation {
		t.Fatalf("device not listed: %+v", devs)
	}
	d, err := e.client.Device(ctx, "laptop-1")
	if err != nil {
		t.Fatal(err)
	}
	var mps []string
	for _, mp := range d.MountPoints {
		mps = append(mps, mp.Name)
	}
	sort.Strings(mps)
	if strings.Join(mps, ",") != "Documents,Photos" {
		t.Errorf("mount points %v", mps)
	}
	e.upload(t, "/laptop-1/Documents/a.txt", []byte("x"))
	dir, err := e.client.List(ctx, "/laptop-1/Documents", jotta.ListOptions{})
	if err != nil || dir.Kind != api.KindMountPoint || len(dir.Files) != 1 {
		t.Fatalf("mount point listing %+v %v", dir, err)
	}
	if _, err := e.client.Device(ctx, "no-such-device"); !errors.Is(err, jotta.ErrNotExist) {
		t.Errorf("missing device: %v", err)
	}
}

func TestListingFilters(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	e.upload(t, "/Jotta/Archive/f/live.txt", []byte("live"))
	e.upload(t, "/Jotta/Archive/f/trashed.txt", []byte("trashed"))
	e.upload(t, "/Jotta/Archive/f/gone/x.txt", []byte("x"))
	if err := e.client.Mkdir(ctx, "/Jotta/Archive/f/empty"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.TrashFile(ctx, "/Jotta/Archive/f/trashed.txt"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.TrashDir(ctx, "/Jotta/Archive/f/gone"); err != nil {
		t.Fatal(err)
	}
	// An upload broken off before completion leaves an INCOMPLETE file.
	e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointUpload, DropAfterBytes: 3, Times: 1})
	data := []byte("incomplete content")
	_, err := e.client.Upload(ctx, "/Jotta/Archive/f/partial.txt", bytes.NewReader(data), jotta.UploadMeta{Size: int64(len(data)), MD5: md5hex(data), Created: t0, Modified: t0}, jotta.UploadOptions{MaxAttempts: 1})
	if err == nil {
		t.Fatal("upload with a dropped connection and one attempt succeeded")
	}
	cases := []struct {
		name    string
		opts    jotta.ListOptions
		folders []string
		files   []string
	}{
		{"default: live only", jotta.ListOptions{}, []string{"empty"}, []string{"live.txt"}},
		{"with trash", jotta.ListOptions{IncludeDeleted: true}, []string{"empty", "gone"}, []string{"live.txt", "trashed.txt"}},
		{"with incomplete", jotta.ListOptions{IncludeIncomplete: true}, []string{"empty"}, []string{"live.txt", "partial.txt"}},
		{"everything", jotta.ListOptions{IncludeDeleted: true, IncludeIncomplete: true}, []string{"empty", "gone"}, []string{"live.txt", "partial.txt", "trashed.txt"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := e.client.List(ctx, "/Jotta/Archive/f", c.opts)
			if err != nil {
				t.Fatal(err)
			}
			folders, files := names(d)
			if !slices.Equal(folders, c.folders) || !slices.Equal(files, c.files) {
				t.Errorf("folders %v files %v, want %v %v", folders, files, c.folders, c.files)
			}
		})
	}
	t.Run("stat of trashed file", func(t *testing.T) {
		if _, err := e.client.Stat(ctx, "/Jotta/Archive/f/trashed.txt", jotta.ListOptions{}); !errors.Is(err, jotta.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
		ent, err := e.client.Stat(ctx, "/Jotta/Archive/f/trashed.txt", jotta.ListOptions{IncludeDeleted: true})
		if err != nil || !ent.IsDeleted() {
			t.Errorf("with IncludeDeleted: %v deleted=%v", err, ent != nil && ent.IsDeleted())
		}
	})
	t.Run("stat of trashed folder", func(t *testing.T) {
		if _, err := e.client.List(ctx, "/Jotta/Archive/f/gone", jotta.ListOptions{}); !errors.Is(err, jotta.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("incomplete file", func(t *testing.T) {
		if _, err := e.client.File(ctx, "/Jotta/Archive/f/partial.txt"); !errors.Is(err, jotta.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
		revs, err := e.client.Revisions(ctx, "/Jotta/Archive/f/partial.txt")
		if err != nil || len(revs) != 1 || revs[0].State != api.StateIncomplete {
			t.Errorf("revisions %+v %v", revs, err)
		}
	})
	t.Run("list a file", func(t *testing.T) {
		if _, err := e.client.List(ctx, "/Jotta/Archive/f/live.txt", jotta.ListOptions{}); !errors.Is(err, jotta.ErrNotDir) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestRevisionsAndDownload(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	const p = "/Jotta/Archive/doc/report+final (1).txt"
	v1 := []byte("first version")
	v2 := randomBytes(100_000, 2)
	r1 := e.upload(t, p, v1)
	r2 := e.upload(t, p, v2)
	if r1.MD5 != md5hex(v1) || r2.MD5 != md5hex(v2) || r2.Size != int64(len(v2)) || r2.ConfirmedBy != jotta.ConfirmedByReply {
		t.Fatalf("second upload %+v after %+v", r2, r1)
	}
	revs, err := e.client.Revisions(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[0].MD5 != md5hex(v2) || revs[1].MD5 != md5hex(v1) {
		t.Fatalf("revisions %+v", revs)
	}
	f, err := e.client.File(ctx, p)
	if err != nil || f.Name != "report+final (1).txt" || !f.CurrentRevision.Modified.Equal(t0) {
		t.Fatalf("file %+v %v", f, err)
	}
	cases := []struct {
		name           string
		offset, length int64
		want           []byte
	}{
		{"whole", 0, -1, v2},
		{"prefix", 0, 10, v2[:10]},
		{"middle", 500, 1000, v2[500:1500]},
		{"tail", 99_000, -1, v2[99_000:]},
		{"empty", 10, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc, err := e.client.Download(ctx, p, c.offset, c.length)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil || !bytes.Equal(got, c.want) {
				t.Errorf("got %d bytes (err %v), want %d", len(got), err, len(c.want))
			}
		})
	}
	t.Run("range past the end", func(t *testing.T) {
		_, err := e.client.Download(ctx, p, 200_000, 10)
		var je *jotta.Error
		if !errors.As(err, &je) || je.StatusCode != http.StatusRequestedRangeNotSatisfiable {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := e.client.Download(ctx, "/Jotta/Archive/doc/nope.txt", 0, -1)
		if !errors.Is(err, jotta.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestDeduplication(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := randomBytes(50_000, 3)
	first := e.upload(t, "/Jotta/Archive/one.bin", data)
	if first.Deduplicated || first.BytesSent != int64(len(data)) {
		t.Fatalf("first upload %+v", first)
	}
	before := e.em.Stats().UploadBytes
	for _, p := range []string{"/Jotta/Archive/one.bin", "/Jotta/Archive/copy/two.bin"} {
		res := e.upload(t, p, data)
		if !res.Deduplicated || res.BytesSent != 0 || res.MD5 != md5hex(data) {
			t.Errorf("%s: %+v", p, res)
		}
	}
	if after := e.em.Stats().UploadBytes; after != before {
		t.Errorf("deduplicated uploads sent %d bytes", after-before)
	}
}

func TestMutations(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	data := []byte("content")
	e.upload(t, "/Jotta/Archive/m/a.txt", data)
	e.upload(t, "/Jotta/Archive/m/dir/b.txt", []byte("b"))
	live := func(p string) bool {
		_, err := e.client.Stat(ctx, p, jotta.ListOptions{})
		if err != nil && !errors.Is(err, jotta.ErrNotExist) {
			t.Fatalf("stat %s: %v", p, err)
		}
		return err == nil
	}
	steps := []struct {
		name     string
		do       func() error
		exist    []string
		notExist []string
	}{
		{"mkdir nested", func() error { return e.client.Mkdir(ctx, "/Jotta/Archive/m/x/y/z") },
			[]string{"/Jotta/Archive/m/x/y/z"}, nil},
		{"mkdir again", func() error { return e.client.Mkdir(ctx, "/Jotta/Archive/m/x/y/z") },
			[]string{"/Jotta/Archive/m/x/y/z"}, nil},
		{"move file into a new folder", func() error { return e.client.MoveFile(ctx, "/Jotta/Archive/m/a.txt", "/Jotta/Archive/m/new/a+b.txt") },
			[]string{"/Jotta/Archive/m/new/a+b.txt"}, []string{"/Jotta/Archive/m/a.txt"}},
		{"copy file", func() error {
			return e.client.CopyFile(ctx, "/Jotta/Archive/m/new/a+b.txt", "/Jotta/Archive/m/copy.txt")
		},
			[]string{"/Jotta/Archive/m/new/a+b.txt", "/Jotta/Archive/m/copy.txt"}, nil},
		{"move folder", func() error { return e.client.MoveDir(ctx, "/Jotta/Archive/m/dir", "/Jotta/Archive/m/renamed dir") },
			[]string{"/Jotta/Archive/m/renamed dir/b.txt"}, []string{"/Jotta/Archive/m/dir"}},
		{"trash file", func() error { return e.client.TrashFile(ctx, "/Jotta/Archive/m/copy.txt") },
			nil, []string{"/Jotta/Archive/m/copy.txt"}},
		{"trash folder", func() error { return e.client.TrashDir(ctx, "/Jotta/Archive/m/x") },
			nil, []string{"/Jotta/Archive/m/x", "/Jotta/Archive/m/x/y/z"}},
		{"delete file", func() error { return e.client.DeleteFile(ctx, "/Jotta/Archive/m/new/a+b.txt") },
			nil, []string{"/Jotta/Archive/m/new/a+b.txt"}},
		{"delete folder", func() error { return e.client.DeleteDir(ctx, "/Jotta/Archive/m/renamed dir") },
			nil, []string{"/Jotta/Archive/m/renamed dir"}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		for _, p := range s.exist {
			if !live(p) {
				t.Errorf("%s: %s missing", s.name, p)
			}
		}
		for _, p := range s.notExist {
			if live(p) {
				t.Errorf("%s: %s still there", s.name, p)
			}
		}
	}
	t.Run("permanently deleted is gone even from the trash view", func(t *testing.T) {
		_, err := e.client.Stat(ctx, "/Jotta/Archive/m/new/a+b.txt", jotta.ListOptions{IncludeDeleted: true, IncludeIncomplete: true})
		if !errors.Is(err, jotta.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("delete missing", func(t *testing.T) {
		err := e.client.DeleteFile(ctx, "/Jotta/Archive/m/never.txt")
		if !errors.Is(err, jotta.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("trash listing and purge", func(t *testing.T) {
		tr, err := e.client.ListTrash(ctx)
		if err != nil {
			t.Fatal(err)
		}
		folders, files := names(tr)
		if !slices.Contains(files, "copy.txt") || !slices.Contains(folders, "x") {
			t.Fatalf("trash holds folders %v files %v", folders, files)
		}
		for _, f := range tr.Files {
			if !f.IsDeleted() {
				t.Errorf("trash entry %s without deleted time", f.Name)
			}
			if f.Name == "copy.txt" {
				if from := e.client.UserPath(ctx, f.AbsPath); from != "/Jotta/Archive/m" {
					t.Errorf("copy.txt came from %q (abspath %q), want /Jotta/Archive/m", from, f.AbsPath)
				}
			}
		}
		n, err := e.client.PurgeTrash(ctx)
		if err != nil || n.Files+n.Folders == 0 {
			t.Fatalf("purge %+v %v", n, err)
		}
		tr, err = e.client.ListTrash(ctx)
		if err != nil || len(tr.Files)+len(tr.Folders) != 0 {
			t.Errorf("trash after purge: %+v %v", tr, err)
		}
	})
	t.Run("cphash", func(t *testing.T) {
		e.upload(t, "/Jotta/Archive/m/src.txt", data)
		f, err := e.client.CopyHash(ctx, "/Jotta/Archive/m/hashed.txt", md5hex(data), int64(len(data)), t0, t0)
		if err != nil || f.CurrentRevision.MD5 != md5hex(data) {
			t.Fatalf("cphash of known content: %+v %v", f, err)
		}
		unknown := []byte("never uploaded")
		_, err = e.client.CopyHash(ctx, "/Jotta/Archive/m/unknown.txt", md5hex(unknown), int64(len(unknown)), t0, t0)
		if !errors.Is(err, jotta.ErrNotExist) {
			t.Errorf("cphash of unknown content: %v", err)
		}
	})
}

func TestNameErrorsBeforeAnyRequest(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	if _, err := e.client.Username(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		bad  string
		want error
	}{
		{"too long", "/Jotta/Archive/" + strings.Repeat("n", 256), strings.Repeat("n", 256), api.ErrNameTooLong},
		{"invalid utf-8", "/Jotta/Archive/a/b\xfe.txt", "b\xfe.txt", api.ErrNameInvalidUTF8},
		{"dot", "/Jotta/Archive/./x", ".", api.ErrNameDot},
		{"dotdot", "/Jotta/Archive/../x", "..", api.ErrNameDot},
		{"empty segment", "/Jotta/Archive//x", "", api.ErrNameEmpty},
		{"empty path", "", "", api.ErrNameEmpty},
	}
	before := total(e.em.Stats().Requests)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ops := map[string]error{
				"upload": func() error {
					_, err := e.client.Upload(ctx, c.path, bytes.NewReader(nil), jotta.UploadMeta{Size: 0, Created: t0, Modified: t0}, jotta.UploadOptions{})
					return err
				}(),
				"stat":  func() error { _, err := e.client.Stat(ctx, c.path, jotta.ListOptions{}); return err }(),
				"mkdir": e.client.Mkdir(ctx, c.path),
				"move":  e.client.MoveFile(ctx, "/Jotta/Archive/ok.txt", c.path),
			}
			for op, err := range ops {
				var ne *jotta.NameError
				if !errors.As(err, &ne) || ne.Name != c.bad || !errors.Is(err, c.want) {
					t.Errorf("%s: err = %v", op, err)
				}
			}
		})
	}
	if after := total(e.em.Stats().Requests); after != before {
		t.Errorf("bad names caused %d requests", after-before)
	}
}

func total(m map[emulator.Endpoint]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func TestErrorDetails(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	_, err := e.client.Stat(context.Background(), "/Jotta/Archive/missing/file.txt", jotta.ListOptions{})
	var je *jotta.Error
	if !errors.As(err, &je) {
		t.Fatalf("err = %v", err)
	}
	if je.StatusCode != 404 || !strings.HasSuffix(je.Exception, "Exception") || strings.Contains(je.Exception, ".") {
		t.Errorf("error %+v", je)
	}
	var oe *jotta.OpError
	if !errors.As(err, &oe) || oe.Op != "stat" || oe.Path != "/Jotta/Archive/missing/file.txt" {
		t.Errorf("op context missing: %v", err)
	}
	if !strings.Contains(err.Error(), "/Jotta/Archive/missing/file.txt") {
		t.Errorf("message lacks the path: %v", err)
	}
}

func TestEmptyFile(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	res := e.upload(t, "/Jotta/Archive/empty.txt", nil)
	if res.MD5 != "d41d8cd98f00b204e9800998ecf8427e" || res.Size != 0 || res.BytesSent != 0 {
		t.Errorf("result %+v", res)
	}
	rc, err := e.client.Download(context.Background(), "/Jotta/Archive/empty.txt", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, err := io.ReadAll(rc); err != nil || len(b) != 0 {
		t.Errorf("download %q %v", b, err)
	}
}

// TestStatOfAVirtualView: the built-in device's Latest and Links answer
// with a <searchresult>; Stat says that is not a folder instead of
// failing on an unknown reply.
func TestStatOfAVirtualView(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	for _, p := range []string{"/Jotta/Latest", "/Jotta/Links"} {
		_, err := e.client.Stat(context.Background(), p, jotta.ListOptions{})
		if !errors.Is(err, jotta.ErrNotDir) || !strings.Contains(err.Error(), "JottaCloud computes") {
			t.Errorf("stat %s: %v, want ErrNotDir saying it is a computed list", p, err)
		}
	}
}

// TestOlderRevisionsAndTrash downloads what a restore needs besides the
// current version: an older revision by number, a trashed file, and a
// resumed range of an older revision; the server's clock stamps each
// revision and the trash mark, and it counts the bytes it sends.
func TestOlderRevisionsAndTrash(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	day := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := day
	e.em.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	setNow := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	const p = "/Jotta/Archive/docs/plan.txt"
	v1, v2 := randomBytes(5000, 7), []byte("second")
	e.upload(t, p, v1)
	setNow(day.Add(24 * time.Hour))
	e.upload(t, p, v2)
	setNow(day.Add(48 * time.Hour))
	if err := e.client.TrashFile(ctx, p); err != nil {
		t.Fatal(err)
	}
	revs, err := e.client.Revisions(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || !revs[0].Updated.Equal(day.Add(24*time.Hour)) || !revs[1].Updated.Equal(day) {
		t.Fatalf("revisions %+v", revs)
	}
	st, err := e.client.Stat(ctx, p, jotta.ListOptions{IncludeDeleted: true})
	if err != nil || !st.AsFile().Deleted.Equal(day.Add(48*time.Hour)) {
		t.Fatalf("trashed file %+v %v", st, err)
	}
	e.em.ResetStats()
	cases := []struct {
		name           string
		rev            int
		offset, length int64
		want           []byte
	}{
		{"current of a trashed file", 0, 0, -1, v2},
		{"older revision", revs[1].Number, 0, -1, v1},
		{"older revision from an offset", revs[1].Number, 4000, -1, v1[4000:]},
	}
	var sent int64
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc, err := e.client.DownloadRevision(ctx, p, c.rev, c.offset, c.length)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil || !bytes.Equal(got, c.want) {
				t.Errorf("got %d bytes (err %v), want %d", len(got), err, len(c.want))
			}
			sent += int64(len(c.want))
		})
	}
	if got := e.em.Stats().DownloadBytes; got != sent {
		t.Errorf("server counted %d bytes sent, want %d", got, sent)
	}
	t.Run("revision that is not kept", func(t *testing.T) {
		_, err := e.client.DownloadRevision(ctx, p, 99, 0, -1)
		if !errors.Is(err, jotta.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
}
