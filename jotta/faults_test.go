package jotta_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
	"jottacloudclient/jotta/emulator"
)

// TestUploadResumesAfterDrop: a 10 MiB upload whose connection drops at
// 40 % is finished by the next round, which sends only the rest.
func TestUploadResumesAfterDrop(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	const size = 10 << 20
	const cut = size * 4 / 10
	data := randomBytes(size, 10)
	e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointUpload, DropAfterBytes: cut, Times: 1})
	var progressed int64
	// WrapReader runs once per round: note what the server holds when the
	// second round starts.
	var rounds int
	var heldAtResume int64
	wrap := func(ctx context.Context, r io.Reader) io.Reader {
		rounds++
		if rounds == 2 {
			heldAtResume = e.em.Stats().UploadBytes
		}
		return r
	}
	res, err := e.client.Upload(context.Background(), "/Jotta/Archive/big.bin", bytes.NewReader(data), jotta.UploadMeta{Size: size, MD5: md5hex(data), Created: t0, Modified: t0}, jotta.UploadOptions{Progress: func(n int64) { progressed += n }, WrapReader: wrap})
	if err != nil {
		t.Fatal(err)
	}
	st := e.em.Stats()
	if heldAtResume != cut {
		t.Errorf("the server had received %d bytes when the second round began, want %d", heldAtResume, cut)
	}
	if second := st.UploadBytes - heldAtResume; second != size-cut {
		t.Errorf("the second round sent %d bytes; it must send only the remaining %d", second, size-cut)
	}
	if res.Attempts != 2 || res.Deduplicated || res.MD5 != md5hex(data) || res.Size != size {
		t.Errorf("result %+v", res)
	}
	if res.BytesSent < size || progressed != res.BytesSent {
		t.Errorf("bytes sent %d, progress %d", res.BytesSent, progressed)
	}
	if st.Requests[emulator.EndpointAllocate] != 2 {
		t.Errorf("%d allocations, want 2", st.Requests[emulator.EndpointAllocate])
	}
	downloadEquals(t, e.client, "/Jotta/Archive/big.bin", data)
}

func downloadEquals(t *testing.T, c *jotta.Client, p string, want []byte) {
	t.Helper()
	rc, err := c.Download(context.Background(), p, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("download of %s: %d bytes, err %v; want %d identical bytes", p, len(got), err, len(want))
	}
}

