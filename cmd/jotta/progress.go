package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"jottacloudclient/syncer"
)

// passProgress shows a running pass on a terminal: one bar per phase
// (hashing, then uploading), in bytes, with the current file. While the
// walk still finds files the total is unknown, so a spinner counts what
// was done instead of a bar that would always look nearly full. Messages
// printed while a bar is shown clear it first.
type passProgress struct {
	w        io.Writer
	bar      *progressbar.ProgressBar
	phase    syncer.State
	counting bool
	width    int // 0: fit the terminal
}

func newPassProgress(w io.Writer) *passProgress { return &passProgress{w: w} }

// update draws ev.
func (p *passProgress) update(ev syncer.ProgressEvent) {
	if p.bar == nil || p.phase != ev.Phase || p.counting != ev.Counting {
		p.finishBar()
		p.phase, p.counting = ev.Phase, ev.Counting
		p.bar = p.newBar(ev)
	}
	if ev.BytesTotal > 0 && ev.BytesTotal != p.bar.GetMax64() && !ev.Counting {
		p.bar.ChangeMax64(ev.BytesTotal)
	}
	desc := fmt.Sprintf("%s %d/%d", progressPhaseLabel(ev.Phase), ev.FilesDone, ev.FilesTotal)
	if ev.Counting {
		desc = fmt.Sprintf("%s %s (%s) so far", progressPhaseLabel(ev.Phase),
			enginePlural(int64(ev.FilesDone), "file", "files"), engineBytes(ev.BytesDone))
	}
	if ev.Current != "" {
		desc += " " + progressShorten(ev.Current, 32)
	}
	p.bar.Describe(desc)
	done := ev.BytesDone
	if ev.BytesTotal == 0 && ev.FilesTotal > 0 && ev.FilesDone >= ev.FilesTotal {
		done = 1 // a phase of empty files is complete too
	}
	if ev.Counting {
		_ = p.bar.Set64(done)
		return
	}
	_ = p.bar.Set64(min(done, p.bar.GetMax64()))
}

// newBar is a bar for ev's phase in bytes, or a spinner while ev's
// totals still grow. The spinner turns with each update only, so nothing
// writes to the terminal between updates.
func (p *passProgress) newBar(ev syncer.ProgressEvent) *progressbar.ProgressBar {
	total := max(ev.BytesTotal, 1)
	if ev.Counting {
		total = -1
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(progressPhaseLabel(ev.Phase)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(!ev.Counting),
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionSetWidth(p.barWidth()),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	)
}

func (p *passProgress) barWidth() int {
	if p.width > 0 {
		return p.width
	}
	if f, ok := p.w.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 80 {
			return min(w-60, 60)
		}
	}
	return 20
}

// note prints a message on its own line, above the bar.
func (p *passProgress) note(msg string) {
	if p.bar != nil && !p.bar.IsFinished() {
		_ = p.bar.Clear()
	}
	fmt.Fprintln(p.w, msg)
}

// finishBar completes the current bar, if any. A spinner is cleared
// instead: its last count may be behind (the summary has the final one).
func (p *passProgress) finishBar() {
	switch {
	case p.bar == nil || p.bar.IsFinished():
	case p.counting:
		_ = p.bar.Clear()
	default:
		_ = p.bar.Finish()
	}
	p.bar = nil
}

// done ends the display before the summary is printed.
func (p *passProgress) done() { p.finishBar() }

func progressPhaseLabel(s syncer.State) string {
	if s == syncer.StateScanning {
		return "hashing"
	}
	return "uploading"
}

// shorten keeps the end of s (the file name matters most).
func progressShorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}
