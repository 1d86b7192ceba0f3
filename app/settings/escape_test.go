package settings

import (
	"context"
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"jottacloudclient/app/restore"
)

// pressEscape types Escape as the window delivers it: to the focused
// widget, or to the window when no widget has the focus.
func pressEscape(w *Window) { pressKey(w, fyne.KeyEscape) }

// pressKey types the key named name as the window delivers it (see
// pressEscape).
func pressKey(w *Window, name fyne.KeyName) {
	w.Sync(func() {
		ev := &fyne.KeyEvent{Name: name}
		if f := w.win.Canvas().Focused(); f != nil {
			f.TypedKey(ev)
		} else {
			w.win.Canvas().OnTypedKey()(ev)
		}
	})
	w.waitIdle()
}

// focusIn focuses e, types into it and fails unless it has the focus.
func focusIn(t *testing.T, w *Window, e fyne.Focusable, text string) {
	t.Helper()
	c := w.win.Canvas()
	var focused fyne.Focusable
	w.Sync(func() {
		c.Focus(e)
		test.Type(e, text)
		focused = c.Focused()
	})
	w.waitIdle()
	if focused != e {
		t.Fatalf("the focus is on %T, not on the field", focused)
	}
}

func overlays(w *Window) int { return len(w.win.Canvas().Overlays().List()) }

// noRestore is a Restorer that has nothing to restore.
type noRestore struct{}

func (noRestore) RestoreSource(context.Context, string) (RestoreSource, error) {
	return RestoreSource{}, errors.New("nothing backed up yet")
}

func (noRestore) Restore(context.Context, *restore.Snapshot, string, restore.Options) (*restore.Result, error) {
	return nil, errors.New("nothing to restore")
}