// TestTransientFailuresInvisible: two 503s then success, on every kind
// of call, look like plain success to the caller.
func TestTransientFailuresInvisible(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	data := []byte("retry me")
	e.upload(t, "/Jotta/Archive/r/seed.txt", data)
	cases := []struct {
		name     string
		endpoint emulator.Endpoint
		status   int
		call     func() error
	}{
		{"listing 503", emulator.EndpointJFSGet, 503, func() error {
			_, err := e.client.List(ctx, "/Jotta/Archive/r", jotta.ListOptions{})
			return err
		}},
		{"liststream 502", emulator.EndpointListStream, 502, func() error {
			_, err := e.client.ListStream(ctx, "/Jotta/Archive/r", func(*api.ListEntry) error { return nil })
			return err
		}},
		{"download 504", emulator.EndpointDownload, 504, func() error {
			rc, err := e.client.Download(ctx, "/Jotta/Archive/r/seed.txt", 0, -1)
			if err == nil {
				rc.Close()
			}
			return err
		}},
		{"allocate 503", emulator.EndpointAllocate, 503, func() error {
			_, err := e.client.Upload(ctx, "/Jotta/Archive/r/new.txt", bytes.NewReader([]byte("new")), jotta.UploadMeta{Size: 3, Created: t0, Modified: t0}, jotta.UploadOptions{})
			return err
		}},
		{"upload bytes 503", emulator.EndpointUpload, 503, func() error {
			_, err := e.client.Upload(ctx, "/Jotta/Archive/r/new2.txt", bytes.NewReader([]byte("new2")), jotta.UploadMeta{Size: 4, Created: t0, Modified: t0}, jotta.UploadOptions{})
			return err
		}},
		{"mkdir 500", emulator.EndpointJFSPost, 500, func() error { return e.client.Mkdir(ctx, "/Jotta/Archive/r/d") }},
		{"customer 509", emulator.EndpointCustomer, 509, func() error { _, err := e.client.Quota(ctx); return err }},
		{"purge 503", emulator.EndpointPurgeTrash, 503, func() error { _, err := e.client.PurgeTrash(ctx); return err }},
		{"429", emulator.EndpointJFSGet, 429, func() error {
			_, err := e.client.Stat(ctx, "/Jotta/Archive/r/seed.txt", jotta.ListOptions{})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.em.Faults().Clear()
			before := e.em.Stats().Requests[c.endpoint]
			e.em.Faults().Add(emulator.Fault{Endpoint: c.endpoint, Status: c.status, Times: 2})
			if err := c.call(); err != nil {
				t.Fatalf("caller saw %v", err)
			}
			if n := e.em.Stats().Requests[c.endpoint] - before; n < 3 {
				t.Errorf("%d requests reached %s; the faults did not fire", n, c.endpoint)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	if _, err := e.client.Username(ctx); err != nil {
		t.Fatal(err)
	}
	e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointJFSGet, Status: 503, RetryAfter: "1", Times: 1})
	start := time.Now()
	if _, err := e.client.List(ctx, "/Jotta/Archive", jotta.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	// The backoff alone would be a few milliseconds (fastRetry).
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("retried after %v, before the server's Retry-After of 1s", waited)
	}
}

func TestPersistentFailureReported(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	if _, err := e.client.Username(ctx); err != nil {
		t.Fatal(err)
	}
	e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointJFSGet, Status: 503})
	_, err := e.client.List(ctx, "/Jotta/Archive", jotta.ListOptions{})
	var je *jotta.Error
	if !errors.As(err, &je) || je.StatusCode != 503 || !je.Temporary() {
		t.Fatalf("err = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.client.List(cctx, "/Jotta/Archive", jotta.ListOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// TestMutationFailedButApplied: the server answers 500 although the
// change happened; the client re-reads, sees it done, and does not repeat
// it.
func TestMutationFailedButApplied(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	e.upload(t, "/Jotta/Archive/mv/src.txt", []byte("move me"))
	e.upload(t, "/Jotta/Archive/mv/dir/in.txt", []byte("in"))
	e.upload(t, "/Jotta/Archive/mv/copy-src.txt", []byte("copy me"))
	cases := []struct {
		name   string
		call   func() error
		exists string
		gone   string
	}{
		{"rename file", func() error { return e.client.MoveFile(ctx, "/Jotta/Archive/mv/src.txt", "/Jotta/Archive/mv/dst.txt") },
			"/Jotta/Archive/mv/dst.txt", "/Jotta/Archive/mv/src.txt"},
		{"rename folder", func() error { return e.client.MoveDir(ctx, "/Jotta/Archive/mv/dir", "/Jotta/Archive/mv/dir2") },
			"/Jotta/Archive/mv/dir2/in.txt", "/Jotta/Archive/mv/dir"},
		{"copy", func() error {
			return e.client.CopyFile(ctx, "/Jotta/Archive/mv/copy-src.txt", "/Jotta/Archive/mv/copy-dst.txt")
		},
			"/Jotta/Archive/mv/copy-dst.txt", ""},
		{"delete", func() error { return e.client.DeleteFile(ctx, "/Jotta/Archive/mv/dst.txt") },
			"", "/Jotta/Archive/mv/dst.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.em.Faults().Clear()
			before := strings.Count(e.logs.String(), "the change happened")
			posts := e.em.Stats().Requests[emulator.EndpointJFSPost]
			e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointJFSPost, Status: 500, Applied: true, Times: 1})
			if err := c.call(); err != nil {
				t.Fatalf("caller saw %v", err)
			}
			if n := e.em.Stats().Requests[emulator.EndpointJFSPost] - posts; n != 1 {
				t.Errorf("%d mutating requests; a verified change must not be repeated", n)
			}
			if strings.Count(e.logs.String(), "the change happened") != before+1 {
				t.Error("the outcome was not verified")
			}
			if c.exists != "" {
				if _, err := e.client.Stat(ctx, c.exists, jotta.ListOptions{}); err != nil {
					t.Errorf("%s: %v", c.exists, err)
				}
			}
			if c.gone != "" {
				if _, err := e.client.Stat(ctx, c.gone, jotta.ListOptions{}); !errors.Is(err, jotta.ErrNotExist) {
					t.Errorf("%s still there: %v", c.gone, err)
				}
			}
		})
	}
	t.Run("500 that did not happen is retried", func(t *testing.T) {
		e.em.Faults().Clear()
		e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointJFSPost, Status: 500, Times: 1})
		if err := e.client.MoveFile(ctx, "/Jotta/Archive/mv/copy-dst.txt", "/Jotta/Archive/mv/copy-moved.txt"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.Stat(ctx, "/Jotta/Archive/mv/copy-moved.txt", jotta.ListOptions{}); err != nil {
			t.Error(err)
		}
	})
}

