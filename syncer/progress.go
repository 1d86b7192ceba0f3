package syncer

import (
	"sync"
	"time"
)

// progress tracks one phase of a pass and publishes throttled updates.
type progress struct {
	e          *Engine
	pair       string
	phase      State
	mu         sync.Mutex
	start      time.Time
	last       time.Time
	filesDone  int
	filesTotal int
	bytesDone  int64
	bytesTotal int64
	current    string
	quiet      bool // publishes nothing until speak
	counting   bool // totals grow with addFile until totalsKnown
	// display, when set, is shared with the pass's other growing phase
	// and says which of the two is shown.
	display *display
}

const progressEvery = 200 * time.Millisecond

func newProgress(e *Engine, pair string, phase State, files int, bytes int64) *progress {
	p := &progress{e: e, pair: pair, phase: phase, start: time.Now(), filesTotal: files, bytesTotal: bytes}
	p.publish(true)
	return p
}

// newQuietProgress starts a phase whose totals grow with addFile until
// totalsKnown and which publishes nothing until speak.
func newQuietProgress(e *Engine, pair string, phase State) *progress {
	return &progress{e: e, pair: pair, phase: phase, start: time.Now(), quiet: true, counting: true}
}

// totalsKnown says no more files will be added.
func (p *progress) totalsKnown() {
	p.mu.Lock()
	p.counting = false
	p.mu.Unlock()
}

// addFile grows the totals by one file of size bytes (for a phase whose
// work is found as it goes).
func (p *progress) addFile(size int64) {
	p.mu.Lock()
	p.filesTotal++
	p.bytesTotal += size
	p.mu.Unlock()
}

// started reports whether any file was counted.
func (p *progress) started() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.filesTotal > 0
}

// speak ends the quiet and publishes the current state.
func (p *progress) speak() {
	p.mu.Lock()
	p.quiet = false
	p.mu.Unlock()
	p.publish(true)
}

func (p *progress) startFile(rel string) {
	p.mu.Lock()
	p.current = rel
	p.mu.Unlock()
	p.publish(false)
}

func (p *progress) addBytes(n int64) {
	p.mu.Lock()
	p.bytesDone += n
	p.mu.Unlock()
	p.publish(false)
}

// fileDone counts a whole file of size bytes (used where bytes are not
// reported as they stream).
func (p *progress) fileDone(rel string, size int64) {
	p.mu.Lock()
	p.filesDone++
	p.bytesDone += size
	p.current = rel
	p.mu.Unlock()
	p.publish(false)
}

func (p *progress) fileFinished() {
	p.mu.Lock()
	p.filesDone++
	p.mu.Unlock()
	p.publish(false)
}

func (p *progress) finish() { p.publish(true) }

func (p *progress) publish(force bool) {
	p.mu.Lock()
	now := time.Now()
	if p.quiet || (!force && now.Sub(p.last) < progressEvery) || !p.display.shows(p.phase, now) {
		p.mu.Unlock()
		return
	}
	p.last = now
	ev := ProgressEvent{
		Pair: p.pair, Phase: p.phase,
		FilesDone: p.filesDone, FilesTotal: p.filesTotal,
		BytesDone: p.bytesDone, BytesTotal: p.bytesTotal,
		Current: p.current, Counting: p.counting,
	}
	if el := now.Sub(p.start).Seconds(); el > 0 && p.bytesDone > 0 {
		ev.Rate = float64(p.bytesDone) / el
		if rem := p.bytesTotal - p.bytesDone; rem > 0 && !p.counting {
			ev.ETA = time.Duration(float64(rem) / ev.Rate * float64(time.Second))
		}
	}
	p.mu.Unlock()
	p.e.emit(ev)
}

// display chooses between the two phases that run while the walk goes on:
// the walk's reading of new and changed files and the uploads that start
// before it ends. The uploads are shown while one runs and for
// showUploadsFor after, so that short gaps between them do not flip the
// display; a long stretch of reading alone (large changed files, which
// upload after the walk) shows the reading again. After the walk, only
// the uploads are shown.
type display struct {
	mu       sync.Mutex
	inFlight int
	lastEnd  time.Time
	uploads  bool // the uploads are shown
	walkDone bool
}

var showUploadsFor = 2 * time.Second

// uploadStarted counts an upload that starts and reports whether the
// display turns to the uploads with it.
func (d *display) uploadStarted() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inFlight++
	turned := !d.uploads
	d.uploads = true
	return turned
}

func (d *display) uploadEnded() {
	d.mu.Lock()
	d.inFlight--
	d.lastEnd = time.Now()
	d.mu.Unlock()
}

// endWalk leaves the display to the uploads.
func (d *display) endWalk() {
	d.mu.Lock()
	d.walkDone, d.uploads = true, true
	d.mu.Unlock()
}

// shows reports whether phase is the one to show at now; a nil display
// shows every phase.
func (d *display) shows(phase State, now time.Time) bool {
	if d == nil {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.uploads && !d.walkDone && d.inFlight == 0 && now.Sub(d.lastEnd) >= showUploadsFor {
		d.uploads = false
	}
	return (phase == StateUploading) == d.uploads
}
