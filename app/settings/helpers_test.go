package settings

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// asButton returns the widget.Button that o is or wraps.
func asButton(o fyne.CanvasObject) (*widget.Button, bool) {
	switch b := o.(type) {
	case *widget.Button:
		return b, true
	case interface{ Inner() *widget.Button }:
		return b.Inner(), true
	}
	return nil, false
}

// visible walks the visible object tree of the window's content and overlays.
func visible(c fyne.Canvas) []fyne.CanvasObject {
	out := visibleIn(c.Content())
	for _, o := range c.Overlays().List() {
		out = append(out, visibleIn(o)...)
	}
	return out
}

// visibleIn is o and every visible object within it, o first.
func visibleIn(o fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// texts is every visible label's text.
// asLabel returns the widget.Label that o is or wraps (labels that show
// their full text on hover wrap one).
func asLabel(o fyne.CanvasObject) (*widget.Label, bool) {
	if w, ok := o.(interface{ Inner() *widget.Label }); ok {
		return w.Inner(), true
	}
	l, ok := o.(*widget.Label)
	return l, ok
}

func texts(c fyne.Canvas) string {
	var b strings.Builder
	for _, o := range visible(c) {
		if l, ok := asLabel(o); ok {
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func button(t *testing.T, c fyne.Canvas, label string) *widget.Button {
	t.Helper()
	var found *widget.Button
	for _, o := range visible(c) {
		if b, ok := asButton(o); ok && b.Text == label {
			if found != nil {
				t.Fatalf("two buttons labelled %q", label)
			}
			found = b
		}
	}
	if found == nil {
		t.Fatalf("no visible button %q; texts:\n%s", label, texts(c))
	}
	return found
}

func buttons(c fyne.Canvas, label string) []*widget.Button {
	var out []*widget.Button
	for _, o := range visible(c) {
		if b, ok := asButton(o); ok && b.Text == label {
			out = append(out, b)
		}
	}
	return out
}

func wantText(t *testing.T, c fyne.Canvas, sub string) {
	t.Helper()
	if !strings.Contains(texts(c), sub) {
		t.Fatalf("window does not show %q; it shows:\n%s", sub, texts(c))
	}
}

func wantNoText(t *testing.T, c fyne.Canvas, sub string) {
	t.Helper()
	if strings.Contains(texts(c), sub) {
		t.Fatalf("window shows %q but should not; it shows:\n%s", sub, texts(c))
	}
}

// laidOut fails unless l is visible with a size and a place of its own.
func laidOut(t *testing.T, what string, l *widget.Label) {
	t.Helper()
	if !l.Visible() || l.Size().Height <= 0 || l.Size().Width <= 0 || l.Position().Y <= 0 {
		t.Errorf("%s %q is not laid out: visible %v, size %v, position %v", what, l.Text, l.Visible(), l.Size(), l.Position())
	}
}

// wantShown is wantText plus a check that the label was laid out with a
// size, so it can actually be seen.
func wantShown(t *testing.T, c fyne.Canvas, sub string) {
	t.Helper()
	wantText(t, c, sub)
	for _, o := range visible(c) {
		if l, ok := asLabel(o); ok && strings.Contains(l.Text, sub) {
			if l.Size().Height <= 0 || l.Size().Width <= 0 {
				t.Fatalf("label %q has size %v: it is not laid out", l.Text, l.Size())
			}
			return
		}
	}
}