func TestListStreamAgainstEmulator(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	files := map[string][]byte{
		"/Jotta/Archive/tree/a.txt":          []byte("a"),
		"/Jotta/Archive/tree/sub/b.txt":      []byte("bb"),
		"/Jotta/Archive/tree/sub/deep/c+d &": []byte("ccc"),
		"/Jotta/Archive/tree/trashed.txt":    []byte("t"),
	}
	for p, b := range files {
		e.upload(t, p, b)
	}
	if err := e.client.Mkdir(ctx, "/Jotta/Archive/tree/empty"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.TrashFile(ctx, "/Jotta/Archive/tree/trashed.txt"); err != nil {
		t.Fatal(err)
	}
	gotFiles := map[string]api.ListEntry{}
	var gotFolders []string
	st, err := e.client.ListStream(ctx, "/Jotta/Archive/tree", func(le *api.ListEntry) error {
		if le.Folder {
			gotFolders = append(gotFolders, le.Path)
		} else {
			gotFiles[le.Path+"/"+le.Name] = *le
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 3 || len(gotFiles) != 3 {
		t.Errorf("stats %+v, files %v", st, gotFiles)
	}
	for p, b := range files {
		rel := strings.TrimPrefix(p, "/Jotta")
		le, ok := gotFiles[rel]
		if strings.Contains(p, "trashed") {
			if ok {
				t.Errorf("trashed file %s listed", rel)
			}
			continue
		}
		if !ok || le.MD5 != md5hex(b) || le.Size != int64(len(b)) || !le.Modified.Equal(t0) {
			t.Errorf("%s: %+v (found %v)", rel, le, ok)
		}
	}
	for _, want := range []string{"/Archive/tree", "/Archive/tree/sub", "/Archive/tree/sub/deep", "/Archive/tree/empty"} {
		found := false
		for _, f := range gotFolders {
			found = found || f == want
		}
		if !found {
			t.Errorf("folder %s not listed: %v", want, gotFolders)
		}
	}
}

// TestListStreamBadStats serves a document whose counts disagree.
func TestListStreamBadStats(t *testing.T) {
	cases := []struct {
		name string
		body string
		want error
	}{
		{"mismatch", `<liststream><folder><path>/Archive/a</path></folder><stats><folders>2</folders><files>0</files></stats></liststream>`, api.ErrListStreamMismatch},
		{"cut", `<liststream><folder><path>/Archive/a</path></folder>`, api.ErrListStreamTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/account/v1/customer":
					w.Write([]byte(`{"username":"u1"}`))
				case r.URL.Query().Get("mode") == "liststream":
					w.Write([]byte(c.body))
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			st := &memStore{tok: &jotta.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)}}
			cl := newClient(t, srv.URL, st, nil)
			_, err := cl.ListStream(context.Background(), "/Jotta/Archive", func(*api.ListEntry) error { return nil })
			if !errors.Is(err, c.want) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// TestGarbledErrorBody: an HTML error page gives a readable error.
func TestGarbledErrorBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/account/v1/customer" {
			w.Write([]byte(`{"username":"u1"}`))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("<html><body><h1>Forbidden\x00\x01</h1>"))
	}))
	defer srv.Close()
	st := &memStore{tok: &jotta.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)}}
	cl := newClient(t, srv.URL, st, nil)
	_, err := cl.List(context.Background(), "/Jotta/Archive", jotta.ListOptions{})
	var je *jotta.Error
	if !errors.As(err, &je) || je.StatusCode != 403 || !strings.Contains(je.Message, "text/html") {
		t.Fatalf("err = %v", err)
	}
	if strings.ContainsAny(err.Error(), "\x00\x01") {
		t.Error("control characters leaked into the error")
	}
}

