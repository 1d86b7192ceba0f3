package settings

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// escRadio is a row (or column) of radio buttons drawn as
// widget.RadioGroup draws them, whose buttons hand Escape to the window.
// Fyne's group keeps its buttons inside, where no wrapper reaches them, and
// a focused one swallows Escape. Tab reaches each button; Space or a tap
// selects it; the arrow keys select the button before or after and move
// the focus there. A choice, once made, stays made: tapping the selected
// button again keeps it selected.
type escRadio struct {
	widget.DisableableWidget
	Options    []string
	Selected   string
	Horizontal bool
	OnChanged  func(string)

	escaper
}

// newRadio is widget.NewRadioGroup for this window.
func (w *Window) newRadio(options []string, changed func(string)) *escRadio {
	r := &escRadio{Options: options, OnChanged: changed, escaper: escaper{w.escape}}
	r.ExtendBaseWidget(r)
	return r
}

// SetSelected selects option and tells OnChanged when that changes it.
func (r *escRadio) SetSelected(option string) {
	if r.Selected == option {
		return
	}
	r.Selected = option
	if r.OnChanged != nil {
		r.OnChanged(option)
	}
	r.Refresh()
}

// CreateRenderer is Fyne's hook to draw the group.
func (r *escRadio) CreateRenderer() fyne.WidgetRenderer {
	g := &radioRenderer{radio: r}
	g.update()
	return g
}

// radioRenderer lays the buttons out in cells of one size, side by side or
// one under the other, as widget.RadioGroup does.
type radioRenderer struct {
	radio *escRadio
	items []fyne.CanvasObject // *radioButton, one per option
}

func (g *radioRenderer) cell() fyne.Size {
	var s fyne.Size
	for _, it := range g.items {
		s = s.Max(it.MinSize())
	}
	return s
}

func (g *radioRenderer) Layout(fyne.Size) {
	cell := g.cell()
	var pos fyne.Position
	for _, it := range g.items {
		it.Resize(cell)
		it.Move(pos)
		if g.radio.Horizontal {
			pos.X += cell.Width
		} else {
			pos.Y += cell.Height
		}
	}
}

func (g *radioRenderer) MinSize() fyne.Size {
	cell, n := g.cell(), float32(len(g.items))
	if g.radio.Horizontal {
		return fyne.NewSize(cell.Width*n, cell.Height)
	}
	return fyne.NewSize(cell.Width, cell.Height*n)
}

// step selects the option d places from the one at i and focuses its
// button; at either end it stays.
func (g *radioRenderer) step(i, d int) {
	j := i + d
	if g.radio.Disabled() || j < 0 || j >= len(g.items) {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(g.radio); c != nil {
		c.Focus(g.items[j].(fyne.Focusable))
	}
	g.radio.SetSelected(g.radio.Options[j])
}

func (g *radioRenderer) Objects() []fyne.CanvasObject { return g.items }
func (g *radioRenderer) Destroy()                     {}

func (g *radioRenderer) Refresh() {
	g.update()
	g.Layout(g.radio.Size())
	canvas.Refresh(g.radio)
}

// update makes one button per option and redraws each.
func (g *radioRenderer) update() {
	for len(g.items) < len(g.radio.Options) {
		b := &radioButton{group: g, index: len(g.items)}
		b.ExtendBaseWidget(b)
		g.items = append(g.items, b)
	}
	g.items = g.items[:len(g.radio.Options)]
	for _, it := range g.items {
		it.Refresh()
	}
}

// radioButton is one button of an escRadio.
type radioButton struct {
	widget.BaseWidget
	group            *radioRenderer
	index            int
	focused, hovered bool
}

var (
	_ fyne.Disableable  = (*radioButton)(nil)
	_ fyne.Focusable    = (*radioButton)(nil)
	_ fyne.Tappable     = (*radioButton)(nil)
	_ desktop.Hoverable = (*radioButton)(nil)
)

// Option is the button's label, for code that finds buttons by their
// text (tests that drive the window).
func (b *radioButton) Option() string {
	if opts := b.group.radio.Options; b.index < len(opts) {
		return opts[b.index]
	}
	return "" // an option since removed
}

func (b *radioButton) selected() bool { return b.group.radio.Selected == b.Option() }

// Disabled, Enable and Disable are the group's: Tab skips the buttons of
// a disabled group.
func (b *radioButton) Disabled() bool { return b.group.radio.Disabled() }
func (b *radioButton) Enable()        { b.group.radio.Enable() }
func (b *radioButton) Disable()       { b.group.radio.Disable() }

// Tapped focuses the button and selects it.
func (b *radioButton) Tapped(*fyne.PointEvent) {
	if b.Disabled() {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(b); c != nil && !fyne.CurrentDevice().IsMobile() {
		c.Focus(b)
	}
	b.group.radio.SetSelected(b.Option())
}

// TypedRune selects the button on Space.
func (b *radioButton) TypedRune(r rune) {
	if r == ' ' && !b.Disabled() {
		b.group.radio.SetSelected(b.Option())
	}
}

// TypedKey gives Escape to the window and moves the selection with the
// arrow keys.
func (b *radioButton) TypedKey(ev *fyne.KeyEvent) {
	b.group.radio.typedKey(ev, func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyUp, fyne.KeyLeft:
			b.group.step(b.index, -1)
		case fyne.KeyDown, fyne.KeyRight:
			b.group.step(b.index, 1)
		}
	})
}

