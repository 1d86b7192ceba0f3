package syncer

import (
	"testing"
	"testing/synctest"
	"time"
)

type nopRemote struct{ Remote }

// progressEngine is an engine that only publishes, and a subscription to it.
func progressEngine(t *testing.T) (*Engine, *Subscription) {
	e, err := New(nopRemote{}, Options{StateDir: t.TempDir(), NoWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	sub := e.Subscribe()
	t.Cleanup(func() { sub.Close() })
	return e, sub
}

func TestProgressRateAndETA(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, sub := progressEngine(t)
		p := newProgress(e, "p", StateUploading, 2, 1000)
		if ev := (<-sub.C()).(ProgressEvent); ev.BytesTotal != 1000 || ev.FilesTotal != 2 || ev.BytesDone != 0 {
			t.Fatalf("first event %+v", ev)
		}
		p.startFile("a.bin") // inside the throttle window: not published
		time.Sleep(time.Second)
		p.addBytes(250)
		ev := (<-sub.C()).(ProgressEvent)
		cases := []struct {
			name      string
			got, want any
		}{
			{"current", ev.Current, "a.bin"},
			{"bytes done", ev.BytesDone, int64(250)},
			{"rate", ev.Rate, 250.0},
			{"eta", ev.ETA, 3 * time.Second},
			{"phase", ev.Phase, StateUploading},
		}
		for _, c := range cases {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
		// Within the throttle window nothing new is published…
		p.addBytes(10)
		synctest.Wait()
		select {
		case ev := <-sub.C():
			t.Errorf("throttled update published: %+v", ev)
		default:
		}
		// …but the end of a phase always is.
		p.fileFinished()
		p.finish()
		synctest.Wait()
		last := (<-sub.C()).(ProgressEvent)
		if last.FilesDone != 1 || last.BytesDone != 260 {
			t.Errorf("final event %+v", last)
		}
	})
}

// TestProgressWhileCounting: while the walk still finds files, events say
// so and give no time left (the total is only what was found so far);
// once the totals are known, the last event says the phase is complete.
func TestProgressWhileCounting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, sub := progressEngine(t)
		p := newQuietProgress(e, "p", StateScanning)
		p.addFile(1000)
		p.speak()
		first := (<-sub.C()).(ProgressEvent)
		if !first.Counting || first.FilesTotal != 1 {
			t.Fatalf("first event %+v, want counting with 1 file found", first)
		}
		time.Sleep(time.Second)
		p.fileDone("a.bin", 500) // half of what was found so far
		ev := (<-sub.C()).(ProgressEvent)
		if !ev.Counting || ev.ETA != 0 || ev.Rate != 500 {
			t.Errorf("while counting: %+v, want Counting, no ETA, rate 500", ev)
		}
		p.totalsKnown()
		p.finish()
		synctest.Wait()
		if last := (<-sub.C()).(ProgressEvent); last.Counting {
			t.Errorf("after totalsKnown: %+v, want Counting false", last)
		}
	})
}

// TestDisplayTurnsBackToReading: the uploads are shown from the first
// one on and for showUploadsFor after the last one ended; then the walk's
// reading again, until the next upload; after the walk, only the uploads.
func TestDisplayTurnsBackToReading(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &display{}
		shown := func() State {
			now := time.Now()
			up, read := d.shows(StateUploading, now), d.shows(StateScanning, now)
			if up == read {
				t.Fatalf("both or neither phase shown (uploads %v)", up)
			}
			if up {
				return StateUploading
			}
			return StateScanning
		}
		steps := []struct {
			name string
			do   func()
			want State
		}{
			{"before any upload", func() {}, StateScanning},
			{"an upload starts", func() {
				if !d.uploadStarted() {
					t.Error("the first upload did not turn the display")
				}
			}, StateUploading},
			{"it ends", d.uploadEnded, StateUploading},
			{"a short gap", func() { time.Sleep(showUploadsFor / 2) }, StateUploading},
			{"a long gap", func() { time.Sleep(showUploadsFor) }, StateScanning},
			{"the next upload", func() {
				if !d.uploadStarted() {
					t.Error("an upload after reading did not turn the display")
				}
			}, StateUploading},
			{"a long upload", func() { time.Sleep(10 * showUploadsFor) }, StateUploading},
			{"it ends and the walk ends", func() { d.uploadEnded(); d.endWalk() }, StateUploading},
			{"long after", func() { time.Sleep(10 * showUploadsFor) }, StateUploading},
		}
		for _, s := range steps {
			s.do()
			if got := shown(); got != s.want {
				t.Errorf("%s: %s shown, want %s", s.name, got, s.want)
			}
		}
	})
}