// TestEscapeInAFieldClosesItsDialog: Escape typed while a text field of a
// dialog has the focus closes that dialog, and only that one, as its
// Cancel button does: nothing typed there is saved. In the window itself
// Escape takes the focus from the field and changes nothing.
func TestEscapeInAFieldClosesItsDialog(t *testing.T) {
	dir := localFolder(t, "Photos")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Photos", Enabled: true, Interval: time.Hour})
	w, c := newTestWindow(t, f)

	// The pair editor, with edits in its fields.
	test.Tap(button(t, c, "Edit…"))
	ed := w.editor
	ed.remote.SetText("")
	focusIn(t, w, ed.remote, "/elsewhere/Other")
	focusIn(t, w, ed.excludes, "*.raw")
	pressEscape(w)
	w.waitIdle()
	if overlays(w) != 0 {
		t.Fatal("Escape in the editor's Leave out field did not close the editor")
	}
	if f.called("SavePair") != 0 || f.pairs[0].Remote != "/laptop/Photos" || len(f.pairs[0].Excludes) != 0 {
		t.Fatalf("Escape saved the edits: %d saves, pair %+v", f.called("SavePair"), f.pairs[0])
	}

	// The editor again, with the focus on its Save button after edits.
	test.Tap(button(t, c, "Edit…"))
	ed = w.editor
	focusIn(t, w, ed.excludes, "*.raw")
	focusIn(t, w, ed.save, "")
	pressEscape(w)
	if overlays(w) != 0 || f.called("SavePair") != 0 {
		t.Fatalf("Escape on the focused Save button: %d dialogs open, %d saves", overlays(w), f.called("SavePair"))
	}

	// The place chooser over the editor: Escape closes the chooser only,
	// and what was typed there does not reach the editor.
	test.Tap(button(t, c, "Edit…"))
	ed = w.editor
	test.Tap(button(t, c, "Browse…"))
	w.waitIdle()
	focusIn(t, w, w.chooser.folder, "sub")
	pressEscape(w)
	if overlays(w) != 1 {
		t.Fatalf("Escape in the chooser left %d dialogs open, want the editor", overlays(w))
	}
	if ed.remote.Text != "/laptop/Photos" {
		t.Errorf("the cancelled chooser changed the editor's place to %q", ed.remote.Text)
	}
	focusIn(t, w, ed.local, "")
	pressEscape(w)
	if overlays(w) != 0 {
		t.Fatal("Escape in the editor's folder field did not close the editor")
	}
	// The chooser's device field, which has a list of its own.
	test.Tap(button(t, c, "Edit…"))
	test.Tap(button(t, c, "Browse…"))
	w.waitIdle()
	focusIn(t, w, w.chooser.device, "x")
	pressEscape(w)
	pressEscape(w) // the focus left with the chooser: Escape reaches the window and closes the editor
	if overlays(w) != 0 {
		t.Fatalf("two Escapes left %d dialogs open", overlays(w))
	}

	// The restore dialog's "Another folder" field.
	var rd *restoreDialog
	w.Sync(func() {
		rd = openRestore(w, noRestore{}, f.pairs[0])
		rd.where.SetSelected(restoreElsewhere)
	})
	w.waitIdle()
	focusIn(t, w, rd.other, "/tmp/x")
	pressEscape(w)
	if overlays(w) != 0 {
		t.Fatal("Escape in the restore dialog's folder field did not close it")
	}

	// A confirmation without fields: Escape answers no.
	test.Tap(button(t, c, "Remove…"))
	if overlays(w) != 1 {
		t.Fatalf("%d dialogs after Remove", overlays(w))
	}
	pressEscape(w)
	w.waitIdle()
	if overlays(w) != 0 || f.called("RemovePair") != 0 {
		t.Fatalf("Escape on the confirmation: %d dialogs open, %d removals", overlays(w), f.called("RemovePair"))
	}

	// A button of the window: Escape leaves it and presses nothing.
	var add *keyButton
	w.Sync(func() { add = w.folders.add })
	focusIn(t, w, add, "")
	pressEscape(w)
	if c.Focused() != nil || overlays(w) != 0 {
		t.Errorf("Escape on the focused Add folder button: focus on %T, %d dialogs", c.Focused(), overlays(w))
	}

	// The window's own fields: Escape leaves the field and saves nothing
	// that was not saved before.
	saves := f.called("SaveOptions")
	w.Sync(func() { w.tabs.SelectIndex(2) })
	focusIn(t, w, w.options.transfers, "")
	pressEscape(w)
	if c.Focused() != nil {
		t.Errorf("Escape in the Options page left the focus on %T", c.Focused())
	}
	if f.called("SaveOptions") != saves {
		t.Error("Escape saved the options")
	}
	if !w.signedIn {
		t.Error("Escape in the window signed out")
	}
}

// TestEscapeOnACheckOrAListClosesItsDialog: a focused tick box or list
// (one with its list closed) hands Escape on too: the editor closes as its
// Cancel does, without saving the ticked box, and in the Options page the
// focus leaves the box.
func TestEscapeOnACheckOrAListClosesItsDialog(t *testing.T) {
	dir := localFolder(t, "Photos")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Photos", Enabled: true, Interval: time.Hour})
	w, c := newTestWindow(t, f)
	for _, focus := range []func(*pairEditor) fyne.Focusable{
		func(ed *pairEditor) fyne.Focusable { return ed.hidden },
		func(ed *pairEditor) fyne.Focusable { return ed.interval },
	} {
		test.Tap(button(t, c, "Edit…"))
		ed := w.editor
		w.Sync(func() { ed.hidden.SetChecked(!ed.hidden.Checked) })
		focusIn(t, w, focus(ed), "")
		pressEscape(w)
		if overlays(w) != 0 {
			t.Fatalf("Escape on the editor's %T did not close the editor", focus(ed))
		}
		if f.called("SavePair") != 0 || f.pairs[0].Hidden {
			t.Fatalf("Escape saved the edit: %d saves, pair %+v", f.called("SavePair"), f.pairs[0])
		}
	}
	saves := f.called("SaveOptions")
	w.Sync(func() { w.tabs.SelectIndex(2) })
	focusIn(t, w, w.options.notifications, "")
	pressEscape(w)
	if c.Focused() != nil || f.called("SaveOptions") != saves {
		t.Errorf("Escape on an Options box: focus on %T, %d saves (was %d)", c.Focused(), f.called("SaveOptions"), saves)
	}
}