func (b *radioButton) FocusGained() { b.focused = true; b.Refresh() }
func (b *radioButton) FocusLost()   { b.focused = false; b.Refresh() }

func (b *radioButton) MouseIn(*desktop.MouseEvent)    { b.hovered = true; b.Refresh() }
func (b *radioButton) MouseMoved(*desktop.MouseEvent) {}
func (b *radioButton) MouseOut()                      { b.hovered = false; b.Refresh() }

// CreateRenderer draws the button as Fyne's radio item does: a round
// focus or hover mark behind the circle, the circle (filled when
// selected) and the label.
func (b *radioButton) CreateRenderer() fyne.WidgetRenderer {
	r := &radioButtonRenderer{b: b, label: canvas.NewText("", color.Transparent)}
	r.update()
	return r
}

type radioButtonRenderer struct {
	b         *radioButton
	mark      canvas.Circle // focus or hover
	fill, rim canvas.Image
	label     *canvas.Text
}

func (r *radioButtonRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{&r.mark, &r.fill, &r.rim, r.label}
}

func (r *radioButtonRenderer) Destroy() {}

func (r *radioButtonRenderer) Layout(size fyne.Size) {
	th := r.b.Theme()
	inner, border, icon := th.Size(theme.SizeNameInnerPadding), th.Size(theme.SizeNameInputBorder), th.Size(theme.SizeNameInlineIcon)
	mark := fyne.NewSquareSize(icon + inner)
	r.mark.Resize(mark)
	r.mark.Move(fyne.NewPos(border, (size.Height-mark.Height)/2))
	r.label.Resize(size)
	r.label.Move(fyne.NewPos(mark.Width+th.Size(theme.SizeNamePadding), 0))
	at := fyne.NewPos(inner/2+border, (size.Height-icon)/2)
	for _, img := range []*canvas.Image{&r.fill, &r.rim} {
		img.Resize(fyne.NewSquareSize(icon))
		img.Move(at)
	}
}

func (r *radioButtonRenderer) MinSize() fyne.Size {
	th := r.b.Theme()
	inner := th.Size(theme.SizeNameInnerPadding) * 2
	return r.label.MinSize().AddWidthHeight(inner+th.Size(theme.SizeNameInlineIcon)+th.Size(theme.SizeNamePadding), inner)
}

func (r *radioButtonRenderer) Refresh() {
	r.update()
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}

// update sets the colours of Fyne's radio item for the button's state.
func (r *radioButtonRenderer) update() {
	th, v := r.b.Theme(), fyne.CurrentApp().Settings().ThemeVariant()
	disabled, selected := r.b.Disabled(), r.b.selected()

	r.label.Text = r.b.Option()
	r.label.TextSize = th.Size(theme.SizeNameText)
	r.label.Color = th.Color(theme.ColorNameForeground, v)
	fill, rim := theme.ColorNameInputBackground, theme.ColorNameInputBorder
	switch {
	case disabled && selected:
		fill, rim = theme.ColorNameDisabled, theme.ColorNameDisabled
	case disabled:
		fill, rim = theme.ColorNameBackground, theme.ColorNameDisabled
	case selected:
		fill, rim = theme.ColorNamePrimary, theme.ColorNameForeground
	}
	if disabled {
		r.label.Color = th.Color(theme.ColorNameDisabled, v)
	}
	r.fill.Resource = themed(th.Icon(theme.IconNameRadioButtonFill), fill)
	r.rim.Resource = themed(th.Icon(theme.IconNameRadioButton), rim)
	r.fill.Refresh()
	r.rim.Refresh()

	r.mark.FillColor = color.Transparent
	switch {
	case disabled:
	case r.b.focused:
		r.mark.FillColor = th.Color(theme.ColorNameFocus, v)
	case r.b.hovered:
		r.mark.FillColor = th.Color(theme.ColorNameHover, v)
	}
}

// themed is res drawn in the theme's colour named name.
func themed(res fyne.Resource, name fyne.ThemeColorName) fyne.Resource {
	t := theme.NewThemedResource(res)
	t.ColorName = name
	return t
}
