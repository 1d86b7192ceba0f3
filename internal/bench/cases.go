package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"jottacloudclient/syncer"
)

// caseInitial backs up a fresh tree of mixed sizes and compares the wall
// time with md5sum over the same files.
func (r *runner) caseInitial(ctx context.Context) Result {
	root := filepath.Join(r.dir, "initial")
	data := filepath.Join(root, "data")
	r.progress("generating %s in %d files", fmtBytes(r.s.InitialBytes), r.s.InitialFiles)
	files, err := genMixed(data, r.s.InitialBytes, r.s.InitialFiles, 1)
	if err != nil {
		return Result{Err: err}
	}
	r.progress("reference: md5sum over the same files")
	refName, ref, refProblems, err := md5Reference(ctx, data, files)
	if err != nil {
		return Result{Err: err}
	}
	t, err := r.newTree(ctx, CaseInitial, root)
	if err != nil {
		return Result{Err: err}
	}
	t.files = files
	r.initial = t
	r.progress("initial backup")
	kinds := t.sess.reqs.kinds()
	client0, _ := selfUsage()
	server0, _ := r.srv.usage()
	t.sess.reqs.firstUpload.Store(0)
	res, problems, took, err := r.timedPass(ctx, t, CaseInitial)
	if err != nil {
		return Result{Err: err}
	}
	firstUpload, firstNote := time.Duration(-1), "no upload request"
	if at := t.sess.reqs.firstUpload.Load(); at != 0 {
		firstUpload = time.Unix(0, at).Sub(res.Started)
		firstNote = "first upload request " + fmtDur(firstUpload) + " after the pass started"
	}
	client1, _ := selfUsage()
	server1, _ := r.srv.usage()
	cpuNote := fmt.Sprintf("CPU: client %s, emulator %s", fmtDur(client1.CPU-client0.CPU), fmtDur(server1.CPU-server0.CPU))
	reqs := t.sess.requests()
	kindNote := kindsDelta(kinds, t.sess.reqs.kinds())
	problems = append(refProblems, problems...)
	remote, err := remoteFiles(ctx, t.sess, t.pair.Remote)
	if err != nil {
		return Result{Err: err}
	}
	problems = append(problems, verifyFiles(remote, "data/", files)...)
	ratio := took.Seconds() / ref.Seconds()
	c := res.Counters
	return Result{
		Measured:  fmt.Sprintf("%s (%s)", fmtDur(took), fmtRate(r.s.InitialBytes, took)),
		Reference: fmt.Sprintf("%s %s (%s)", refName, fmtDur(ref), fmtRate(r.s.InitialBytes, ref)),
		Goal:      fmt.Sprintf("≤ 2.5× reference, first upload ≤ %s", fmtDur(maxFirstUpload)),
		Met:       ratio <= 2.5 && firstUpload >= 0 && firstUpload <= maxFirstUpload && len(problems) == 0,
		Requests:  reqs,
		Note: fmt.Sprintf("%.2f× reference; %s; %d files, %s sent; %s; requests: %s",
			ratio, firstNote, c.FilesUploaded+c.FilesDeduplicated, fmtBytes(c.BytesUploaded), cpuNote, kindNote),
		Problems: problems,
		Metrics: map[string]float64{
			"seconds": took.Seconds(), "reference_seconds": ref.Seconds(), "ratio": ratio,
			"bytes_uploaded": float64(c.BytesUploaded), "files_uploaded": float64(c.FilesUploaded),
			"files_on_server": float64(len(remote)), "first_upload_seconds": firstUpload.Seconds(),
			"client_cpu_seconds": (client1.CPU - client0.CPU).Seconds(), "server_cpu_seconds": (server1.CPU - server0.CPU).Seconds(),
		},
	}
}

// maxFirstUpload is how soon after a pass starts its first upload must
// leave: uploads go out while the rest of the tree is hashed.
const maxFirstUpload = 2 * time.Second

// md5Reference hashes the files with md5sum (or, without it, Go's md5 in
// one goroutine) and checks its sums against the generated ones.
func md5Reference(ctx context.Context, dir string, files []genFile) (string, time.Duration, []string, error) {
	args := make([]string, len(files))
	for i, f := range files {
		args[i] = filepath.FromSlash(f.Rel)
	}
	if _, err := exec.LookPath("md5sum"); err != nil {
		start := time.Now()
		var problems []string
		for _, f := range files {
			fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(f.Rel)))
			if err != nil {
				return "", 0, nil, fmt.Errorf("reference hash: %w", err)
			}
			sum, err := hashReader(fh)
			fh.Close()
			if err != nil {
				return "", 0, nil, fmt.Errorf("reference hash: %w", err)
			}
			if sum != f.MD5 {
				problems = append(problems, "reference md5 differs for "+f.Rel)
			}
		}
		return "Go md5", time.Since(start), problems, nil
	}
	cmd := exec.CommandContext(ctx, "md5sum", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return "", 0, nil, fmt.Errorf("run md5sum: %w", err)
	}
	took := time.Since(start)
	sums := map[string]string{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if ok {
			sums[filepath.ToSlash(name)] = sum
		}
	}
	var problems []string
	for _, f := range files {
		if sums[f.Rel] != f.MD5 {
			problems = append(problems, "md5sum disagrees with the generator about "+f.Rel)
		}
	}
	return "md5sum", took, problems, nil
}

