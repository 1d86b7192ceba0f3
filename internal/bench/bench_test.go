package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

// execEnv makes the test binary act as `jotta bench --serve|--child`.
const execEnv = "JOTTA_BENCH_TEST_EXEC"

func TestMain(m *testing.M) {
	if os.Getenv(execEnv) == "1" {
		os.Exit(testExec(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func testExec(args []string) int {
	ctx := context.Background()
	var err error
	switch strings.Join(args, " ") {
	case "bench --serve":
		err = Serve(ctx, os.Stdin, os.Stdout, nil)
	case "bench --child":
		err = Child(ctx, os.Stdin, os.Stdout, nil)
	default:
		err = fmt.Errorf("unexpected arguments %q", args)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// syncBuffer is a bytes.Buffer shared by the copiers of several processes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testCommand(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), execEnv+"=1")
	return cmd
}

// tinySizes run every case in seconds.
var tinySizes = Sizes{
	InitialBytes: 3 << 20,
	InitialFiles: 30,
	RescanFiles:  500,
	MemoryFiles:  3000,
	ListEntries:  5000,
	IdleWindow:   300 * time.Millisecond,

	LinkSmallFiles:   150,
	LinkInitialBytes: 1 << 20,
	LinkInitialFiles: 20,
}

// TestQuickBenchmark runs every case at tiny sizes against the emulator in
// a separate process and checks that the runs were correct: every file on
// the server with the right md5, nothing uploaded by the rename, nothing
// hashed by the rescan. Speed is the benchmark command's business.
func TestQuickBenchmark(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("memory and CPU are measured through /proc")
	}
	if testing.Short() {
		t.Skip("starts processes and a watching engine")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stderr, progress syncBuffer
	rep, err := Run(ctx, Options{Sizes: tinySizes, WorkDir: t.TempDir(), Command: testCommand, Stderr: &stderr, Progress: &progress,
		Link: emulator.Link{Latency: 5 * time.Millisecond}})
	if err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
	if len(rep.Results) != len(Cases) {
		t.Fatalf("got %d results, want one per case (%d)", len(rep.Results), len(Cases))
	}
	byCase := map[string]Result{}
	for _, res := range rep.Results {
		byCase[res.Case] = res
		if res.Err != nil {
			t.Errorf("%s: %v", res.Case, res.Err)
		}
		for _, p := range res.Problems {
			t.Errorf("%s: %s", res.Case, p)
		}
	}
	if t.Failed() {
		t.Logf("stderr of the children:\n%s", stderr.String())
		return
	}
	checks := []struct {
		name   string
		cas    string
		metric string
		want   float64
	}{
		{"every initial file on the server", CaseInitial, "files_on_server", float64(tinySizes.InitialFiles)},
		{"nothing uploaded by the rename", CaseRename, "bytes_uploaded", 0},
		{"nothing read again by the rename", CaseRename, "bytes_hashed", 0},
		{"nothing left at the old path", CaseRename, "files_left_at_old_path", 0},
		{"nothing hashed by the rescan", CaseRescan, "bytes_hashed", 0},
		{"nothing uploaded by the rescan", CaseRescan, "bytes_uploaded", 0},
		{"every rescan file seen", CaseRescan, "files_seen", float64(tinySizes.RescanFiles)},
		{"no pass while idle", CaseIdle, "window_passes", 0},
		{"every listed entry decoded", CaseList, "entries", float64(tinySizes.ListEntries)},
		{"two requests per new small file", CaseLinkSmall, "requests_per_new_file", 2},
		{"one request per deduplicated file", CaseLinkSmall, "requests_per_dedup_file", 1},
		{"two requests per file of the mixed tree", CaseLinkInitial, "requests_per_file", 2},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			got, ok := byCase[c.cas].Metrics[c.metric]
			if !ok {
				t.Fatalf("%s reports no %s", c.cas, c.metric)
			}
			if got != c.want {
				t.Errorf("%s %s = %v, want %v", c.cas, c.metric, got, c.want)
			}
		})
	}
	if byCase[CaseInitial].Metrics["bytes_uploaded"] != float64(tinySizes.InitialBytes) {
		t.Errorf("initial backup sent %v bytes, want %d", byCase[CaseInitial].Metrics["bytes_uploaded"], tinySizes.InitialBytes)
	}
	if byCase[CaseMemory].Metrics["peak_rss"] <= 0 {
		t.Errorf("memory case measured no peak RSS")
	}
	if rescanReqs := byCase[CaseRescan].Requests; rescanReqs < 1 || rescanReqs > maxRescanRequests {
		t.Errorf("unchanged rescan sent %d requests, want 1 to %d", rescanReqs, maxRescanRequests)
	}
	if !strings.Contains(table.String(), "1 initial backup") {
		t.Errorf("table lacks the initial backup row:\n%s", table.String())
	}
}
