package settings

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"jottacloudclient/app/restore"
)

// onTop is every object of the dialog on top that Tab can focus, in the
// order Tab visits them.
func onTop(t *testing.T, w *Window) []fyne.Focusable {
	t.Helper()
	var out []fyne.Focusable
	w.Sync(func() {
		top := w.win.Canvas().Overlays().Top()
		if top == nil {
			return
		}
		for _, o := range visibleIn(top) {
			if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
				continue // Tab skips it
			}
			if f, ok := o.(fyne.Focusable); ok {
				out = append(out, f)
			}
		}
	})
	if len(out) == 0 {
		t.Fatal("no dialog with something to focus is open")
	}
	return out
}

// dialogButton is the keyButton labelled label in the dialog on top.
func dialogButton(t *testing.T, w *Window, label string) *keyButton {
	t.Helper()
	for _, f := range onTop(t, w) {
		if b, ok := f.(*keyButton); ok && b.Text == label {
			return b
		}
	}
	t.Fatalf("the dialog on top has no button %q", label)
	return nil
}

// TestEscapeFromEveryPartOfADialog: in every dialog of the window, each
// button, field, list and choice, focused, hands Escape on: the dialog
// on top closes as its dismissing button would, and nothing is removed,
// signed out, decided, saved or restored.
func TestEscapeFromEveryPartOfADialog(t *testing.T) {
	dir := localFolder(t, "Home")
	p := Pair{ID: "home", Local: dir, Remote: "/laptop/Home", Enabled: true, Interval: time.Hour, Symlinks: SymlinksSkip}
	p.Status = PairStatus{LastComplete: testNow.Add(-time.Minute), Files: 2, Bytes: 5,
		Held: []HeldItem{{Path: "notes.txt", Files: 1, Bytes: 12}}, HeldWhy: "Deleted at once.",
		Skipped: []SkippedItem{{Path: dir + "/link.txt", Reason: linkNotFollowed}}}
	f := signedIn(newFakeBackend(testNow), p)
	w, c := newTestWindow(t, f)
	tap := func(tab int, labels ...string) func() {
		return func() {
			w.Sync(func() { w.tabs.SelectIndex(tab) })
			for _, l := range labels {
				test.Tap(button(t, c, l))
				w.waitIdle()
			}
		}
	}
	restoreDialog := func() {
		w.Sync(func() {
			rd := openRestore(w, noRestore{}, f.pairs[0])
			rd.showSnapshot(&restore.Snapshot{Folders: []string{"sub"}, Files: []restore.File{{Rel: "a.txt", Size: 3}, {Rel: "sub/b.txt", Size: 2}}})
		})
		w.waitIdle()
	}

	for _, k := range []struct {
		name    string
		open    func()
		under   int      // dialogs under it, which stay open
		buttons []string // its buttons named in the issue, at least
	}{
		{"stop backing up", tap(0, "Remove…"), 0, []string{"Keep", "Stop backing up"}},
		{"sign out", tap(3, "Sign out"), 0, []string{"No", "Sign out"}},
		{"held deletions", tap(0, "Review deletions…"), 0, []string{"Decide later", "Keep them in JottaCloud", "Move to JottaCloud trash"}},
		{"skipped items", tap(0, "Show skipped…"), 0, []string{"Close", "Follow links inside the folder"}},
		{"folder editor", tap(0, "Edit…"), 0, []string{"Browse…"}},
		{"place chooser", tap(0, "Edit…", "Browse…"), 1, nil},
		{"restore", restoreDialog, 0, nil},
	} {
		k.open()
		n := len(onTop(t, w))
		for _, label := range k.buttons {
			dialogButton(t, w, label) // each is ours, not one Fyne draws itself
		}
		if n < len(k.buttons) {
			t.Fatalf("%s: %d focusable parts, fewer than its %d buttons", k.name, n, len(k.buttons))
		}
		pressEscape(w) // nothing focused: the window's Escape
		for i := range n {
			closeAll(w)
			k.open()
			parts := onTop(t, w)
			focusIn(t, w, parts[i], "")
			pressEscape(w)
			if overlays(w) != k.under {
				t.Fatalf("%s: Escape on the focused %T (part %d of %d) left %d dialogs open, want %d", k.name, parts[i], i+1, n, overlays(w), k.under)
			}
		}
		closeAll(w)
		if n := f.called("RemovePair") + f.called("SignOut") + f.called("ConfirmDeletions") + f.called("KeepDeletions") + f.called("SavePair"); n != 0 {
			t.Fatalf("%s: Escape did something: %v", k.name, f.calls)
		}
	}
}

