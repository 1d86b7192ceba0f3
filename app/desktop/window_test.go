package desktop_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"jottacloudclient/app"
	"jottacloudclient/app/desktop"
	"jottacloudclient/app/settings"
)

type offAutostart struct{}

func (offAutostart) Enable(string) error    { return nil }
func (offAutostart) Disable() error         { return nil }
func (offAutostart) Enabled() (bool, error) { return false, nil }

// objects walks the visible objects of a canvas, overlays included.
func objects(c fyne.Canvas) []fyne.CanvasObject {
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
	walk(c.Content())
	for _, o := range c.Overlays().List() {
		walk(o)
	}
	return out
}

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
	for _, o := range objects(c) {
		if l, ok := asLabel(o); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

// eventually retries find on the UI goroutine until it succeeds.
func eventually[T any](t *testing.T, w *settings.Window, what string, find func() (T, bool)) T {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var v T
		var ok bool
		w.Sync(func() { v, ok = find() })
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			var shown string
			w.Sync(func() { shown = texts(w.Window().Canvas()) })
			t.Fatalf("never saw %s; the window shows:\n%s", what, shown)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// asButton returns the widget.Button that o is or wraps (the window's
// buttons wrap one to take Return and Enter).
func asButton(o fyne.CanvasObject) (*widget.Button, bool) {
	if w, ok := o.(interface{ Inner() *widget.Button }); ok {
		return w.Inner(), true
	}
	b, ok := o.(*widget.Button)
	return b, ok
}

func buttonIn(c fyne.Canvas, label string) (*widget.Button, bool) {
	for _, o := range objects(c) {
		if b, ok := asButton(o); ok && b.Text == label && !b.Disabled() {
			return b, true
		}
	}
	return nil, false
}

// asEntry returns the widget.Entry that o is or wraps (the window's
// entries wrap one to hand Escape to the window).
func asEntry(o fyne.CanvasObject) (*widget.Entry, bool) {
	if w, ok := o.(interface{ Inner() *widget.Entry }); ok {
		return w.Inner(), true
	}
	e, ok := o.(*widget.Entry)
	return e, ok
}

func entryIn(c fyne.Canvas, placeholderPrefix string) (*widget.Entry, bool) {
	for _, o := range objects(c) {
		if e, ok := asEntry(o); ok && strings.HasPrefix(e.PlaceHolder, placeholderPrefix) {
			return e, true
		}
	}
	return nil, false
}

func textShown(c fyne.Canvas, sub string) (struct{}, bool) {
	return struct{}{}, strings.Contains(texts(c), sub)
}

// TestWindowOnRealControllerDemoFlow is the newcomer's path through the
// real application, with the built-in demo service behind it: the welcome
// page, "Try the demo", the sample folder backed up, then a folder of the
// user's own added and backed up.
func TestWindowOnRealControllerDemoFlow(t *testing.T) {
	root, ctl, w := demoWindow(t)
	c := w.Window().Canvas()

	// A folder of the user's own.
	docs := filepath.Join(root, "Documents")
	if err := os.MkdirAll(filepath.Join(docs, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"a.txt": "abc", "sub/b.txt": "de"} {
		if err := os.WriteFile(filepath.Join(docs, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	addFolder(t, w, docs)
	eventually(t, w, "the new folder backed up", func() (struct{}, bool) { return textShown(c, "Backed up just now · 2 files") })

	s := ctl.Status()
	if len(s.Pairs) != 2 {
		t.Fatalf("%d pairs configured, want the sample and Documents", len(s.Pairs))
	}
	for _, p := range s.Pairs {
		if p.LastComplete.IsZero() || p.Problems != 0 {
			t.Errorf("pair %s: last complete %v, %d problems", p.ID, p.LastComplete, p.Problems)
		}
	}
}

// demoWindow starts the real controller in a temporary home, shows the
// settings window on it, starts the demo and waits for its sample folder
// to be backed up. Everything stops when the test ends.
func demoWindow(t *testing.T) (string, *app.Controller, *settings.Window) {
	t.Helper()
	root, _, ctl := newController(t)
	a := test.NewTempApp(t)
	w := settings.New(a, desktop.New(ctl), settings.Config{})
	t.Cleanup(w.Stop)
	w.Sync(func() {
		w.Window().Resize(fyne.NewSize(900, 900))
		w.Show()
	})
	c := w.Window().Canvas()
	demo := eventually(t, w, "the demo button", func() (*widget.Button, bool) { return buttonIn(c, "Try the demo") })
	w.Sync(func() { test.Tap(demo) })
	eventually(t, w, "the sample folder backed up", func() (struct{}, bool) { return textShown(c, "Backed up just now · 3 files") })
	return root, ctl, w
}

// newController starts the real controller in a temporary home (root),
// with a fake keyring; it stops when the test ends.
func newController(t *testing.T) (string, app.Paths, *app.Controller) {
	t.Helper()
	keyring.MockInit()
	root := t.TempDir()
	paths := app.Paths{
		Config:   filepath.Join(root, "config", "config.toml"),
		CredsDir: filepath.Join(root, "config"),
		StateDir: filepath.Join(root, "state"),
		LockDir:  filepath.Join(root, "config"),
	}
	ctl, err := app.NewController(context.Background(), app.ControllerOptions{
		Paths:     paths,
		Getenv:    func(string) string { return "" },
		NetrcPath: filepath.Join(root, "no-netrc"),
		Autostart: offAutostart{},
		Debounce:  50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctl.Close() })
	return root, paths, ctl
}

// addFolder adds dir as a folder pair through the pair editor.
func addFolder(t *testing.T, w *settings.Window, dir string) {
	t.Helper()
	c := w.Window().Canvas()
	add := eventually(t, w, "Add folder…", func() (*widget.Button, bool) { return buttonIn(c, "Add folder…") })
	w.Sync(func() { test.Tap(add) })
	local := eventually(t, w, "the local folder field", func() (*widget.Entry, bool) { return entryIn(c, "Folder on this computer") })
	w.Sync(func() { test.Type(local, dir) })
	save := eventually(t, w, "Save", func() (*widget.Button, bool) { return buttonIn(c, "Save") })
	w.Sync(func() { test.Tap(save) })
}
