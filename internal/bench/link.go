package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"jottacloudclient/jotta/emulator"
)

// DefaultLink is the internet link of the link cases: a 30 ms round trip,
// no bandwidth cap (so the figures show round trips, not line speed).
var DefaultLink = emulator.Link{Latency: 30 * time.Millisecond}

// Goals of the link cases.
const (
	linkFilesPerSecond  = 150 // new small files per second over the link
	maxRequestsNewFile  = 2.0 // requests per new file
	maxRequestsDedupped = 1.0 // requests per file the server already has
	maxRequestsPerPass  = 10  // requests of a pass that do not scale with its files
)

// fileKinds are the requests made for one file; every other request of a
// pass (sign-in, listing, the root folder) is counted per pass.
var fileKinds = []string{"POST files/v1/allocate", "POST files/v1/upload"}

// requestSplit splits the requests made between two snapshots into those
// per file (divided by n) and the rest, per pass.
func requestSplit(before, after map[string]int64, n int) (perFile float64, perPass int64) {
	var files, all int64
	for k, v := range after {
		d := v - before[k]
		all += d
		if slices.Contains(fileKinds, k) {
			files += d
		}
	}
	return float64(files) / float64(max(n, 1)), all - files
}

// setLink shapes the emulator process's network.
func (s *serverProc) setLink(l emulator.Link) error {
	_, err := s.call(fmt.Sprintf("link %s %d", l.Latency, l.Bandwidth))
	return err
}

// withLink runs fn with the emulator behind the run's link.
func (r *runner) withLink(fn func() Result) Result {
	if err := r.srv.setLink(r.o.Link); err != nil {
		return Result{Err: err}
	}
	defer func() {
		if err := r.srv.setLink(emulator.Link{}); err != nil {
			r.progress("reset the link: %v", err)
		}
	}()
	return fn()
}

// caseLinkSmall backs up many small files over the link, then the same
// files into a second folder, where every one is deduplicated.
func (r *runner) caseLinkSmall(ctx context.Context) Result {
	root := filepath.Join(r.dir, "link-small")
	n := r.s.LinkSmallFiles
	r.progress("generating %d small files", n)
	// Content of its own: the rescan case's small files are on the server.
	linkContent := func(i int) []byte { return fmt.Appendf(nil, "small file %d of the jotta benchmark's link case\n", i) }
	if err := genTree(filepath.Join(root, "data"), n, smallRel, linkContent); err != nil {
		return Result{Err: err}
	}
	return r.withLink(func() Result {
		t, err := r.newTree(ctx, CaseLinkSmall, filepath.Join(root, "data"))
		if err != nil {
			return Result{Err: err}
		}
		defer t.close()
		r.progress("initial backup of %d small files over %s", n, r.o.Link)
		kinds := t.sess.reqs.kinds()
		res, problems, took, err := r.timedPass(ctx, t, CaseLinkSmall)
		if err != nil {
			return Result{Err: err}
		}
		reqs := t.sess.requests()
		after := t.sess.reqs.kinds()
		kindNote := kindsDelta(kinds, after)
		c := res.Counters
		if c.FilesUploaded != int64(n) {
			problems = append(problems, fmt.Sprintf("%d files uploaded, want %d", c.FilesUploaded, n))
		}
		perNew, passReqs := requestSplit(kinds, after, n)
		rate := float64(n) / took.Seconds()

		// The same content again, elsewhere: the server has all of it.
		d, err := r.newTree(ctx, CaseLinkSmall+"-dedup", filepath.Join(root, "data"))
		if err != nil {
			return Result{Err: err}
		}
		defer d.close()
		r.progress("the same %d files into a second folder (deduplicated)", n)
		dkinds := d.sess.reqs.kinds()
		dstart := time.Now()
		dres, dproblems, err := d.pass(ctx)
		dtook := time.Since(dstart)
		if err != nil {
			return Result{Err: err}
		}
		problems = append(problems, dproblems...)
		dreqs := d.sess.requests()
		if dres.Counters.FilesDeduplicated != int64(n) || dres.Counters.BytesUploaded != 0 {
			problems = append(problems, fmt.Sprintf("second folder: %d of %d files deduplicated, %s sent",
				dres.Counters.FilesDeduplicated, n, fmtBytes(dres.Counters.BytesUploaded)))
		}
		perDedup, dpassReqs := requestSplit(dkinds, d.sess.reqs.kinds(), n)
		for _, tr := range []*treeState{t, d} {
			remote, err := remoteFiles(ctx, tr.sess, tr.pair.Remote)
			if err != nil {
				return Result{Err: err}
			}
			if len(remote) != n {
				problems = append(problems, fmt.Sprintf("%s holds %d files, want %d", tr.pair.Remote, len(remote), n))
			}
		}
		return Result{
			Measured:  fmt.Sprintf("%.0f files/s, %.2f req/file", rate, perNew),
			Reference: fmt.Sprintf("deduplicated: %.2f req/file", perDedup),
			Goal:      fmt.Sprintf("≥ %d files/s, ≤ %g req/new file, ≤ %g req/dedup file", linkFilesPerSecond, maxRequestsNewFile, maxRequestsDedupped),
			Met: rate >= linkFilesPerSecond && perNew <= maxRequestsNewFile && perDedup <= maxRequestsDedupped &&
				passReqs <= maxRequestsPerPass && dpassReqs <= maxRequestsPerPass && len(problems) == 0,
			Requests: reqs,
			Note: fmt.Sprintf("%d files over %s in %s, %d requests per pass besides the files' (goal ≤ %d); deduplicated copy %s (%d requests, %d per pass); requests: %s",
				n, r.o.Link, fmtDur(took), passReqs, maxRequestsPerPass, fmtDur(dtook), dreqs, dpassReqs, kindNote),
			Problems: problems,
			Metrics: map[string]float64{
				"seconds": took.Seconds(), "files_per_second": rate, "requests_per_new_file": perNew,
				"requests_per_dedup_file": perDedup, "dedup_seconds": dtook.Seconds(),
			},
		}
	})
}

