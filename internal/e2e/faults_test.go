package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jottacloudclient/app"
	"jottacloudclient/app/message"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// TestFaultsEndVerified backs a tree up while the emulator misbehaves;
// the passes may report problems, but once the server behaves the data
// on it is complete and right and the index claims nothing the server
// lacks.
func TestFaultsEndVerified(t *testing.T) {
	cases := []struct {
		name   string
		eo     emulator.Options
		setup  func(em *emulator.Server)
		upload func(n int64, em *emulator.Server) // runs before every upload
		check  func(t *testing.T, st emulator.Stats)
	}{
		{
			name: "30 percent of requests answer 5xx",
			setup: func(em *emulator.Server) {
				em.Faults().Seed(7)
				em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointAny, Status: 503, Probability: 0.3})
			},
		},
		{
			name: "5xx after the server acted",
			setup: func(em *emulator.Server) {
				em.Faults().Seed(8)
				em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointAny, Status: 500, Applied: true, Probability: 0.2})
			},
		},
		{
			name: "connections reset mid-upload",
			setup: func(em *emulator.Server) {
				em.Faults().Seed(9)
				em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointUpload, DropAfterBytes: 10_000, Probability: 0.5})
			},
			check: func(t *testing.T, st emulator.Stats) {
				if n := st.Requests[emulator.EndpointUpload]; n <= 45 {
					t.Errorf("%d upload requests for 40 files; the resets should have forced resumed uploads", n)
				}
			},
		},
		{
			name: "access tokens expire every few seconds",
			eo:   emulator.Options{AccessTokenLifetime: 2 * time.Second},
			// Passes take well under a second here, so every fifth upload
			// stands in for a few seconds of wall time.
			upload: func(n int64, em *emulator.Server) {
				if n%5 == 0 {
					em.ExpireAccessTokens()
				}
			},
			check: func(t *testing.T, st emulator.Stats) {
				if st.Refreshes < 5 {
					t.Errorf("%d refreshes; expiring tokens should have forced several", st.Refreshes)
				}
			},
		},
		{
			name: "token endpoint down for a while",
			setup: func(em *emulator.Server) {
				em.ExpireAccessTokens()
				em.Faults().Add(emulator.Fault{TokenEndpointDown: true, Times: 6})
			},
			check: func(t *testing.T, st emulator.Stats) {
				if st.Refreshes < 1 {
					t.Errorf("no refresh succeeded after the outage")
				}
			},
		},
		{
			name: "token endpoint answers 503 for a while",
			setup: func(em *emulator.Server) {
				em.ExpireAccessTokens()
				em.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointToken, Status: 503, Times: 3})
			},
			check: func(t *testing.T, st emulator.Stats) {
				if st.Refreshes < 1 {
					t.Errorf("no refresh succeeded after the outage")
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.eo)
			ctx := ctxFor(t)
			local := e.localDir("docs")
			fillTree(t, local, 40, 30_000)
			hr := &hookRemote{Remote: app.NewRemote(e.client)}
			if tc.upload != nil {
				hr.before = func(n int64, _ string) { tc.upload(n, e.emu) }
			}
			// Four uploads at a time, small files included: the checks
			// below (resumes, refreshes) are calibrated to that pace.
			eng := e.engineOn(hr, syncer.Options{Transfers: 4, SmallTransfers: 4})
			p := syncer.Pair{ID: "docs", Local: local, Remote: "/Laptop/Backup/docs", Prune: syncer.PruneAll}
			if tc.setup != nil {
				tc.setup(e.emu)
			}
			var last *syncer.PassResult
			for i := range 6 {
				res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
				last = res
				t.Logf("pass %d: err=%v uploaded=%d problems=%d", i+1, err, res.Counters.FilesUploaded, len(res.Problems))
				if err == nil && len(res.Problems) == 0 {
					break
				}
			}
			st := e.emu.Stats()
			e.emu.Faults().Clear()
			if !last.Complete || len(last.Problems) != 0 {
				t.Errorf("no clean pass in 6 tries under faults; last: %v\n%s", last.Err, problemsText(last.Problems))
			}
			e.verify(local, p.Remote)
			if tc.check != nil {
				tc.check(t, st)
			}
			// A further pass with a healthy server has nothing to do.
			res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			if err != nil || res.Counters.FilesUploaded+res.Counters.FilesDeduplicated != 0 || res.Counters.FilesTrashed != 0 {
				t.Errorf("pass after recovery: err=%v counters=%+v", err, res.Counters)
			}
			path := eng.IndexPath(p.ID)
			_ = eng.Close()
			if n := e.checkIndex(path, p.Remote); n != 40 {
				t.Errorf("%d files recorded as backed up, want 40", n)
			}
		})
	}
}

