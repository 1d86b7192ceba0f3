package settings

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne has no tooltips. A tooltip drawn as a canvas overlay would steal
// the hover: while an overlay is up, the driver looks for the object under
// the pointer in the top overlay only, so the label under it would be told
// the mouse left, hide the tooltip, be told the mouse came back, and so on.
// These tooltips are drawn instead in a tipLayer: the top child of a stack
// around the window's content (or a dialog's body). The driver finds the
// hovered object in that same tree, and nothing in a tooltip is Hoverable
// or Tappable, so the label keeps the hover and clicks go through.

// tipDelay is how long the pointer rests on a label before its tooltip shows.
var tipDelay = 500 * time.Millisecond

// tipOffset is where a tooltip goes relative to the pointer: below and to
// the right, clear of the pointer's arrow.
var tipOffset = fyne.NewPos(12, 20)

// tipLayer draws one tooltip at a time over the content it wraps. It
// takes no room: the content alone sets the minimum size.
type tipLayer struct {
	do   func(func())    // runs a function with the UI (Window.do)
	root *fyne.Container // the layer: lays nothing out, measures nothing
	box  *fyne.Container // the tooltip: background and text
	bg   *canvas.Rectangle
	text *widget.Label
}

func newTipLayer(do func(func())) *tipLayer {
	l := &tipLayer{do: do, text: widget.NewLabel("")}
	l.text.Wrapping = fyne.TextWrapBreak // paths have few spaces to wrap at
	l.bg = canvas.NewRectangle(theme.Color(theme.ColorNameMenuBackground))
	l.bg.StrokeWidth = 1
	l.box = container.NewStack(l.bg, l.text)
	l.box.Hide()
	l.root = container.New(freeLayout{}, l.box)
	return l
}

// wrap puts the layer over content.
func (l *tipLayer) wrap(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(content, l.root)
}

// show shows text near the pointer at abs (absolute canvas position),
// inside the layer: below and right of the pointer, or above and left
// where there is no room.
func (l *tipLayer) show(text string, abs fyne.Position) {
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(l.root)
	l.bg.FillColor = theme.Color(theme.ColorNameMenuBackground) // the theme's colours of the moment
	l.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	l.bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	room := l.root.Size()
	l.text.SetText(text)
	pad := 2 * theme.Padding()
	width := min(fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width+2*theme.InnerPadding()+1, room.Width-pad)
	l.text.Resize(fyne.NewSize(width, l.text.MinSize().Height))
	size := fyne.NewSize(width, l.text.MinSize().Height) // the height once wrapped at that width
	at := abs.Subtract(origin).Add(tipOffset)
	if at.X+size.Width > room.Width-theme.Padding() {
		at.X = max(room.Width-theme.Padding()-size.Width, theme.Padding())
	}
	if at.Y+size.Height > room.Height-theme.Padding() {
		at.Y = max(abs.Y-origin.Y-tipOffset.Y-size.Height, theme.Padding())
	}
	l.box.Resize(size)
	l.box.Move(at)
	l.box.Show()
	l.root.Refresh()
}

func (l *tipLayer) hide() {
	if l.box.Visible() {
		l.box.Hide()
		l.root.Refresh()
	}
}

// shown is the tooltip's text, "" when none is shown.
func (l *tipLayer) shown() string {
	if !l.box.Visible() {
		return ""
	}
	return l.text.Text
}

// freeLayout leaves its objects where they were put and asks for no room.
type freeLayout struct{}

func (freeLayout) Layout([]fyne.CanvasObject, fyne.Size) {}
func (freeLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

// tipLabel is a label that may show a shortened text (a path cut in the
// middle, or cut at the end for lack of room); resting the pointer on it
// shows the full text in a tooltip.
type tipLabel struct {
	widget.Label
	layer *tipLayer
	full  string

	mu    sync.Mutex
	timer *time.Timer
	at    fyne.Position // the pointer, absolute
	gen   int           // counts hovers, so that a late timer of an old one does nothing
}

// newTipLabel is a label on layer; set its texts with SetTexts.
func newTipLabel(layer *tipLayer, style fyne.TextStyle) *tipLabel {
	l := &tipLabel{layer: layer}
	l.TextStyle = style
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// SetTexts shows short and keeps full for the tooltip. The same texts
// again (a list refreshed) leave a shown tooltip alone.
func (l *tipLabel) SetTexts(short, full string) {
	if short == l.Text && full == l.full {
		return
	}
	l.hideTip()
	l.full = full
	l.SetText(short)
}

// Inner is the widget.Label within, for code that looks labels up by
// their widget (tests that read the window).
func (l *tipLabel) Inner() *widget.Label { return &l.Label }

// cut reports whether the label does not show its full text.
func (l *tipLabel) cut() bool {
	if l.Text != l.full {
		return true
	}
	w := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width
	return w > l.Size().Width-2*theme.InnerPadding()
}

// MouseIn starts the wait for the tooltip.
func (l *tipLabel) MouseIn(ev *desktop.MouseEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.at = ev.AbsolutePosition
	l.gen++
	gen := l.gen
	if l.timer != nil {
		l.timer.Stop()
	}
	l.timer = time.AfterFunc(tipDelay, func() { l.layer.do(func() { l.showTip(gen) }) })
}

// MouseMoved keeps the tooltip by the pointer.
func (l *tipLabel) MouseMoved(ev *desktop.MouseEvent) {
	l.mu.Lock()
	l.at = ev.AbsolutePosition
	l.mu.Unlock()
	if l.layer.shown() == l.full && l.full != "" {
		l.layer.show(l.full, ev.AbsolutePosition)
	}
}

// MouseOut hides the tooltip.
func (l *tipLabel) MouseOut() { l.hideTip() }

func (l *tipLabel) showTip(gen int) {
	l.mu.Lock()
	at, current := l.at, gen == l.gen && l.timer != nil
	l.mu.Unlock()
	if current && l.Visible() && l.cut() {
		l.layer.show(l.full, at)
	}
}

func (l *tipLabel) hideTip() {
	l.mu.Lock()
	l.gen++
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	l.mu.Unlock()
	if l.layer.shown() == l.full {
		l.layer.hide()
	}
}

var _ desktop.Hoverable = (*tipLabel)(nil)