// caseLinkInitial backs up the mixed-size tree over the link.
func (r *runner) caseLinkInitial(ctx context.Context) Result {
	root := filepath.Join(r.dir, "link-initial")
	data := filepath.Join(root, "data")
	r.progress("generating %s in %d files", fmtBytes(r.s.LinkInitialBytes), r.s.LinkInitialFiles)
	files, err := genMixed(data, r.s.LinkInitialBytes, r.s.LinkInitialFiles, 2)
	if err != nil {
		return Result{Err: err}
	}
	return r.withLink(func() Result {
		t, err := r.newTree(ctx, CaseLinkInitial, data)
		if err != nil {
			return Result{Err: err}
		}
		defer t.close()
		r.progress("initial backup of %s over %s", fmtBytes(r.s.LinkInitialBytes), r.o.Link)
		kinds := t.sess.reqs.kinds()
		res, problems, took, err := r.timedPass(ctx, t, CaseLinkInitial)
		if err != nil {
			return Result{Err: err}
		}
		reqs := t.sess.requests()
		after := t.sess.reqs.kinds()
		remote, err := remoteFiles(ctx, t.sess, t.pair.Remote)
		if err != nil {
			return Result{Err: err}
		}
		problems = append(problems, verifyFiles(remote, "", files)...)
		c := res.Counters
		perFile, passReqs := requestSplit(kinds, after, len(files))
		return Result{
			Measured: fmt.Sprintf("%s (%s), %.2f req/file", fmtDur(took), fmtRate(r.s.LinkInitialBytes, took), perFile),
			Goal:     fmt.Sprintf("≤ %g req/file", maxRequestsNewFile),
			Met:      perFile <= maxRequestsNewFile && passReqs <= maxRequestsPerPass && len(problems) == 0,
			Requests: reqs,
			Note: fmt.Sprintf("%d files, %s sent over %s, %d requests per pass besides the files'; requests: %s", c.FilesUploaded+c.FilesDeduplicated,
				fmtBytes(c.BytesUploaded), r.o.Link, passReqs, kindsDelta(kinds, after)),
			Problems: problems,
			Metrics: map[string]float64{
				"seconds": took.Seconds(), "requests_per_file": perFile, "bytes_uploaded": float64(c.BytesUploaded),
			},
		}
	})
}