// caseRename renames the folder holding the initial tree and runs a pass.
func (r *runner) caseRename(ctx context.Context) Result {
	t := r.initial
	if t == nil {
		return Result{Err: errors.New("the initial backup did not run")}
	}
	from, to := filepath.Join(t.root, "data"), filepath.Join(t.root, "data-renamed")
	if err := os.Rename(from, to); err != nil {
		return Result{Err: fmt.Errorf("rename the backed-up folder: %w", err)}
	}
	r.progress("pass after renaming a %s folder", fmtBytes(r.s.InitialBytes))
	before, kinds := t.sess.requests(), t.sess.reqs.kinds()
	res, problems, took, err := r.timedPass(ctx, t, CaseRename)
	if err != nil {
		return Result{Err: err}
	}
	reqs := t.sess.requests() - before
	kindNote := kindsDelta(kinds, t.sess.reqs.kinds())
	remote, err := remoteFiles(ctx, t.sess, t.pair.Remote)
	if err != nil {
		return Result{Err: err}
	}
	problems = append(problems, verifyFiles(remote, "data-renamed/", t.files)...)
	left := 0
	for p := range remote {
		if strings.HasPrefix(p, "data/") {
			left++
		}
	}
	c := res.Counters
	note := fmt.Sprintf("%s; %d folder moves, %d file moves, %d uploads, %s re-hashed; requests: %s",
		fmtDur(took), c.FoldersMoved, c.FilesMoved, c.FilesUploaded, fmtBytes(c.BytesHashed), kindNote)
	if left > 0 {
		note += fmt.Sprintf("; %d files still at the old path", left)
	}
	return Result{
		Measured: fmtBytes(c.BytesUploaded) + " uploaded, " + fmtBytes(c.BytesHashed) + " hashed",
		Goal:     "0 B uploaded, 0 B hashed",
		Met:      c.BytesUploaded == 0 && c.BytesHashed == 0 && len(problems) == 0,
		Requests: reqs,
		Note:     note,
		Problems: problems,
		Metrics: map[string]float64{
			"seconds": took.Seconds(), "bytes_uploaded": float64(c.BytesUploaded),
			"bytes_hashed": float64(c.BytesHashed), "folders_moved": float64(c.FoldersMoved),
			"files_moved": float64(c.FilesMoved), "files_left_at_old_path": float64(left),
		},
	}
}

// maxRescanRequests is the request budget of an unchanged pass of one pair.
const maxRescanRequests = 3

// caseRescan backs up many small files, then times a pass with nothing
// changed.
func (r *runner) caseRescan(ctx context.Context) Result {
	root := filepath.Join(r.dir, "rescan")
	n := r.s.RescanFiles
	r.progress("generating %d small files", n)
	if err := genSmall(root, n); err != nil {
		return Result{Err: err}
	}
	r.progress("seeding the server with the same files")
	if err := r.srv.seed("small", seedRoot(CaseRescan), n); err != nil {
		return Result{Err: err}
	}
	t, err := r.newTree(ctx, CaseRescan, root)
	if err != nil {
		return Result{Err: err}
	}
	r.rescan = t
	r.progress("first pass: hash and confirm %d files", n)
	start := time.Now()
	first, problems, err := t.pass(ctx)
	firstTook := time.Since(start)
	if err != nil {
		return Result{Err: err}
	}
	if first.Counters.BytesUploaded != 0 {
		problems = append(problems, fmt.Sprintf("the first pass uploaded %s of files the server already had", fmtBytes(first.Counters.BytesUploaded)))
	}
	r.progress("unchanged rescan")
	before := t.sess.requests()
	res, p2, took, err := r.timedPass(ctx, t, CaseRescan)
	if err != nil {
		return Result{Err: err}
	}
	reqs := t.sess.requests() - before
	problems = append(problems, p2...)
	c := res.Counters
	if c.FilesSeen != int64(n) {
		problems = append(problems, fmt.Sprintf("the rescan saw %d files, want %d", c.FilesSeen, n))
	}
	if c.BytesUploaded != 0 || c.FilesUploaded != 0 {
		problems = append(problems, fmt.Sprintf("the rescan uploaded %d files", c.FilesUploaded))
	}
	return Result{
		Measured:  fmt.Sprintf("%s, %s hashed", fmtDur(took), fmtBytes(c.BytesHashed)),
		Reference: fmt.Sprintf("first pass %s", fmtDur(firstTook)),
		Goal:      fmt.Sprintf("≤ 1.5 s, 0 B hashed, ≤ %d requests", maxRescanRequests),
		Met:       took <= 1500*time.Millisecond && c.BytesHashed == 0 && reqs <= maxRescanRequests && len(problems) == 0,
		Requests:  reqs,
		Note:      fmt.Sprintf("%d files, %.0f files/s", n, float64(n)/took.Seconds()),
		Problems:  problems,
		Metrics: map[string]float64{
			"seconds": took.Seconds(), "first_seconds": firstTook.Seconds(),
			"bytes_hashed": float64(c.BytesHashed), "files_hashed": float64(c.FilesHashed),
			"files_seen": float64(c.FilesSeen), "bytes_uploaded": float64(c.BytesUploaded),
		},
	}
}

// timedPass runs and times one measured pass of t, profiled as name.
func (r *runner) timedPass(ctx context.Context, t *treeState, name string) (res *syncer.PassResult, problems []string, took time.Duration, err error) {
	perr := r.measure(name, func() {
		start := time.Now()
		res, problems, err = t.pass(ctx)
		took = time.Since(start)
	})
	return res, problems, took, errors.Join(err, perr)
}
