package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"jottacloudclient/jotta"
	"jottacloudclient/syncer"
)

// maxWatchLatency is the watch goal.
const maxWatchLatency = 3 * time.Second

// watchPoll is how often the server is asked whether the file arrived.
const watchPoll = 50 * time.Millisecond

// caseWatch runs the engine with file watching and the default debounce,
// saves a small file into the pair and times until the server lists it.
func (r *runner) caseWatch(ctx context.Context) Result {
	root := filepath.Join(r.dir, "watch")
	if err := genSmall(root, 20); err != nil {
		return Result{Err: err}
	}
	sess, err := r.session(ctx)
	if err != nil {
		return Result{Err: err}
	}
	probe, err := r.session(ctx) // a second session, so polling is not counted
	if err != nil {
		return Result{Err: err}
	}
	eng, err := sess.newEngine(filepath.Join(r.dir, "state-watch"), false, r.log)
	if err != nil {
		return Result{Err: err}
	}
	defer eng.Close()
	pair := benchPair(CaseWatch, root)
	if err := eng.SetPairs([]syncer.Pair{pair}); err != nil {
		return Result{Err: err}
	}
	sub := eng.Subscribe()
	defer sub.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() { stop(); <-done }()

	r.progress("waiting for the first pass of the watched pair")
	if err := waitPass(ctx, sub, 5*time.Minute); err != nil {
		return Result{Err: err}
	}
	// Let the watcher take up the directories of the first pass.
	select {
	case <-ctx.Done():
		return Result{Err: ctx.Err()}
	case <-time.After(500 * time.Millisecond):
	}
	content := []byte("saved while the engine watches\n")
	sum, _ := hashReader(strings.NewReader(string(content)))
	before := sess.requests()
	r.progress("saving a file into the watched folder")
	start := time.Now()
	if err := os.WriteFile(filepath.Join(root, "a00", "saved.txt"), content, 0o644); err != nil {
		return Result{Err: fmt.Errorf("save the file: %w", err)}
	}
	remote := pair.Remote + "/a00/saved.txt"
	var took time.Duration
	var problems []string
	for {
		f, err := probe.client.File(ctx, remote)
		if err == nil && f.IsLive() {
			took = time.Since(start)
			if !strings.EqualFold(f.CurrentRevision.MD5, sum) {
				problems = append(problems, fmt.Sprintf("server md5 %s, local %s", f.CurrentRevision.MD5, sum))
			}
			break
		}
		if err != nil && !errors.Is(err, jotta.ErrNotExist) {
			r.log.Debug("watch probe", "err", err)
		}
		if time.Since(start) > time.Minute {
			return Result{Err: errors.New("the saved file did not reach the server within a minute")}
		}
		select {
		case <-ctx.Done():
			return Result{Err: ctx.Err()}
		case <-time.After(watchPoll):
		}
	}
	reqs := sess.requests() - before
	return Result{
		Measured: fmtDur(took),
		Goal:     fmt.Sprintf("≤ %s (default debounce)", fmtDur(maxWatchLatency)),
		Met:      took <= maxWatchLatency && len(problems) == 0,
		Requests: reqs,
		Note:     fmt.Sprintf("polled every %s", fmtDur(watchPoll)),
		Problems: problems,
		Metrics:  map[string]float64{"seconds": took.Seconds()},
	}
}

// waitPass waits for the next completed pass event.
func waitPass(ctx context.Context, sub *syncer.Subscription, limit time.Duration) error {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return fmt.Errorf("no pass finished within %s", limit)
		case ev := <-sub.C():
			if pe, ok := ev.(syncer.PassEvent); ok {
				if pe.Result.Err != nil {
					return fmt.Errorf("first pass: %w", pe.Result.Err)
				}
				return nil
			}
		}
	}
}
