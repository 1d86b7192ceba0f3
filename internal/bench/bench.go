package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"jottacloudclient/jotta/emulator"
)

// Case names, in the order they run and print.
const (
	CaseInitial = "initial" // initial backup of mixed sizes vs md5sum
	CaseRename  = "rename"  // rename the initial tree's folder, then a pass
	CaseRescan  = "rescan"  // unchanged rescan of many small files
	CaseIdle    = "idle"    // CPU of the watching engine with nothing changing
	CaseMemory  = "memory"  // peak RSS per file of passes over many files
	CaseList    = "list"    // liststream decoding throughput
	CaseWatch   = "watch"   // save a file until the server lists it
	// over an internet link (Options.Link)
	CaseLinkSmall   = "link-small"   // many small files, then the same deduplicated
	CaseLinkInitial = "link-initial" // the mixed-size tree
)

// Cases lists every case name in run order.
var Cases = []string{CaseInitial, CaseRename, CaseRescan, CaseIdle, CaseMemory, CaseList, CaseWatch, CaseLinkSmall, CaseLinkInitial}

// Sizes set the scale of every case.
type Sizes struct {
	InitialBytes int64 // total size of the initial backup
	InitialFiles int   // its file count
	RescanFiles  int   // small files of the rescan (and idle) tree
	MemoryFiles  int   // empty files of the memory case
	ListEntries  int   // entries of the liststream document
	IdleWindow   time.Duration
	// the link cases
	LinkSmallFiles   int
	LinkInitialBytes int64
	LinkInitialFiles int
}

// FullSizes is the benchmark of record.
var FullSizes = Sizes{
	InitialBytes: 2 << 30,
	InitialFiles: 4000,
	RescanFiles:  100_000,
	MemoryFiles:  1_000_000,
	ListEntries:  1_000_000,
	IdleWindow:   60 * time.Second,

	LinkSmallFiles:   20_000,
	LinkInitialBytes: 1 << 30,
	LinkInitialFiles: 2000,
}

// QuickSizes is the CI-sized run.
var QuickSizes = Sizes{
	InitialBytes: 64 << 20,
	InitialFiles: 200,
	RescanFiles:  10_000,
	MemoryFiles:  50_000,
	ListEntries:  100_000,
	IdleWindow:   5 * time.Second,

	LinkSmallFiles:   600,
	LinkInitialBytes: 16 << 20,
	LinkInitialFiles: 100,
}

// Options configure a benchmark run.
type Options struct {
	// Sizes of the cases (zero value: FullSizes).
	Sizes Sizes
	// Link is the emulated internet link of the link cases (`jotta bench`
	// uses DefaultLink; the zero value is loopback).
	Link emulator.Link
	// Cases to run by name (nil: all). Rename needs initial and idle needs
	// rescan, so choosing one also runs the other.
	Cases []string
	// WorkDir is where the temporary data directory is made ("": the OS
	// temp dir).
	WorkDir string
	// Keep leaves the generated data in place.
	Keep bool
	// Command returns a command running this program (the jotta CLI) with
	// args; it starts the emulator and the measured children (nil: the
	// running executable).
	Command func(ctx context.Context, args ...string) *exec.Cmd
	// Stderr receives the children's diagnostics (nil: discard).
	Stderr io.Writer
	// Progress receives one line per step (nil: discard).
	Progress io.Writer
	// Logger receives the client's and engine's diagnostics (nil: discard).
	Logger *slog.Logger
	// ProfileDir, if set, receives a CPU profile of each case run in this
	// process (<case>.cpu.pprof) and CPU and heap profiles of the measured
	// children (<case>-child.cpu.pprof, <case>-child.heap.pprof).
	ProfileDir string
}

// Result is one row of the table.
type Result struct {
	Case      string
	Measured  string // the figure, with its unit
	Reference string // the same-run reference, or ""
	Goal      string
	Met       bool
	Requests  int64 // HTTP requests the client sent for the measured step
	Note      string
	// Problems are correctness failures found by checking the server and
	// the counters: missing or wrong files, bytes hashed or uploaded that
	// should not have been. Empty when the case ran correctly.
	Problems []string
	// Metrics are the raw figures by name (see the case functions).
	Metrics map[string]float64
	// Err is set when the case could not run.
	Err error
}