// TestEscapeInTheTokenField takes the focus from the first run's token field.
func TestEscapeInTheTokenField(t *testing.T) {
	w, c := newTestWindow(t, newFakeBackend(testNow))
	focusIn(t, w, w.welcome.token, "abc")
	pressEscape(w)
	if c.Focused() != nil {
		t.Errorf("Escape left the focus on %T", c.Focused())
	}
	if w.welcome.token.Text != "abc" {
		t.Errorf("Escape changed the token field to %q", w.welcome.token.Text)
	}
}

// visibleOf is the first visible T of the window, dialogs included.
func visibleOf[T any](t *testing.T, w *Window) T {
	t.Helper()
	var found T
	var ok bool
	w.Sync(func() {
		for _, o := range visible(w.win.Canvas()) {
			if found, ok = o.(T); ok {
				return
			}
		}
	})
	if !ok {
		t.Fatalf("no visible %T", found)
	}
	return found
}

// TestEscapeInAListOrTreeClosesItsDialog: the list of held deletions, the
// list of skipped items, the restore dialog's tree and a tick box in it,
// each with the focus, hand Escape on: the dialog closes, deciding nothing.
func TestEscapeInAListOrTreeClosesItsDialog(t *testing.T) {
	dir := localFolder(t, "Home")
	p := Pair{ID: "home", Local: dir, Remote: "/laptop/Home", Enabled: true, Interval: time.Hour}
	p.Status = PairStatus{LastComplete: testNow.Add(-time.Minute), Files: 2, Bytes: 5,
		Held: []HeldItem{{Path: "notes.txt", Files: 1, Bytes: 12}}, HeldWhy: "Deleted at once.",
		Skipped: []SkippedItem{{Path: dir + "/run/app.sock", Reason: "special file (socket)"}}}
	f := signedIn(newFakeBackend(testNow), p)
	w, c := newTestWindow(t, f)

	for _, open := range []string{"Review deletions…", "Show skipped…"} {
		test.Tap(button(t, c, open))
		w.waitIdle()
		focusIn(t, w, visibleOf[*escList](t, w), "")
		pressEscape(w)
		if overlays(w) != 0 {
			t.Fatalf("Escape on the focused list of %q left %d dialogs open", open, overlays(w))
		}
	}
	if n := f.called("ConfirmDeletions") + f.called("KeepDeletions") + f.called("SavePair"); n != 0 {
		t.Errorf("Escape on a list decided something: %d calls", n)
	}

	restoreWithTree := func() *restoreDialog {
		var rd *restoreDialog
		w.Sync(func() {
			rd = openRestore(w, noRestore{}, f.pairs[0])
			rd.showSnapshot(&restore.Snapshot{Folders: []string{"sub"}, Files: []restore.File{{Rel: "a.txt", Size: 3}, {Rel: "sub/b.txt", Size: 2}}})
		})
		w.waitIdle()
		return rd
	}
	rd := restoreWithTree()
	focusIn(t, w, rd.tree, "")
	pressEscape(w)
	if overlays(w) != 0 {
		t.Fatal("Escape on the focused tree left the restore dialog open")
	}

	restoreWithTree()
	tick := visibleOf[*escCheck](t, w)
	w.Sync(func() { test.Tap(tick) })
	w.waitIdle()
	if c.Focused() != tick || !tick.Checked {
		t.Fatalf("tapping a tick box of the tree: focus on %T, ticked %v", c.Focused(), tick.Checked)
	}
	pressEscape(w)
	if overlays(w) != 0 {
		t.Fatal("Escape on a focused tick box of the tree left the restore dialog open")
	}
}
