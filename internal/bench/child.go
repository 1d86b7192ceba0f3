package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"jottacloudclient/syncer"
)

// Kinds of measured child runs.
const (
	childMemory = "memory" // passes over a tree; peak RSS above the baseline
	childIdle   = "idle"   // the watching engine, idle; CPU over a window
)

// childSpec tells a child what to run. It travels on the child's stdin,
// so the login token never shows on a command line.
type childSpec struct {
	Kind       string        `json:"kind"`
	Endpoint   string        `json:"endpoint"`
	LoginToken string        `json:"login_token"`
	PairID     string        `json:"pair_id"`
	Local      string        `json:"local"`
	StateDir   string        `json:"state_dir"`
	Passes     int           `json:"passes"`
	Window     time.Duration `json:"window"`
	ProfileDir string        `json:"profile_dir,omitempty"`
}

// childResult is what a child prints as one JSON line.
type childResult struct {
	Baseline     Usage             `json:"baseline"` // after sign-in and setup, before the work
	Start        Usage             `json:"start"`    // when the idle window opens
	End          Usage             `json:"end"`      // when it closes
	Peak         Usage             `json:"peak"`     // after the work
	Window       time.Duration     `json:"window"`
	Requests     int64             `json:"requests"`        // HTTP requests during the work or window
	Passes       []syncer.Counters `json:"passes"`          // counters of the passes run
	PassErrors   []string          `json:"pass_errors"`     // pass failures and file problems
	WindowPasses int               `json:"window_passes"`   // passes that ran inside the idle window
	Err          string            `json:"err,omitempty"`   // the child could not run
	PassSeconds  []float64         `json:"pass_seconds"`    // wall time per pass
	Heap         uint64            `json:"heap_after_pass"` // live heap after the passes (bytes)
	PeakLive     uint64            `json:"peak_live"`       // largest heap marked live by a GC during the work
}

// Child runs one measured job read as JSON from in and writes its result
// as JSON to out. It is the hidden `jotta bench --child` mode.
func Child(ctx context.Context, in io.Reader, out io.Writer, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var spec childSpec
	if err := json.NewDecoder(in).Decode(&spec); err != nil {
		return fmt.Errorf("read the child job: %w", err)
	}
	stopProfile, err := startCPUProfile(spec.ProfileDir, spec.Kind+"-child.cpu.pprof")
	if err != nil {
		return err
	}
	res, err := runChild(ctx, spec, log)
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err == nil {
		err = writeHeapProfile(spec.ProfileDir, spec.Kind+"-child.heap.pprof")
	}
	if err != nil {
		res.Err = err.Error()
	}
	return json.NewEncoder(out).Encode(res)
}

