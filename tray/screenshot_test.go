package tray

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestMenuScreenshot renders the tray's own menu, in the middle of a
// backup, with Fyne's software painter: the picture in the README. It
// checks that the status line and every command made it into the image.
func TestMenuScreenshot(t *testing.T) {
	h := newTestTray(t)
	h.send(State{Phase: Syncing, Pairs: 2, FilesDone: 12, FilesTotal: 340, BytesLeft: 1_200_000_000})

	var img image.Image
	menu := h.tr.Menu()
	icon := canvas.NewImageFromResource(Icon(Syncing))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(32))
	w := test.NewTempWindow(t, container.NewBorder(container.NewHBox(icon), nil, nil, nil, widget.NewMenu(menu)))
	w.Resize(fyne.NewSize(380, 330))
	img = w.Canvas().Capture()
	labels := labels(menu)

	if got, want := labels[0], "Uploading 12 of 340 files — 1.2 GB left"; got != want {
		t.Errorf("status line %q, want %q", got, want)
	}
	if len(labels) != 7 {
		t.Errorf("menu %q: want the status line and six commands", labels)
	}
	colours := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("the menu rendered as %d colours: nothing drawn", len(colours))
	}
	if dir := os.Getenv("JOTTA_SCREENSHOT_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, "jotta-tray-menu.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}
}
