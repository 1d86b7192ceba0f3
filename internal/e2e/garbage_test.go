package e2e

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// rewriter is a front that, while armed, replaces the body (and maybe
// the status and type) of replies to the requests it matches.
type rewriter struct {
	armed   atomic.Bool
	hits    atomic.Int64
	match   func(r *http.Request) bool
	rewrite func(status int, h http.Header, body []byte) (int, []byte)
}

func (rw *rewriter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rw.armed.Load() || !rw.match(r) {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		status, body := rw.rewrite(rec.Code, rec.Header(), rec.Body.Bytes())
		rw.hits.Add(1)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func isListStream(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Get("mode") == "liststream"
}

// isFileGet matches a metadata read of a file below the backed-up folder
// (the client reads a file back when the upload reply does not confirm it).
func isFileGet(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/jfs/") && strings.HasSuffix(r.URL.Path, ".bin") &&
		r.URL.Query().Get("mode") == ""
}

// isUploadReply matches the byte upload, whose reply confirms the file.
func isUploadReply(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/files/v1/upload/")
}

var statsRE = regexp.MustCompile(`(?s)<stats>.*</stats>\s*`)

// TestServerGarbage answers the listing of a pass (or the file check after
// an upload) with garbage: the pass reports a clear error for it, and
// nothing is trashed or uploaded again because of it; once the server
// answers properly the pass does exactly the pending work.
func TestServerGarbage(t *testing.T) {
	cases := []struct {
		name    string
		fault   *emulator.Fault // emulator-side fault instead of a rewrite
		match   func(*http.Request) bool
		rewrite func(status int, h http.Header, body []byte) (int, []byte)
		// wantErr: the pass fails (listing garbage); otherwise the one
		// changed file is a problem of a completed pass.
		wantErr bool
	}{
		{name: "liststream truncated mid-element", wantErr: true,
			fault: &emulator.Fault{Endpoint: emulator.EndpointListStream, TruncateAfterBytes: 700}},
		{name: "liststream with wrong stats", wantErr: true,
			fault: &emulator.Fault{Endpoint: emulator.EndpointListStream, WrongStats: true}},
		{name: "liststream cut cleanly before its stats", wantErr: true, match: isListStream,
			rewrite: func(s int, _ http.Header, b []byte) (int, []byte) {
				b = statsRE.ReplaceAll(b, nil)
				return s, bytes.Replace(b, []byte("</liststream>"), nil, 1)
			}},
		{name: "liststream answered 200 with an HTML page", wantErr: true, match: isListStream,
			rewrite: func(_ int, h http.Header, _ []byte) (int, []byte) {
				h.Set("Content-Type", "text/html; charset=utf-8")
				return 200, []byte("<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>")
			}},
		{name: "liststream answered 200 with an empty body", wantErr: true, match: isListStream,
			rewrite: func(int, http.Header, []byte) (int, []byte) { return 200, nil }},
		{name: "liststream answered 200 with JSON", wantErr: true, match: isListStream,
			rewrite: func(_ int, h http.Header, _ []byte) (int, []byte) {
				h.Set("Content-Type", "application/json")
				return 200, []byte(`{"error":"unexpected"}`)
			}},
		{name: "upload reply shows an unknown state", match: isUploadReply,
			rewrite: func(s int, _ http.Header, b []byte) (int, []byte) {
				return s, bytes.Replace(b, []byte("{"), []byte(`{"state":"QUARANTINED",`), 1)
			}},
		{name: "upload reply and the file check answered 200 with an HTML page",
			match: func(r *http.Request) bool { return isUploadReply(r) || isFileGet(r) },
			rewrite: func(_ int, h http.Header, _ []byte) (int, []byte) {
				h.Set("Content-Type", "text/html")
				return 200, []byte("<html><body>login</body></html>")
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rw := &rewriter{match: tc.match, rewrite: tc.rewrite}
			e := newEnvFront(t, emulator.Options{}, rw.wrap)
			ctx := ctxFor(t)
			local := e.localDir("garbage")
			const files = 25
			fillTree(t, local, files, 3_000)
			eng := e.engine(syncer.Options{})
			p := syncer.Pair{ID: "garbage", Local: local, Remote: "/Laptop/Backup/garbage", Prune: syncer.PruneAll}
			passUntilClean(t, ctx, eng, p, 1)

			// Pending work: one file changed, one deleted.
			changed, gone := "d01/sub1/file-0001.bin", "d02/sub2/file-0002.bin"
			writeFile(t, local, changed, pattern(8_000, 'c'))
			if err := removeLocal(local, gone); err != nil {
				t.Fatal(err)
			}
			before := e.emu.Stats()
			if tc.fault != nil {
				e.emu.Faults().Add(*tc.fault)
			} else {
				rw.armed.Store(true)
			}
			res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			e.emu.Faults().Clear()
			rw.armed.Store(false)
			after := e.emu.Stats()
			if tc.fault == nil && rw.hits.Load() == 0 {
				t.Fatal("the rewrite never fired; the scenario did not happen")
			}
			t.Logf("pass: err=%v\n%s", err, problemsText(res.Problems))
			if tc.wantErr {
				if err == nil {
					t.Errorf("the pass accepted a garbage listing; counters %+v", res.Counters)
				} else if !strings.Contains(err.Error(), "list") {
					t.Errorf("pass error %q does not say the listing failed", err)
				}
				if n := after.Requests[emulator.EndpointAllocate] - before.Requests[emulator.EndpointAllocate]; n != 0 {
					t.Errorf("%d uploads were started after a garbage listing", n)
				}
			} else {
				if err != nil {
					t.Errorf("pass: %v", err)
				}
				if !hasProblem(res.Problems, changed) {
					t.Errorf("the changed file is not a problem although the server's check of it was garbage")
				}
				if n := after.Requests[emulator.EndpointAllocate] - before.Requests[emulator.EndpointAllocate]; n > 2 {
					t.Errorf("%d allocations for one changed file", n)
				}
			}
			if res.Counters.FilesTrashed != 0 && tc.wantErr {
				t.Errorf("%d files trashed after a garbage listing", res.Counters.FilesTrashed)
			}
			if _, ok := e.remoteFiles(p.Remote)[changed]; !ok {
				t.Errorf("%s vanished from the server", changed)
			}
			path := eng.IndexPath(p.ID)
			_ = eng.Close()
			e.checkIndex(path, p.Remote)

			// With sane replies the next pass finishes the job, sending only
			// the changed file.
			eng2 := e.engine(syncer.Options{})
			before = e.emu.Stats()
			passUntilClean(t, ctx, eng2, p, 1)
			after = e.emu.Stats()
			if up := after.UploadBytes - before.UploadBytes; up > 8_000 {
				t.Errorf("the recovery pass sent %d bytes; only the changed file (8000 bytes) was due", up)
			}
			e.verify(local, p.Remote)
		})
	}
}

func removeLocal(dir, rel string) error {
	return os.Remove(filepath.Join(dir, filepath.FromSlash(rel)))
}