func runChild(ctx context.Context, spec childSpec, log *slog.Logger) (*childResult, error) {
	res := &childResult{}
	sess, err := signIn(ctx, spec.Endpoint, spec.LoginToken, log)
	if err != nil {
		return res, err
	}
	pair := benchPair(spec.PairID, spec.Local)
	switch spec.Kind {
	case childMemory:
		eng, err := sess.newEngine(spec.StateDir, true, log)
		if err != nil {
			return res, err
		}
		defer eng.Close()
		runtime.GC()
		debug.FreeOSMemory()
		if res.Baseline, err = selfUsage(); err != nil {
			return res, err
		}
		peak := startPeakHeapProfile(spec.ProfileDir)
		live := startLiveSampler()
		for range max(spec.Passes, 1) {
			start := time.Now()
			pr, err := eng.RunPass(ctx, pair, syncer.PassOptions{})
			res.PassSeconds = append(res.PassSeconds, time.Since(start).Seconds())
			if err != nil {
				res.PassErrors = append(res.PassErrors, err.Error())
				break
			}
			res.Passes = append(res.Passes, pr.Counters)
			res.PassErrors = append(res.PassErrors, passProblems(pr)...)
		}
		res.PeakLive = live.finish()
		if err := peak.finish(spec.ProfileDir, spec.Kind+"-child.peakheap.pprof"); err != nil {
			return res, err
		}
		res.Requests = sess.requests()
		if res.Peak, err = selfUsage(); err != nil {
			return res, err
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		res.Heap = ms.HeapAlloc
		return res, nil
	case childIdle:
		return res, idleChild(ctx, spec, sess, pair, log, res)
	}
	return res, fmt.Errorf("unknown child kind %q", spec.Kind)
}

// idleSettle is how long the idle child waits after its first pass before
// the window opens, so that setting up the watches is not counted.
const idleSettle = 2 * time.Second

func idleChild(ctx context.Context, spec childSpec, sess *session, pair syncer.Pair, log *slog.Logger, res *childResult) error {
	eng, err := sess.newEngine(spec.StateDir, false, log)
	if err != nil {
		return err
	}
	defer eng.Close()
	if err := eng.SetPairs([]syncer.Pair{pair}); err != nil {
		return err
	}
	sub := eng.Subscribe()
	defer sub.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() { stop(); <-done }()

	passes := 0
	waitFor := func(d time.Duration, until func() bool) error {
		timer := time.NewTimer(d)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
				return nil
			case ev := <-sub.C():
				if pe, ok := ev.(syncer.PassEvent); ok {
					passes++
					res.Passes = append(res.Passes, pe.Result.Counters)
					if pe.Result.Err != nil {
						res.PassErrors = append(res.PassErrors, pe.Result.Err.Error())
					}
					res.PassErrors = append(res.PassErrors, passProblems(pe.Result)...)
					if until != nil && until() {
						return nil
					}
				}
			}
		}
	}
	if err := waitFor(10*time.Minute, func() bool { return passes >= 1 }); err != nil {
		return err
	}
	if passes == 0 {
		return errors.New("the first pass did not finish")
	}
	if err := waitFor(idleSettle, nil); err != nil {
		return err
	}
	before, reqs := passes, sess.requests()
	if res.Start, err = selfUsage(); err != nil {
		return err
	}
	start := time.Now()
	if err := waitFor(spec.Window, nil); err != nil {
		return err
	}
	if res.End, err = selfUsage(); err != nil {
		return err
	}
	res.Window = time.Since(start)
	res.WindowPasses = passes - before
	res.Requests = sess.requests() - reqs
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.Heap = ms.HeapAlloc
	return nil
}

// runChildProcess starts a child with spec and decodes its result.
func (r *runner) runChildProcess(ctx context.Context, spec childSpec) (*childResult, error) {
	tok, err := r.srv.loginToken()
	if err != nil {
		return nil, err
	}
	spec.Endpoint, spec.LoginToken, spec.ProfileDir = r.srv.URL, tok, r.o.ProfileDir
	in, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	cmd := r.o.Command(ctx, "bench", "--child")
	cmd.Stdin = bytes.NewReader(in)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = r.o.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s child: %w", spec.Kind, err)
	}
	var res childResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("%s child: bad result %q: %w", spec.Kind, out.String(), err)
	}
	if res.Err != "" {
		return &res, fmt.Errorf("%s child: %s", spec.Kind, res.Err)
	}
	return &res, nil
}

// maxIdleCPU is the idle goal: a fraction of one core.
const maxIdleCPU = 0.005

// caseIdle runs the watching engine over the backed-up rescan tree in a
// child and measures its CPU time over a window with nothing changing.
func (r *runner) caseIdle(ctx context.Context) Result {
	t := r.rescan
	if t == nil {
		return Result{Err: errors.New("the rescan case did not run")}
	}
	t.close() // the child opens the same index
	r.progress("idle engine watching %d files for %s", r.s.RescanFiles, r.s.IdleWindow)
	cr, err := r.runChildProcess(ctx, childSpec{Kind: childIdle, PairID: CaseRescan, Local: t.root, StateDir: t.stateDir, Window: r.s.IdleWindow})
	if err != nil {
		return Result{Err: err}
	}
	cpu := cr.End.CPU - cr.Start.CPU
	frac := cpu.Seconds() / cr.Window.Seconds()
	var problems []string
	problems = append(problems, cr.PassErrors...)
	for _, c := range cr.Passes {
		if c.BytesHashed != 0 || c.BytesUploaded != 0 {
			problems = append(problems, fmt.Sprintf("a pass of the unchanged tree hashed %s and uploaded %s", fmtBytes(c.BytesHashed), fmtBytes(c.BytesUploaded)))
		}
	}
	return Result{
		Measured: fmt.Sprintf("%.3f %% of a core", frac*100),
		Goal:     fmt.Sprintf("≤ %.1f %% over %s", maxIdleCPU*100, fmtDur(r.s.IdleWindow)),
		Met:      frac <= maxIdleCPU && len(problems) == 0,
		Requests: cr.Requests,
		Note: fmt.Sprintf("%s CPU in %s, %d passes in the window; RSS %s, live heap %s while idle",
			fmtDur(cpu), fmtDur(cr.Window), cr.WindowPasses, fmtBytes(cr.End.RSS), fmtBytes(int64(cr.Heap))),
		Problems: problems,
		Metrics: map[string]float64{
			"cpu_seconds": cpu.Seconds(), "window_seconds": cr.Window.Seconds(), "core_fraction": frac,
			"window_passes": float64(cr.WindowPasses), "rss_bytes": float64(cr.End.RSS),
			"idle_heap": float64(cr.Heap),
		},
	}
}

