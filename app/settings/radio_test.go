package settings

import (
	"image"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// radioIn is the visible radio button labelled option.
func radioIn(t *testing.T, w *Window, option string) *radioButton {
	t.Helper()
	var found *radioButton
	w.Sync(func() {
		for _, o := range visible(w.win.Canvas()) {
			if b, ok := o.(*radioButton); ok && b.Option() == option {
				found = b
			}
		}
	})
	if found == nil {
		t.Fatalf("no radio button %q", option)
	}
	return found
}

// openTestRestore opens the restore dialog of a pair with nothing backed up.
func openTestRestore(t *testing.T) (*Window, *restoreDialog) {
	t.Helper()
	dir := localFolder(t, "Photos")
	f := signedIn(newFakeBackend(testNow), Pair{ID: "p1", Local: dir, Remote: "/laptop/Photos", Enabled: true, Interval: time.Hour})
	w, _ := newTestWindow(t, f)
	var rd *restoreDialog
	w.Sync(func() { rd = openRestore(w, noRestore{}, f.pairs[0]) })
	w.waitIdle()
	return w, rd
}

// TestEscapeOnARadioButtonClosesTheRestoreDialog: whichever radio button
// of the restore dialog has the focus, Escape closes the dialog as its
// Close button does.
func TestEscapeOnARadioButtonClosesTheRestoreDialog(t *testing.T) {
	for _, option := range []string{restoreOriginal, restoreElsewhere, restoreKeepCopies, restoreReplace} {
		t.Run(option, func(t *testing.T) {
			w, _ := openTestRestore(t)
			focusIn(t, w, radioIn(t, w, option), "")
			pressEscape(w)
			if overlays(w) != 0 {
				t.Fatalf("Escape on the focused %q button left %d dialogs open", option, overlays(w))
			}
		})
	}
}

// TestRadioButtonsByKeyboardAndPointer: Tab reaches each button, Space
// and a tap select, the arrow keys move the selection and the focus, and
// a disabled group takes neither.
func TestRadioButtonsByKeyboardAndPointer(t *testing.T) {
	w, rd := openTestRestore(t)
	c := w.win.Canvas()
	original, elsewhere := radioIn(t, w, restoreOriginal), radioIn(t, w, restoreElsewhere)
	keep, replace := radioIn(t, w, restoreKeepCopies), radioIn(t, w, restoreReplace)
	state := func() (where, existing string, focused fyne.Focusable, otherOn bool) {
		w.Sync(func() {
			where, existing, focused, otherOn = rd.where.Selected, rd.existing.Selected, c.Focused(), !rd.other.Disabled()
		})
		return
	}
	key := func(name fyne.KeyName) { w.Sync(func() { c.Focused().TypedKey(&fyne.KeyEvent{Name: name}) }) }

	if where, existing, _, otherOn := state(); where != restoreOriginal || existing != restoreKeepCopies || otherOn {
		t.Fatalf("the dialog opens with %q, %q, folder field enabled %v", where, existing, otherOn)
	}

	// Tab from the first button reaches the second; Space selects it.
	w.Sync(func() { c.Focus(original); c.FocusNext() })
	if _, _, focused, _ := state(); focused != elsewhere {
		t.Fatalf("Tab from The original place went to %v", focused)
	}
	focusIn(t, w, elsewhere, " ")
	if where, _, _, otherOn := state(); where != restoreElsewhere || !otherOn {
		t.Errorf("Space on Another folder: %q selected, folder field enabled %v", where, otherOn)
	}
	// Left goes back to the first, Right at the last stays.
	key(fyne.KeyLeft)
	if where, _, focused, otherOn := state(); where != restoreOriginal || focused != original || otherOn {
		t.Errorf("Left: %q selected, focus on %v, folder field enabled %v", where, focused, otherOn)
	}
	key(fyne.KeyUp)
	if where, _, focused, _ := state(); where != restoreOriginal || focused != original {
		t.Errorf("Up at the first button: %q selected, focus on %v", where, focused)
	}
	w.Sync(func() { c.Focus(keep) })
	key(fyne.KeyDown)
	key(fyne.KeyRight)
	if _, existing, focused, _ := state(); existing != restoreReplace || focused != replace {
		t.Errorf("Down then Right: %q selected, focus on %v", existing, focused)
	}

	// A tap selects and focuses; tapping the selected button keeps it.
	w.Sync(func() { test.Tap(keep); test.Tap(keep) })
	if _, existing, focused, _ := state(); existing != restoreKeepCopies || focused != keep {
		t.Errorf("tapping Keep twice: %q selected, focus on %v", existing, focused)
	}

	// Disabled: taps, Space and Tab pass it by.
	w.Sync(func() {
		rd.existing.Disable()
		test.Tap(replace)
		replace.TypedRune(' ')
		c.Focus(elsewhere)
		c.FocusNext()
	})
	if _, existing, focused, _ := state(); existing != restoreKeepCopies || focused == keep || focused == replace {
		t.Errorf("a disabled group: %q selected, focus on %v", existing, focused)
	}
	w.Sync(func() { rd.existing.Enable(); test.Tap(replace) })
	if _, existing, _, _ := state(); existing != restoreReplace {
		t.Errorf("enabled again, a tap on Replace selects %q", existing)
	}
}

// TestRadioLooksLikeFyne draws escRadio and widget.RadioGroup in the same
// states and wants the same pixels.
func TestRadioLooksLikeFyne(t *testing.T) {
	test.NewTempApp(t)
	options := []string{"The original place", "Another folder", "Replace them"}
	for _, tc := range []struct {
		name       string
		horizontal bool
		selected   string
		disabled   bool
		focus      int // button with the focus, -1 none
		hover      int // button under the pointer, -1 none
	}{
		{"vertical, nothing selected", false, "", false, -1, -1},
		{"horizontal, selected", true, "Another folder", false, -1, -1},
		{"focused", true, "The original place", false, 0, -1},
		{"hovered", false, "Replace them", false, -1, 1},
		{"disabled", true, "Another folder", true, -1, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			draw := func(group fyne.Widget, set func()) image.Image {
				set()
				win := test.NewTempWindow(t, container.NewVBox(group))
				win.Resize(fyne.NewSize(600, 200))
				buttons := test.WidgetRenderer(group).Objects()
				if tc.focus >= 0 {
					win.Canvas().Focus(buttons[tc.focus].(fyne.Focusable))
				}
				if tc.hover >= 0 {
					buttons[tc.hover].(desktop.Hoverable).MouseIn(&desktop.MouseEvent{})
				}
				return win.Canvas().Capture()
			}
			fy := widget.NewRadioGroup(options, nil)
			want := draw(fy, func() {
				fy.Horizontal = tc.horizontal
				fy.SetSelected(tc.selected)
				if tc.disabled {
					fy.Disable()
				}
			})
			ours := &escRadio{Options: options}
			ours.ExtendBaseWidget(ours)
			got := draw(ours, func() {
				ours.Horizontal = tc.horizontal
				ours.SetSelected(tc.selected)
				if tc.disabled {
					ours.Disable()
				}
			})
			if diff := differentPixels(want, got); diff != 0 {
				t.Errorf("%d pixels differ from Fyne's radio group", diff)
			}
		})
	}
}

func differentPixels(a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy()
	}
	n := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				n++
			}
		}
	}
	return n
}
