package settings

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// onTop is every focusable object of the dialog on top, in the order Tab
// visits them.
func onTop(t *testing.T, w *Window) []fyne.Focusable {
	t.Helper()
	var out []fyne.Focusable
	w.Sync(func() {
		top := w.win.Canvas().Overlays().Top()
		if top == nil {
			return
		}
		for _, o := range visibleIn(top) {
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

// dialogKind opens one dialog of the window; its buttons are checked by
// label, and its other focusable parts (lists) by count.
type dialogKind struct {
	name    string
	open    string   // the window's button that opens it
	tab     int      // the page that button is on
	buttons []string // every button of the dialog, dismissing one first
}

// TestEscapeFromEveryPartOfADialog: in the confirmations, the held
// deletions review and the list of skipped items, each button and list,
// focused, hands Escape on: the dialog closes as its dismissing button
// would, and nothing is removed, signed out, decided or changed.
func TestEscapeFromEveryPartOfADialog(t *testing.T) {
	dir := localFolder(t, "Home")
	p := Pair{ID: "home", Local: dir, Remote: "/laptop/Home", Enabled: true, Interval: time.Hour, Symlinks: SymlinksSkip}
	p.Status = PairStatus{LastComplete: testNow.Add(-time.Minute), Files: 2, Bytes: 5,
		Held: []HeldItem{{Path: "notes.txt", Files: 1, Bytes: 12}}, HeldWhy: "Deleted at once.",
		Skipped: []SkippedItem{{Path: dir + "/link.txt", Reason: linkNotFollowed}}}
	f := signedIn(newFakeBackend(testNow), p)
	w, c := newTestWindow(t, f)

	kinds := []dialogKind{
		{"stop backing up", "Remove…", 0, []string{"Keep", "Stop backing up"}},
		{"sign out", "Sign out", 3, []string{"No", "Sign out"}},
		{"held deletions", "Review deletions…", 0, []string{"Decide later", "Keep them in JottaCloud", "Move to JottaCloud trash"}},
		{"skipped items", "Show skipped…", 0, []string{"Close", "Follow links inside the folder"}},
	}
	for _, k := range kinds {
		open := func() []fyne.Focusable {
			w.Sync(func() { w.tabs.SelectIndex(k.tab) })
			test.Tap(button(t, c, k.open))
			w.waitIdle()
			return onTop(t, w)
		}
		n := len(open())
		for _, label := range k.buttons {
			dialogButton(t, w, label) // each is ours, not one Fyne draws itself
		}
		if n < len(k.buttons) {
			t.Fatalf("%s: %d focusable parts, fewer than its %d buttons", k.name, n, len(k.buttons))
		}
		pressEscape(w) // nothing focused: the window's Escape
		if overlays(w) != 0 {
			t.Fatalf("%s: Escape left %d dialogs open", k.name, overlays(w))
		}
		for i := range n {
			parts := open()
			focusIn(t, w, parts[i], "")
			pressEscape(w)
			if overlays(w) != 0 {
				t.Fatalf("%s: Escape on the focused %T (part %d of %d) left %d dialogs open", k.name, parts[i], i+1, n, overlays(w))
			}
		}
		if n := f.called("RemovePair") + f.called("SignOut") + f.called("ConfirmDeletions") + f.called("KeepDeletions") + f.called("SavePair"); n != 0 {
			t.Fatalf("%s: Escape did something: %v", k.name, f.calls)
		}
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
