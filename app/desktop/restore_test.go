package desktop_test

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// buttonsIn returns the enabled buttons labelled label, in window order.
func buttonsIn(c fyne.Canvas, label string) []*widget.Button {
	var out []*widget.Button
	for _, o := range objects(c) {
		if b, ok := asButton(o); ok && b.Text == label && !b.Disabled() {
			out = append(out, b)
		}
	}
	return out
}

func checkIn(c fyne.Canvas, prefix string) (*widget.Check, bool) {
	for _, o := range objects(c) {
		if ch, ok := o.(interface{ Inner() *widget.Check }); ok && strings.HasPrefix(ch.Inner().Text, prefix) {
			return ch.Inner(), true
		}
	}
	return nil, false
}

// radioButton is a radio button of the window (its own widget, which
// hands Escape to the window).
type radioButton interface {
	fyne.Tappable
	fyne.Focusable
	Option() string
}

func radioIn(c fyne.Canvas, option string) (radioButton, bool) {
	for _, o := range objects(c) {
		if r, ok := o.(radioButton); ok && r.Option() == option {
			return r, true
		}
	}
	return nil, false
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("read %s: %v", p, err)
	}
	return string(b)
}

// TestRestoreDialogOnRealController backs a folder up through the real
// application and the demo service, changes it while backups are paused,
// and restores it from the folder's "Restore…" dialog: everything back to
// the original place (the local edit kept as a conflict copy), then one
// ticked folder into another folder.
func TestRestoreDialogOnRealController(t *testing.T) {
	root, ctl, w := demoWindow(t)
	c := w.Window().Canvas()
	docs := filepath.Join(root, "Documents")
	files := map[string]string{"a.txt": "abc", "sub/b.txt": "de", "sub/deeper/c.txt": "fgh"}
	for name, body := range files {
		p := filepath.Join(docs, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	addFolder(t, w, docs)
	backedUp := func() (struct{}, bool) {
		for _, p := range ctl.Status().Pairs {
			if p.Pair.LocalPath() == docs && !p.LastComplete.IsZero() {
				return struct{}{}, true
			}
		}
		return struct{}{}, false
	}
	eventually(t, w, "Documents backed up", backedUp)

	// Changes made while backups are paused exist only here.
	if err := ctl.Pause(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "a.txt"), []byte("local edit"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(docs, "sub")); err != nil {
		t.Fatal(err)
	}

	// The Restore… button of the Documents row.
	idx := -1
	for i, p := range ctl.Status().Pairs {
		if p.Pair.LocalPath() == docs {
			idx = i
		}
	}
	open := eventually(t, w, "Restore… on each folder", func() (*widget.Button, bool) {
		bs := buttonsIn(c, "Restore…")
		if idx < 0 || len(bs) <= idx {
			return nil, false
		}
		return bs[idx], true
	})
	w.Sync(func() { test.Tap(open) })
	eventually(t, w, "the latest tree", func() (struct{}, bool) { return textShown(c, "3 files, 8 B") })
	start := eventually(t, w, "the Restore button", func() (*widget.Button, bool) { return buttonIn(c, "Restore") })
	w.Sync(func() { test.Tap(start) })
	eventually(t, w, "the result", func() (struct{}, bool) { return textShown(c, "Restored 3 files") })
	eventually(t, w, "the conflict copy named", func() (struct{}, bool) { return textShown(c, "kept as conflict copies") })
	for name, body := range files {
		if got := readFile(t, filepath.Join(docs, filepath.FromSlash(name))); got != body {
			t.Errorf("%s holds %q after the restore, want %q", name, got, body)
		}
	}
	copies, _ := filepath.Glob(filepath.Join(docs, "a (conflict *).txt"))
	if len(copies) != 1 || readFile(t, copies[0]) != "local edit" {
		t.Errorf("conflict copies %v, want one holding the local edit", copies)
	}

	// Only the ticked folder, into another folder.
	other := filepath.Join(root, "elsewhere")
	sub := eventually(t, w, "the sub folder in the tree", func() (*widget.Check, bool) { return checkIn(c, "sub") })
	w.Sync(func() { test.Tap(sub) })
	elsewhere := eventually(t, w, "the Another folder choice", func() (radioButton, bool) { return radioIn(c, "Another folder") })
	w.Sync(func() { test.Tap(elsewhere) })
	dest := eventually(t, w, "the other folder field", func() (*widget.Entry, bool) { return entryIn(c, "Folder to restore into") })
	w.Sync(func() { test.Type(dest, other) })
	start = eventually(t, w, "the Restore button", func() (*widget.Button, bool) { return buttonIn(c, "Restore") })
	w.Sync(func() { test.Tap(start) })
	eventually(t, w, "the second result", func() (struct{}, bool) { return textShown(c, "Restored 2 files to") })
	got := map[string]string{}
	_ = filepath.Walk(other, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(other, p)
			got[filepath.ToSlash(rel)] = readFile(t, p)
		}
		return nil
	})
	if len(got) != 2 || got["sub/b.txt"] != "de" || got["sub/deeper/c.txt"] != "fgh" {
		t.Errorf("the other folder holds %v, want sub/ only", got)
	}

	// Everything back to the original place again, chosen by keyboard,
	// this time replacing the local edit instead of keeping a copy.
	if err := os.WriteFile(filepath.Join(docs, "a.txt"), []byte("second edit"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Sync(func() { test.Tap(sub) }) // unticked: nothing ticked restores everything
	keyTo := func(option string, ev func(radioButton)) {
		b := eventually(t, w, "the "+option+" choice", func() (radioButton, bool) { return radioIn(c, option) })
		w.Sync(func() { c.Focus(b); ev(b) })
	}
	keyTo("Another folder", func(b radioButton) { b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft}) })
	keyTo("Replace them", func(b radioButton) { b.TypedRune(' ') })
	start = eventually(t, w, "the Restore button", func() (*widget.Button, bool) { return buttonIn(c, "Restore") })
	w.Sync(func() { test.Tap(start) })
	eventually(t, w, "the third result", func() (struct{}, bool) { return textShown(c, "1 file was replaced") })
	if got := readFile(t, filepath.Join(docs, "a.txt")); got != "abc" {
		t.Errorf("a.txt holds %q after replacing, want the backed-up %q", got, "abc")
	}
	if copies, _ = filepath.Glob(filepath.Join(docs, "a (conflict *).txt")); len(copies) != 1 {
		t.Errorf("replacing made conflict copies: %v", copies)
	}

	// The result line sits below the choices, not over them.
	w.Sync(func() {
		var result, choice *widget.Label
		for _, o := range objects(c) {
			if l, ok := asLabel(o); ok && strings.HasPrefix(l.Text, "Restored ") {
				result = l
			} else if ok && l.Text == "Files already there that differ" {
				choice = l
			}
		}
		if result == nil || choice == nil {
			t.Errorf("result line found %v, choice row found %v", result != nil, choice != nil)
			return
		}
		d := fyne.CurrentApp().Driver()
		if r, ch := d.AbsolutePositionForObject(result), d.AbsolutePositionForObject(choice); r.Y < ch.Y+choice.Size().Height {
			t.Errorf("the result line (y %v) is drawn over the choices (row at y %v, %v high)", r.Y, ch.Y, choice.Size().Height)
		}
	})

	if dir := os.Getenv("JOTTA_SCREENSHOT_DIR"); dir != "" {
		var img = c.Capture()
		w.Sync(func() { img = c.Capture() })
		f, err := os.Create(filepath.Join(dir, "restore.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}
}