// TestThrottleStormEndsVerified: 30 % of all requests answer 429 with
// Retry-After: 1. The client waits as told, for every worker at once, and
// the backup finishes verified in one pass with fewer than twice the
// requests the same backup needs from a healthy server.
func TestThrottleStormEndsVerified(t *testing.T) {
	const files = 24
	backup := func(storm bool) (int64, *env, string, syncer.Pair, *syncer.Engine, *syncer.PassResult, error) {
		e := newEnv(t, emulator.Options{})
		local := e.localDir("storm")
		fillTree(t, local, files, 4_000)
		eng := e.engine(syncer.Options{})
		p := syncer.Pair{ID: "storm", Local: local, Remote: "/Laptop/Backup/storm", Prune: syncer.PruneAll}
		if storm {
			e.emu.Faults().Seed(15)
			e.emu.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointAny, Status: 429, RetryAfter: "1", Probability: 0.3})
		}
		before := e.emu.Stats().Total()
		res, err := eng.RunPass(ctxFor(t), p, syncer.PassOptions{})
		n := e.emu.Stats().Total() - before
		e.emu.Faults().Clear()
		return n, e, local, p, eng, res, err
	}
	minimum, _, _, _, _, res, err := backup(false)
	if err != nil || !res.Complete {
		t.Fatalf("healthy backup: %v", err)
	}
	start := time.Now()
	n, e, local, p, eng, res, err := backup(true)
	t.Logf("%d requests under the storm in %v, %d from a healthy server", n, time.Since(start).Round(time.Millisecond), minimum)
	if err != nil || !res.Complete || len(res.Problems) != 0 {
		t.Fatalf("the backup did not finish under the storm: %v\n%s", err, problemsText(res.Problems))
	}
	e.verify(local, p.Remote)
	if n >= 2*minimum {
		t.Errorf("%d requests under the storm, want fewer than twice the %d a healthy server needs", n, minimum)
	}
	if n <= minimum {
		t.Errorf("%d requests under the storm, no more than the %d of a healthy server: the storm did not happen", n, minimum)
	}
	path := eng.IndexPath(p.ID)
	_ = eng.Close()
	if got := e.checkIndex(path, p.Remote); got != files {
		t.Errorf("%d files recorded as backed up, want %d", got, files)
	}
}

// hookRemote calls before ahead of every upload and lets wrap replace the
// source the upload reads.
type hookRemote struct {
	syncer.Remote
	before func(n int64, path string)
	wrap   func(path string, src io.ReaderAt, meta syncer.FileMeta) io.ReaderAt
	n      atomic.Int64
}

func (h *hookRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	n := h.n.Add(1)
	if h.before != nil {
		h.before(n, path)
	}
	if h.wrap != nil {
		src = h.wrap(path, src, meta)
	}
	return h.Remote.Upload(ctx, path, src, meta)
}