// TestRestartKeepsData: a second emulator on the same data directory
// still lists and serves uploaded files, and resumes a broken upload.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	em, err := emulator.Start("", emulator.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(em.URL, "http://")
	st := signIn(t, em)
	c := newClient(t, em.URL, st, nil)
	ctx := context.Background()
	kept := randomBytes(300_000, 20)
	if _, err := c.Upload(ctx, "/Jotta/Archive/keep/kept.bin", bytes.NewReader(kept), jotta.UploadMeta{Size: int64(len(kept)), MD5: md5hex(kept), Created: t0, Modified: t0}, jotta.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	const size = 2 << 20
	const cut = 700_000
	broken := randomBytes(size, 21)
	em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointUpload, DropAfterBytes: cut, Times: 1})
	if _, err := c.Upload(ctx, "/Jotta/Archive/keep/broken.bin", bytes.NewReader(broken), jotta.UploadMeta{Size: size, MD5: md5hex(broken), Created: t0, Modified: t0}, jotta.UploadOptions{MaxAttempts: 1}); err == nil {
		t.Fatal("the broken upload succeeded")
	}
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}

	em2, err := emulator.Start(addr, emulator.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer em2.Close()
	c2 := newClient(t, em2.URL, st, nil)
	d, err := c2.List(ctx, "/Jotta/Archive/keep", jotta.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 1 || d.Files[0].Name != "kept.bin" || d.Files[0].CurrentRevision.MD5 != md5hex(kept) {
		t.Fatalf("after restart: %+v", d.Files)
	}
	downloadEquals(t, c2, "/Jotta/Archive/keep/kept.bin", kept)
	res, err := c2.Upload(ctx, "/Jotta/Archive/keep/broken.bin", bytes.NewReader(broken), jotta.UploadMeta{Size: size, MD5: md5hex(broken), Created: t0, Modified: t0}, jotta.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ResumedFrom != cut || res.BytesSent != size-cut || em2.Stats().UploadBytes != size-cut {
		t.Errorf("resume after restart: from %d, sent %d, server got %d; want from %d and %d bytes",
			res.ResumedFrom, res.BytesSent, em2.Stats().UploadBytes, cut, size-cut)
	}
	downloadEquals(t, c2, "/Jotta/Archive/keep/broken.bin", broken)
}

// TestUploadRefusals: a corrupt transfer and an exhausted quota are
// reported, not retried forever, and leave no live file.
func TestUploadRefusals(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(*env)
		status  int
		attempt int
	}{
		{"corrupt content", func(e *env) {
			e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointUpload, CorruptMD5: true, Times: 1})
		}, 0, 1},
		{"quota exhausted", func(e *env) { e.em.SetQuota(10) }, 460, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			ctx := context.Background()
			if _, err := e.client.Username(ctx); err != nil {
				t.Fatal(err)
			}
			c.setup(e)
			data := randomBytes(1000, 5)
			res, err := e.client.Upload(ctx, "/Jotta/Archive/refused.bin", bytes.NewReader(data), jotta.UploadMeta{Size: int64(len(data)), MD5: md5hex(data), Created: t0, Modified: t0}, jotta.UploadOptions{})
			var je *jotta.Error
			if !errors.As(err, &je) {
				t.Fatalf("err = %v", err)
			}
			if c.status != 0 && je.StatusCode != c.status {
				t.Errorf("status %d, want %d", je.StatusCode, c.status)
			}
			if res == nil || res.Attempts != c.attempt {
				t.Errorf("result %+v", res)
			}
			if _, err := e.client.File(ctx, "/Jotta/Archive/refused.bin"); !errors.Is(err, jotta.ErrNotExist) {
				t.Errorf("refused upload left a live file: %v", err)
			}
		})
	}
}