// closeAll closes every dialog of the window with Escape.
func closeAll(w *Window) {
	w.Sync(func() { w.win.Canvas().Unfocus() })
	for i := 0; overlays(w) > 0 && i < 5; i++ {
		pressEscape(w)
	}
}

// TestEnterOnAFocusedDialogButton: Enter presses the focused button of a
// confirmation: on the dismissing one it answers no, on the confirming
// one yes.
func TestEnterOnAFocusedDialogButton(t *testing.T) {
	dir := localFolder(t, "Music")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Music", Enabled: true, Interval: time.Hour})
	w, c := newTestWindow(t, f)

	for _, k := range []struct {
		open, no, yes, call string
		tab                 int
	}{
		{"Remove…", "Keep", "Stop backing up", "RemovePair", 0},
		{"Sign out", "No", "Sign out", "SignOut", 3},
	} {
		for _, label := range []string{k.no, k.yes} {
			w.Sync(func() { w.tabs.SelectIndex(k.tab) })
			test.Tap(button(t, c, k.open))
			w.waitIdle()
			focusIn(t, w, dialogButton(t, w, label), "")
			pressKey(w, fyne.KeyReturn)
			w.waitIdle()
			if overlays(w) != 0 {
				t.Fatalf("Enter on %q left %d dialogs open", label, overlays(w))
			}
			want := 0
			if label == k.yes {
				want = 1
			}
			if got := f.called(k.call); got != want {
				t.Fatalf("Enter on %q: %s called %d times, want %d", label, k.call, got, want)
			}
		}
	}
	wantText(t, c, "Welcome to JottaCloud Backup")
}

// TestEscapeAndEnterOnTheBannersCloseButton: the focused close button of
// the error banner gives Escape to the window, which takes the focus from
// it, and Enter closes the banner.
func TestEscapeAndEnterOnTheBannersCloseButton(t *testing.T) {
	w, c := newTestWindow(t, signedIn(newFakeBackend(testNow)))
	w.Sync(func() { w.showError("Could not start a backup: the network is down") })
	var closer *keyButton
	w.Sync(func() {
		for _, o := range visibleIn(w.bannerBox) {
			if b, ok := o.(*keyButton); ok {
				closer = b
			}
		}
	})
	if closer == nil || closer.Icon == nil {
		t.Fatal("the banner has no close button of the window's own")
	}
	focusIn(t, w, closer, "")
	pressEscape(w)
	if c.Focused() != nil {
		t.Fatalf("Escape left the focus on %T", c.Focused())
	}
	if !w.bannerBox.Visible() {
		t.Fatal("Escape closed the banner; it only takes the focus")
	}
	focusIn(t, w, closer, "")
	pressKey(w, fyne.KeyEnter)
	if w.bannerBox.Visible() {
		t.Error("Enter on the focused close button left the banner open")
	}
}

// TestChooserListButtons: the buttons that open the place chooser's lists
// of devices and mount points open them from the keyboard too, and
// Escape then closes the list, then the chooser.
func TestChooserListButtons(t *testing.T) {
	dir := localFolder(t, "Home")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "home", Local: dir, Remote: "/laptop/Home", Enabled: true, Interval: time.Hour})
	w, c := newTestWindow(t, f)
	test.Tap(button(t, c, "Edit…"))
	test.Tap(button(t, c, "Browse…"))
	w.waitIdle()
	for _, e := range []*escSelectEntry{w.chooser.device, w.chooser.mount} {
		opener, ok := e.ActionItem.(*keyButton)
		if !ok {
			t.Fatalf("the list's button is a %T", e.ActionItem)
		}
		focusIn(t, w, opener, "")
		pressKey(w, fyne.KeyReturn)
		if overlays(w) != 3 {
			t.Fatalf("Enter on the list's button: %d layers open, want editor, chooser and list", overlays(w))
		}
		pressEscape(w)
		if overlays(w) != 2 {
			t.Fatalf("Escape on the open list: %d layers open, want editor and chooser", overlays(w))
		}
	}
	focusIn(t, w, w.chooser.mount.ActionItem.(*keyButton), "")
	pressEscape(w)
	if overlays(w) != 1 {
		t.Fatalf("Escape on the list's button: %d layers open, want the editor", overlays(w))
	}
}