// maxBytesPerFile is the memory goal above the process baseline.
const maxBytesPerFile = 200

// caseMemory seeds the server with many empty files, creates them locally
// and measures the peak RSS of a child running a first pass (hash and
// confirm every file) and an unchanged pass.
func (r *runner) caseMemory(ctx context.Context) Result {
	n := r.s.MemoryFiles
	root := filepath.Join(r.dir, "memory")
	r.progress("generating %d empty files", n)
	if err := genEmpty(root, n); err != nil {
		return Result{Err: err}
	}
	r.progress("seeding the server with the same files")
	if err := r.srv.seed("empty", seedRoot(CaseMemory), n); err != nil {
		return Result{Err: err}
	}
	r.progress("two passes over %d files in a child process", n)
	cr, err := r.runChildProcess(ctx, childSpec{Kind: childMemory, PairID: CaseMemory, Local: root, StateDir: filepath.Join(r.dir, "state-memory"), Passes: 2})
	if err != nil {
		return Result{Err: err}
	}
	var problems []string
	problems = append(problems, cr.PassErrors...)
	if len(cr.Passes) != 2 {
		problems = append(problems, fmt.Sprintf("%d passes completed, want 2", len(cr.Passes)))
	}
	for i, c := range cr.Passes {
		if c.FilesSeen != int64(n) {
			problems = append(problems, fmt.Sprintf("pass %d saw %d files, want %d", i+1, c.FilesSeen, n))
		}
		if c.FilesUploaded != 0 {
			problems = append(problems, fmt.Sprintf("pass %d uploaded %d files the server already had", i+1, c.FilesUploaded))
		}
	}
	if len(cr.Passes) == 2 && cr.Passes[1].FilesHashed != 0 {
		problems = append(problems, fmt.Sprintf("the unchanged pass hashed %d files", cr.Passes[1].FilesHashed))
	}
	growth := cr.Peak.PeakRSS - cr.Baseline.RSS
	per := float64(growth) / float64(n)
	secs := ""
	for i, s := range cr.PassSeconds {
		if i > 0 {
			secs += " + "
		}
		secs += fmtDur(time.Duration(s * float64(time.Second)))
	}
	return Result{
		Measured:  fmt.Sprintf("%.0f B/file", per),
		Reference: fmt.Sprintf("baseline RSS %s", fmtBytes(cr.Baseline.RSS)),
		Goal:      fmt.Sprintf("≤ %d B/file", maxBytesPerFile),
		Met:       per <= maxBytesPerFile && len(problems) == 0,
		Requests:  cr.Requests,
		Note: fmt.Sprintf("peak RSS %s over %d files; peak live Go heap %s (%.0f B/file); %s of mapped files such as the index at the end; passes %s",
			fmtBytes(cr.Peak.PeakRSS), n, fmtBytes(int64(cr.PeakLive)), float64(cr.PeakLive)/float64(n), fmtBytes(cr.Peak.RSSFile), secs),
		Problems: problems,
		Metrics: map[string]float64{
			"bytes_per_file": per, "peak_rss": float64(cr.Peak.PeakRSS), "baseline_rss": float64(cr.Baseline.RSS),
			"heap_after": float64(cr.Heap), "rss_file": float64(cr.Peak.RSSFile),
			"peak_live_heap": float64(cr.PeakLive),
		},
	}
}