// TestRevokedSessionStopsAndResumes revokes the session in the middle of a
// pass: the engine stops uploading and says a sign-in is needed, nothing
// on the server or in the index is wrong, and after a new sign-in the next
// pass finishes the job.
func TestRevokedSessionStopsAndResumes(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := ctxFor(t)
	local := e.localDir("photos")
	const files = 120
	fillTree(t, local, files, 8_000)
	p := syncer.Pair{ID: "photos", Local: local, Remote: "/Laptop/Backup/photos", Prune: syncer.PruneAll}
	var revokedAt atomic.Int64
	hr := &hookRemote{Remote: app.NewRemote(e.client)}
	hr.before = func(n int64, _ string) {
		if n == 30 {
			e.emu.RevokeSessions()
			revokedAt.Store(n)
		}
	}
	eng := e.engineOn(hr, syncer.Options{Transfers: 2, SmallTransfers: 2})
	res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
	if err == nil {
		t.Fatalf("the pass ended without error after the session was revoked; problems:\n%s", problemsText(res.Problems))
	}
	if !app.IsSignInRequired(err) {
		t.Errorf("pass error %q does not say a sign-in is needed", err)
	}
	if !strings.Contains(strings.ToLower(err.Error()), "sign in") {
		t.Errorf("pass error %q does not tell the user to sign in", err)
	}
	tried := hr.n.Load() - revokedAt.Load()
	if tried > 16 {
		t.Errorf("the engine tried %d more uploads after the session was revoked; it should stop soon", tried)
	}
	if res.Counters.FilesTrashed != 0 || res.Counters.FoldersTrashed != 0 {
		t.Errorf("a failed pass trashed something: %+v", res.Counters)
	}
	path := eng.IndexPath(p.ID)
	_ = eng.Close()

	// Sign in again (the old client's session is gone) and finish.
	e.signIn()
	recorded := e.checkIndex(path, p.Remote)
	if recorded >= files {
		t.Errorf("%d files recorded before the sign-in; the revoked pass cannot have done them all", recorded)
	}
	eng2 := e.engine(syncer.Options{Transfers: 2})
	passUntilClean(t, ctx, eng2, p, 2)
	e.verify(local, p.Remote)
	_ = eng2.Close()
	if n := e.checkIndex(path, p.Remote); n != files {
		t.Errorf("%d files recorded after the new sign-in, want %d", n, files)
	}
	if got := e.remoteFiles(p.Remote); len(got) != files {
		t.Errorf("server holds %d files, want %d", len(got), files)
	}
	_ = fmt.Sprint
}

// TestQuotaExceeded fills the account mid-backup: the files that did not
// fit are problems that say so, nothing stored is lost, and once there is
// room the next pass finishes.
func TestQuotaExceeded(t *testing.T) {
	e := newEnv(t, emulator.Options{Quota: 200_000})
	ctx := ctxFor(t)
	local := e.localDir("big")
	fillTree(t, local, 40, 20_000)
	eng := e.engine(syncer.Options{Transfers: 2})
	p := syncer.Pair{ID: "big", Local: local, Remote: "/Laptop/Backup/big", Prune: syncer.PruneAll}
	res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
	t.Logf("pass: err=%v problems=%d uploaded=%d", err, len(res.Problems), res.Counters.FilesUploaded)
	// A full account is one state of the account, not a problem of each
	// file: the pass stops with it and lists no files.
	if !errors.Is(err, syncer.ErrQuota) {
		t.Fatalf("pass over quota ended with %v, want the full-account error", err)
	}
	if len(res.Problems) != 0 {
		t.Errorf("a full account is listed as %d file problems:\n%s", len(res.Problems), problemsText(res.Problems))
	}
	if msg := message.Text(err); !strings.HasPrefix(msg, "Your JottaCloud is full.") {
		t.Errorf("the user reads %q", msg)
	}
	stored := len(e.remoteFiles(p.Remote))
	if stored == 0 || stored >= 40 {
		t.Errorf("%d files stored with room for about 10", stored)
	}
	e.emu.SetQuota(0)
	passUntilClean(t, ctx, eng, p, 2)
	e.verify(local, p.Remote)
	path := eng.IndexPath(p.ID)
	_ = eng.Close()
	if n := e.checkIndex(path, p.Remote); n != 40 {
		t.Errorf("%d files recorded, want 40", n)
	}
}