// Report is the outcome of a run.
type Report struct {
	Sizes   Sizes
	Results []Result
	Elapsed time.Duration
	Machine string
}

// AllMet reports whether every case ran, was correct and met its goal.
func (r *Report) AllMet() bool {
	for _, res := range r.Results {
		if res.Err != nil || len(res.Problems) > 0 || !res.Met {
			return false
		}
	}
	return true
}

// Correct reports whether every case ran and was correct, goals aside.
func (r *Report) Correct() bool {
	for _, res := range r.Results {
		if res.Err != nil || len(res.Problems) > 0 {
			return false
		}
	}
	return true
}

// CheckCases returns an error naming an unknown case.
func CheckCases(names []string) error {
	for _, n := range names {
		if !slices.Contains(Cases, n) {
			return fmt.Errorf("unknown case %q: choose from %s", n, strings.Join(Cases, ", "))
		}
	}
	return nil
}

// runner holds the state shared by the cases of one run.
type runner struct {
	o    Options
	s    Sizes
	log  *slog.Logger
	dir  string
	srv  *serverProc
	want map[string]bool
	// initial tree, kept for the rename case
	initial *treeState
	// rescan tree, kept for the idle case
	rescan *treeState
}

// Run generates the data, starts the emulator process and runs the
// selected cases in order. Per-case failures are recorded in their Result;
// the error is for failures of the whole run.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := CheckCases(o.Cases); err != nil {
		return nil, err
	}
	if o.Sizes == (Sizes{}) {
		o.Sizes = FullSizes
	}
	if o.Command == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find the jotta executable: %w", err)
		}
		o.Command = func(ctx context.Context, args ...string) *exec.Cmd { return exec.CommandContext(ctx, exe, args...) }
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	r := &runner{o: o, s: o.Sizes, log: o.Logger, want: map[string]bool{}}
	for _, c := range o.Cases {
		r.want[c] = true
	}
	if len(o.Cases) == 0 {
		for _, c := range Cases {
			r.want[c] = true
		}
	}
	if r.want[CaseRename] {
		r.want[CaseInitial] = true
	}
	if r.want[CaseIdle] {
		r.want[CaseRescan] = true
	}
	dir, err := os.MkdirTemp(o.WorkDir, "jotta-bench-")
	if err != nil {
		return nil, fmt.Errorf("make the data directory: %w", err)
	}
	r.dir = dir
	if !o.Keep {
		defer os.RemoveAll(dir)
	}
	start := time.Now()
	r.srv, err = startServer(ctx, o.Command, o.Stderr)
	if err != nil {
		return nil, err
	}
	defer r.srv.Close()
	rep := &Report{Sizes: r.s, Machine: fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())}
	steps := []struct {
		name string
		fn   func(context.Context) Result
	}{
		{CaseInitial, r.caseInitial},
		{CaseRename, r.caseRename},
		{CaseRescan, r.caseRescan},
		{CaseIdle, r.caseIdle},
		{CaseMemory, r.caseMemory},
		{CaseList, r.caseList},
		{CaseWatch, r.caseWatch},
		{CaseLinkSmall, r.caseLinkSmall},
		{CaseLinkInitial, r.caseLinkInitial},
	}
	for _, st := range steps {
		if !r.want[st.name] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		r.progress("case %s", st.name)
		res := st.fn(ctx)
		res.Case = st.name
		if res.Err != nil {
			r.progress("case %s failed: %v", st.name, res.Err)
		}
		rep.Results = append(rep.Results, res)
	}
	if r.initial != nil {
		r.initial.close()
	}
	if r.rescan != nil {
		r.rescan.close()
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

func (r *runner) progress(format string, args ...any) {
	fmt.Fprintf(r.o.Progress, "bench: "+format+"\n", args...)
}

// measure runs the measured step of a case, under a CPU profile when
// profiles were asked for.
func (r *runner) measure(name string, fn func()) error {
	stop, err := startCPUProfile(r.o.ProfileDir, name+".cpu.pprof")
	if err != nil {
		return err
	}
	fn()
	return stop()
}

// session signs a new client in to the emulator process.
func (r *runner) session(ctx context.Context) (*session, error) {
	tok, err := r.srv.loginToken()
	if err != nil {
		return nil, err
	}
	return signIn(ctx, r.srv.URL, tok, r.log)
}