// TestNetworkErrorsRetried: connections closed without a reply are
// retried for reads, and a brief identity-provider outage during a
// refresh is ridden out without losing the session.
func TestNetworkErrorsRetried(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	if _, err := e.client.Username(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("listing", func(t *testing.T) {
		e.em.Faults().Clear()
		e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointJFSGet, TokenEndpointDown: true, Times: 2})
		if _, err := e.client.List(ctx, "/Jotta/Archive", jotta.ListOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("token endpoint unreachable once", func(t *testing.T) {
		e.em.Faults().Clear()
		e.em.Faults().Add(emulator.Fault{TokenEndpointDown: true, Times: 1})
		e.em.ExpireAccessTokens()
		before := e.em.Stats()
		if _, err := e.client.List(ctx, "/Jotta/Archive", jotta.ListOptions{}); err != nil {
			t.Fatalf("caller saw %v", err)
		}
		after := e.em.Stats()
		if after.Requests[emulator.EndpointToken]-before.Requests[emulator.EndpointToken] != 2 || after.Refreshes-before.Refreshes != 1 {
			t.Errorf("token requests %d, refreshes %d", after.Requests[emulator.EndpointToken]-before.Requests[emulator.EndpointToken], after.Refreshes-before.Refreshes)
		}
		if after.Revocations != 0 {
			t.Error("the session was revoked")
		}
	})
	t.Run("token endpoint down", func(t *testing.T) {
		e.em.Faults().Clear()
		e.em.Faults().Add(emulator.Fault{TokenEndpointDown: true})
		e.em.ExpireAccessTokens()
		_, err := e.client.List(ctx, "/Jotta/Archive", jotta.ListOptions{})
		if err == nil || errors.Is(err, jotta.ErrSignInRequired) {
			t.Fatalf("err = %v; want a transient failure", err)
		}
		e.em.Faults().Clear()
		if _, err := e.client.List(ctx, "/Jotta/Archive", jotta.ListOptions{}); err != nil {
			t.Fatalf("after the outage: %v", err)
		}
	})
}

// TestBrokenReplies: replies cut short or ignoring the request.
func TestBrokenReplies(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	data := randomBytes(200_000, 30)
	e.upload(t, "/Jotta/Archive/b/file.bin", data)
	e.upload(t, "/Jotta/Archive/b/other.txt", []byte("x"))
	t.Run("liststream with wrong stats", func(t *testing.T) {
		e.em.Faults().Clear()
		e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointListStream, WrongStats: true, Times: 1})
		_, err := e.client.ListStream(ctx, "/Jotta/Archive/b", func(*api.ListEntry) error { return nil })
		if !errors.Is(err, api.ErrListStreamMismatch) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("liststream cut", func(t *testing.T) {
		e.em.Faults().Clear()
		e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointListStream, TruncateAfterBytes: 150, Times: 1})
		_, err := e.client.ListStream(ctx, "/Jotta/Archive/b", func(*api.ListEntry) error { return nil })
		if !errors.Is(err, api.ErrListStreamTruncated) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("download cut", func(t *testing.T) {
		e.em.Faults().Clear()
		e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointDownload, TruncateAfterBytes: 1000, Times: 1})
		rc, err := e.client.Download(ctx, "/Jotta/Archive/b/file.bin", 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		got, err := io.ReadAll(rc)
		if err == nil {
			t.Errorf("a cut download read %d bytes without error", len(got))
		}
	})
	t.Run("range ignored", func(t *testing.T) {
		e.em.Faults().Clear()
		e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointDownload, IgnoreRange: true, Times: 1})
		rc, err := e.client.Download(ctx, "/Jotta/Archive/b/file.bin", 1000, 500)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		got, err := io.ReadAll(rc)
		if err != nil || !bytes.Equal(got, data[1000:1500]) {
			t.Errorf("got %d bytes, err %v", len(got), err)
		}
	})
}

// stallingReader serves data but blocks every read past stallAt until
// its context ends, like a client process that stopped mid-upload.
type stallingReader struct {
	data    []byte
	stallAt int64
	reached chan struct{}
	once    sync.Once
	ctx     context.Context
}

func (r *stallingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.stallAt {
		r.once.Do(func() { close(r.reached) })
		<-r.ctx.Done()
		return 0, r.ctx.Err()
	}
	return bytes.NewReader(r.data).ReadAt(p, off)
}

