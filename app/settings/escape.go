package settings

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Escape does the same wherever the focus is: it closes the dialog on top
// as its Cancel or Close button would, a menu or other pop-up on top by
// hiding it, and with nothing on top it takes the focus from the field
// that has it. Fyne hands keys to the focused widget and only keys no
// widget took to the window, so every text field of the window is an
// escEntry, every button a keyButton (those of dialogs too: see
// dialogs.go), every tick box an escCheck, every
// drop-down list an escSelect, every list an escList, every tree an
// escTree and every group of radio buttons an escRadio (our own: Fyne
// keeps the buttons of its group inside, out of a wrapper's reach), which
// give Escape to the window instead of swallowing it.

// escapes maps each window's canvas to its escape, for widgets that are
// made without their window (keyButton) and look it up when they need it.
var escapes sync.Map // fyne.Canvas → func()

// escapeFrom does the Escape of the window that shows o; false when o is
// in no settings window.
func escapeFrom(o fyne.CanvasObject) bool {
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil {
		return false
	}
	f, ok := escapes.Load(c)
	if ok {
		f.(func())()
	}
	return ok
}

// showDialog shows d and remembers what Escape does while it is on top:
// cancel, which must close it (as its Cancel button does).
func (w *Window) showDialog(d dialog.Dialog, cancel func()) {
	d.Show()
	overlays := w.win.Canvas().Overlays()
	open := map[fyne.CanvasObject]bool{}
	for _, o := range overlays.List() {
		open[o] = true
	}
	for o := range w.cancels {
		if !open[o] {
			delete(w.cancels, o) // closed since
		}
	}
	if top := overlays.Top(); top != nil {
		w.cancels[top] = cancel
	}
}

// escape is what the Escape key does; it runs on the UI goroutine.
func (w *Window) escape() {
	c := w.win.Canvas()
	top := c.Overlays().Top()
	if top == nil {
		c.Unfocus()
		return
	}
	if cancel, ok := w.cancels[top]; ok {
		delete(w.cancels, top)
		cancel()
		return
	}
	top.Hide()
}

// escaper hands Escape to the window and other keys on to the widget.
type escaper struct{ onEscape func() }

func (e escaper) typedKey(ev *fyne.KeyEvent, other func(*fyne.KeyEvent)) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	other(ev)
}

// escEntry is a widget.Entry that hands Escape to the window.
type escEntry struct {
	widget.Entry
	escaper
}

// newEntry is widget.NewEntry for this window.
func (w *Window) newEntry() *escEntry {
	e := &escEntry{escaper: escaper{w.escape}}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// newMultiLineEntry is widget.NewMultiLineEntry for this window.
func (w *Window) newMultiLineEntry() *escEntry {
	e := w.newEntry()
	e.MultiLine = true
	return e
}

// newPasswordEntry is widget.NewPasswordEntry for this window; the entry
// adds its reveal button itself when it is first drawn.
func (w *Window) newPasswordEntry() *escEntry {
	e := w.newEntry()
	e.Password = true
	return e
}

// Inner is the widget.Entry within, for code that looks entries up by
// their widget (tests that drive the window).
func (e *escEntry) Inner() *widget.Entry { return &e.Entry }

// TypedKey gives Escape to the window and every other key to the entry.
func (e *escEntry) TypedKey(ev *fyne.KeyEvent) { e.typedKey(ev, e.Entry.TypedKey) }

// escSelectEntry is a widget.SelectEntry that hands Escape to the window.
type escSelectEntry struct {
	widget.SelectEntry
	escaper
}

// newSelectEntry is widget.NewSelectEntry for this window. The button
// that opens the list is a keyButton like Fyne's, which Fyne keeps when
// the choices change, so a focused one hands Escape to the window too.
func (w *Window) newSelectEntry() *escSelectEntry {
	e := &escSelectEntry{escaper: escaper{w.escape}}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	e.SetOptions(nil) // Fyne makes its button here
	if fyneButton, ok := e.ActionItem.(*widget.Button); ok {
		b := newKeyButton(fyneButton.Text, fyneButton.OnTapped)
		b.Icon, b.Importance = fyneButton.Icon, fyneButton.Importance
		e.ActionItem = b
	}
	return e
}

// Inner is the widget.Entry within (see escEntry.Inner).
func (e *escSelectEntry) Inner() *widget.Entry { return &e.Entry }

// TypedKey gives Escape to the window and every other key to the entry.
func (e *escSelectEntry) TypedKey(ev *fyne.KeyEvent) { e.typedKey(ev, e.SelectEntry.TypedKey) }

// escCheck is a widget.Check that hands Escape to the window.
type escCheck struct {
	widget.Check
	escaper
}

// newCheck is widget.NewCheck for this window.
func (w *Window) newCheck(label string, changed func(bool)) *escCheck {
	c := &escCheck{escaper: escaper{w.escape}}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// Inner is the widget.Check within (see escEntry.Inner).
func (c *escCheck) Inner() *widget.Check { return &c.Check }

// TypedKey gives Escape to the window and every other key to the box.
func (c *escCheck) TypedKey(ev *fyne.KeyEvent) { c.typedKey(ev, c.Check.TypedKey) }

// escList is a widget.List that hands Escape to the window.
type escList struct {
	widget.List
	escaper
}

// newList is widget.NewList for this window.
func (w *Window) newList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *escList {
	l := &escList{escaper: escaper{w.escape}}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey gives Escape to the window and every other key to the list.
func (l *escList) TypedKey(ev *fyne.KeyEvent) { l.typedKey(ev, l.List.TypedKey) }

// escTree is a widget.Tree that hands Escape to the window.
type escTree struct {
	widget.Tree
	escaper
}

// newTree is widget.NewTree for this window.
func (w *Window) newTree(children func(widget.TreeNodeID) []widget.TreeNodeID, isBranch func(widget.TreeNodeID) bool,
	create func(bool) fyne.CanvasObject, update func(widget.TreeNodeID, bool, fyne.CanvasObject)) *escTree {
	t := &escTree{escaper: escaper{w.escape}}
	t.ChildUIDs, t.IsBranch, t.CreateNode, t.UpdateNode = children, isBranch, create, update
	t.ExtendBaseWidget(t)
	return t
}

// TypedKey gives Escape to the window and every other key to the tree.
func (t *escTree) TypedKey(ev *fyne.KeyEvent) { t.typedKey(ev, t.Tree.TypedKey) }

// escSelect is a widget.Select that hands Escape to the window while its
// list is closed (an open list is a pop-up on top, which Escape closes).
type escSelect struct {
	widget.Select
	escaper
}

// selectPlaceHolder is Fyne's own text for a list with nothing chosen.
var selectPlaceHolder = widget.NewSelect(nil, nil).PlaceHolder

// newSelect is widget.NewSelect for this window.
func (w *Window) newSelect(options []string, changed func(string)) *escSelect {
	s := &escSelect{escaper: escaper{w.escape}}
	s.Options, s.OnChanged, s.PlaceHolder = options, changed, selectPlaceHolder
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey gives Escape to the window and every other key to the list.
func (s *escSelect) TypedKey(ev *fyne.KeyEvent) { s.typedKey(ev, s.Select.TypedKey) }
