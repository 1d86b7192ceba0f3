package e2e

import (
	"sync"
	"testing"

	"jottacloudclient/app/message"
	"jottacloudclient/syncer"
)

// userTexts collects what the app and the CLI would show a user for the
// events of one engine: pass errors, problems, held-back deletions,
// retries and notices, each through app/message as they are shown.
type userTexts struct {
	mu    sync.Mutex
	texts []string
	done  chan struct{}
}

// watchUserTexts records the user-facing text of every event of eng and,
// when the test ends, fails it for any that carries internals: an
// exception class name, an x-id, a "jotta:" or doubled prefix, an internal
// pair id. Every engine of the suite is watched, so every fault test
// checks the words it makes people read.
func watchUserTexts(t *testing.T, eng *syncer.Engine) {
	sub := eng.Subscribe()
	u := &userTexts{done: make(chan struct{})}
	go func() {
		defer close(u.done)
		for ev := range sub.C() {
			u.add(textsOf(ev)...)
		}
	}()
	t.Cleanup(func() {
		sub.Close()
		<-u.done
		u.mu.Lock()
		defer u.mu.Unlock()
		for _, s := range u.texts {
			if bad := message.Internals(s); bad != "" {
				t.Errorf("a user would read %q, which carries %q", s, bad)
			}
		}
	})
}

func (u *userTexts) add(s ...string) {
	u.mu.Lock()
	u.texts = append(u.texts, s...)
	u.mu.Unlock()
}

// textsOf is what the app shows for one event.
func textsOf(ev syncer.Event) []string {
	switch e := ev.(type) {
	case syncer.PassEvent:
		r := e.Result
		var out []string
		if r.Err != nil {
			out = append(out, message.Text(r.Err))
		}
		for _, p := range r.Problems {
			out = append(out, message.Problem(p.Reason, p.Err))
		}
		if r.Planned.PruneRefused != "" {
			out = append(out, message.HeldBack(r.Planned.PruneRefused, r.Planned.HeldFiles))
		}
		return out
	case syncer.ProblemEvent:
		return []string{message.Problem(e.Reason, e.Err)}
	case syncer.RetryEvent:
		return []string{message.Text(e.Err)}
	case syncer.NoticeEvent:
		return []string{message.Clean(e.Message)}
	}
	return nil
}

// TestInternalsAreCaught checks the check itself on texts as they came
// out of the engine before the mapping existed.
func TestInternalsAreCaught(t *testing.T) {
	for _, s := range []string{
		"pass Work: stopping this pass: jotta: allocate /vm/Work/x: server said 460: QuotaExceededException: over",
		"upload failed (x-id 6a1b2c)",
		"jotta: jotta: list /a: timeout",
		"scan-r1-f339a0b1c2d3e4f5: not backed up",
		"upload: upload: refused",
	} {
		if message.Internals(s) == "" {
			t.Errorf("%q passes as clean", s)
		}
	}
	if bad := message.Internals("Your JottaCloud is full. Free up space or upgrade; backups continue when there is room."); bad != "" {
		t.Errorf("a clean sentence is flagged for %q", bad)
	}
}
