package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// tipLabelFor finds the visible label whose full text is full.
func tipLabelFor(t *testing.T, w *Window, full string) *tipLabel {
	t.Helper()
	var found *tipLabel
	w.Sync(func() {
		for _, o := range visible(w.win.Canvas()) {
			if l, ok := o.(*tipLabel); ok && l.full == full {
				found = l
			}
		}
	})
	if found == nil {
		t.Fatalf("no label with the full text %q", full)
	}
	return found
}

// waitTip waits until the window's tooltip shows want ("" for none).
func waitTip(t *testing.T, w *Window, want string, why string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		var shown string
		w.Sync(func() { shown = w.tips.shown() })
		if shown == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the tooltip shows %q, want %q", why, shown, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTooltipShowsTheFullPath: resting the pointer on a path cut in the
// middle shows the whole path after a moment; the tooltip stays while the
// pointer moves over it on the label (it does not take the hover), and
// goes when the pointer leaves the label. A path shown whole has none.
func TestTooltipShowsTheFullPath(t *testing.T) {
	long := "/srv/archive/Family photos/2026/Summer holiday in the mountains/Day 3 — the long walk to the lake and back"
	short := "/srv/Music"
	f := signedIn(newFakeBackend(testNow),
		Pair{ID: "p1", Local: long, Remote: "/laptop/Holiday", Enabled: true, Interval: time.Hour},
		Pair{ID: "p2", Local: short, Remote: "/laptop/Music", Enabled: true, Interval: time.Hour})
	old := tipDelay
	tipDelay = 100 * time.Millisecond
	t.Cleanup(func() { tipDelay = old })
	w, c := newTestWindow(t, f)
	wantText(t, c, MiddleCut(long, 80))
	wantNoText(t, c, long)

	label := tipLabelFor(t, w, long)
	drv := fyne.CurrentApp().Driver()
	var at fyne.Position
	move := func(p fyne.Position) { w.Sync(func() { test.MoveMouse(c, p) }) }
	w.Sync(func() { at = drv.AbsolutePositionForObject(label).Add(fyne.NewPos(20, 4)) })
	move(at)
	var early string
	w.Sync(func() { early = w.tips.shown() })
	if early != "" {
		t.Errorf("the tooltip showed at once, before the pointer rested: %q", early)
	}
	waitTip(t, w, long, "pointer resting on the cut path")
	wantShown(t, c, long) // drawn, with a size, on the canvas

	// A point on the label that the tooltip covers: the label keeps the
	// hover, so the tooltip stays (the flicker of an overlay cannot happen).
	var over fyne.Position
	var ok bool
	w.Sync(func() {
		lp, ls := drv.AbsolutePositionForObject(label), label.Size()
		bp, bs := drv.AbsolutePositionForObject(w.tips.box), w.tips.box.Size()
		over = fyne.NewPos(max(lp.X, bp.X)+4, max(lp.Y, bp.Y)+4)
		ok = over.X < min(lp.X+ls.Width, bp.X+bs.Width) && over.Y < min(lp.Y+ls.Height, bp.Y+bs.Height)
	})
	if !ok {
		t.Fatal("the tooltip does not reach over its label: the test cannot put the pointer on both")
	}
	for range 3 {
		move(over)
		over = over.Add(fyne.NewPos(6, 0))
	}
	time.Sleep(2 * tipDelay)
	waitTip(t, w, long, "pointer on the tooltip, still over the label")
	w.Sync(func() { label.SetTexts(MiddleCut(long, 80), long) }) // as a list refreshes its rows
	waitTip(t, w, long, "the label given the same texts again")
	if dir := os.Getenv("JOTTA_SCREENSHOT_DIR"); dir != "" {
		writePNG(t, filepath.Join(dir, "tooltip.png"), c.Capture())
	}

	// Off the label: gone, and no late timer brings it back.
	move(fyne.NewPos(2, 2))
	waitTip(t, w, "", "pointer off the label")
	time.Sleep(2 * tipDelay)
	waitTip(t, w, "", "a while after the pointer left")

	// A path shown whole gets no tooltip.
	plain := tipLabelFor(t, w, short)
	w.Sync(func() { at = drv.AbsolutePositionForObject(plain).Add(fyne.NewPos(10, 4)) })
	move(at)
	time.Sleep(3 * tipDelay)
	waitTip(t, w, "", "a path shown whole")
	move(fyne.NewPos(2, 2))
}

// TestTooltipTakesNoRoom: the layer of tooltips changes neither the
// window's minimum size nor where a click lands.
func TestTooltipTakesNoRoom(t *testing.T) {
	long := "/srv/" + strings.Repeat("a very long folder name/", 20)
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: long, Remote: "/laptop/Long", Enabled: true, Interval: time.Hour})
	w, c := newTestWindow(t, f)
	var before fyne.Size
	w.Sync(func() {
		before = c.Content().MinSize()
		w.tips.show(long, fyne.NewPos(5, 5))
	})
	w.Sync(func() {
		if after := c.Content().MinSize(); after != before {
			t.Errorf("a shown tooltip changed the window's minimum size from %v to %v", before, after)
		}
		if bs, cs := w.tips.box.Size(), c.Size(); bs.Width > cs.Width {
			t.Errorf("the tooltip (%v) is wider than the window (%v)", bs, cs)
		}
	})
	var edit fyne.CanvasObject
	w.Sync(func() {
		for _, o := range visible(c) {
			if b, ok := o.(*keyButton); ok && b.Text == "Edit…" {
				edit = b
			}
		}
	})
	if edit == nil {
		t.Fatal("no Edit… button")
	}
	test.TapCanvas(c, fyne.CurrentApp().Driver().AbsolutePositionForObject(edit).Add(fyne.NewPos(5, 5))) // under the layer
	if w.editor == nil {
		t.Error("a click under the tooltip layer did not reach the button")
	}
}