// TestUploadWaitsForABrokenOffUpload: an upload of the same file while an
// earlier one still holds the server's upload URL (a pass interrupted and
// started again at once) waits until the server lets the old request go,
// then resumes and completes, instead of failing the file.
func TestUploadWaitsForABrokenOffUpload(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := randomBytes(3<<20, 9)
	meta := jotta.UploadMeta{Size: int64(len(data)), MD5: md5hex(data), Created: t0, Modified: t0}
	const p = "/Jotta/Archive/busy.bin"
	firstCtx, stopFirst := context.WithCancel(context.Background())
	first := &stallingReader{data: data, stallAt: 1 << 20, reached: make(chan struct{}), ctx: firstCtx}
	firstDone := make(chan error, 1)
	go func() {
		_, err := e.client.Upload(firstCtx, p, first, meta, jotta.UploadOptions{})
		firstDone <- err
	}()
	<-first.reached
	// The first request stays open for a moment after the second starts;
	// the second client waits as a real one does (at least 0.7 s in all).
	time.AfterFunc(100*time.Millisecond, stopFirst)
	second, err := jotta.New(jotta.Options{Endpoint: e.em.URL, Store: e.store,
		Retry: jotta.RetryPolicy{MinBackoff: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := second.Upload(context.Background(), p, bytes.NewReader(data), meta, jotta.UploadOptions{})
	if err != nil {
		t.Fatalf("second upload: %v", err)
	}
	if res.Attempts < 2 {
		t.Errorf("second upload took %d attempt(s); the server should have been busy first", res.Attempts)
	}
	if !strings.EqualFold(res.MD5, meta.MD5) || res.Size != meta.Size {
		t.Errorf("confirmed %s/%d, want %s/%d", res.MD5, res.Size, meta.MD5, meta.Size)
	}
	<-firstDone
	f, err := e.client.File(context.Background(), p)
	if err != nil || !strings.EqualFold(f.CurrentRevision.MD5, meta.MD5) {
		t.Errorf("server has %+v (%v), want md5 %s", f, err, meta.MD5)
	}
}

// TestUploadGoesOnWhereAnotherLeftOff: between this upload's allocate and
// its send, another request stores the first mebibyte and breaks off. The
// upload URL then expects byte 1 MiB, not 0 (416); the client allocates
// again and sends only the rest.
func TestUploadGoesOnWhereAnotherLeftOff(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := randomBytes(3<<20, 10)
	meta := jotta.UploadMeta{Size: int64(len(data)), MD5: md5hex(data), Created: t0, Modified: t0}
	const p = "/Jotta/Archive/overtaken.bin"
	other, err := jotta.New(jotta.Options{Endpoint: e.em.URL, Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	var otherErr error
	overtaken := false
	wrap := func(ctx context.Context, r io.Reader) io.Reader {
		if !overtaken {
			overtaken = true
			e.em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointUpload, DropAfterBytes: 1 << 20, Times: 1})
			_, otherErr = other.Upload(ctx, p, bytes.NewReader(data), meta, jotta.UploadOptions{MaxAttempts: 1})
		}
		return r
	}
	res, err := e.client.Upload(context.Background(), p, bytes.NewReader(data), meta, jotta.UploadOptions{WrapReader: wrap})
	if otherErr == nil {
		t.Fatal("the other upload was meant to break off after 1 MiB, but it finished")
	}
	if err != nil {
		t.Fatalf("upload after the other broke off: %v", err)
	}
	if res.Attempts != 2 {
		t.Errorf("took %d attempt(s), want 2 (the 416, then the rest)", res.Attempts)
	}
	// The server stored the other's mebibyte and then only the rest (the
	// refused attempt's body is not stored).
	if stored := e.em.Stats().UploadBytes; stored != int64(len(data)) {
		t.Errorf("the server stored %d bytes in all, want %d (the rest resumed, nothing twice)", stored, len(data))
	}
	f, err := e.client.File(context.Background(), p)
	if err != nil || !strings.EqualFold(f.CurrentRevision.MD5, meta.MD5) {
		t.Errorf("server has %+v (%v), want md5 %s", f, err, meta.MD5)
	}
}
