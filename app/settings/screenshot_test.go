package settings

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/tray"
)

// screenshotState is one state of the app as the README shows it: the
// settings window and, beside it, the tray menu in the same state.
type screenshotState struct {
	name string
	tab  int // -1: the first-run page
	tray tray.State
	set  func(f *fakeBackend, home string)
}

// TestStateScreenshots draws the window and the tray menu in each state a
// user meets, with Fyne's software painter, from folders under the home
// folder (shown as ~/…), so the pictures show no test paths. With
// JOTTA_SCREENSHOT_DIR set it writes them there (docs/screenshots in the
// repository: see the README).
func TestStateScreenshots(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder")
	}
	pictures, documents := filepath.Join(home, "Pictures"), filepath.Join(home, "Documents")
	pairs := func(st PairStatus) []Pair {
		return []Pair{
			{ID: "pictures", Local: pictures, Remote: "/laptop/Pictures", Enabled: true, Interval: time.Hour, Watch: true,
				Status: PairStatus{LastComplete: testNow.Add(-4 * time.Minute), Files: 4_213, Bytes: 18_400_000_000}},
			{ID: "documents", Local: documents, Remote: "/laptop/Documents", Enabled: true, Interval: time.Hour, Watch: true, Status: st},
		}
	}
	done := PairStatus{LastComplete: testNow.Add(-4 * time.Minute), Files: 1_032, Bytes: 2_100_000_000}
	log := []string{"10:02 backed up ~/Pictures: 3 uploaded (12 MB)", "10:26 backed up ~/Documents: 1 uploaded (40 kB)"}
	states := []screenshotState{
		{"idle", 0, tray.State{Phase: tray.Idle, Pairs: 2, LastBackup: testNow.Add(-4 * time.Minute)}, func(f *fakeBackend, _ string) {
			f.pairs = pairs(done)
			f.activity.Log = log
		}},
		{"backing-up", 1, tray.State{Phase: tray.Syncing, Pairs: 2, FilesDone: 12, FilesTotal: 340, BytesLeft: 1_080_000_000}, func(f *fakeBackend, _ string) {
			f.pairs = pairs(PairStatus{Running: true})
			f.activity = Activity{Running: true, PairLocal: documents, FilesDone: 12, FilesTotal: 340,
				BytesDone: 120_000_000, BytesTotal: 1_200_000_000, Rate: 2_500_000, ETA: 7 * time.Minute,
				Current: filepath.Join(documents, "Taxes", "2026", "receipts.pdf"), Log: log}
		}},
		{"paused", 0, tray.State{Phase: tray.Paused, Pairs: 2, PausedUntil: testNow.Add(90 * time.Minute)}, func(f *fakeBackend, _ string) {
			f.pairs = pairs(done)
			f.activity = Activity{Paused: true, PausedUntil: testNow.Add(90 * time.Minute), Log: log}
		}},
		{"problem", 1, tray.State{Phase: tray.Problem, Pairs: 2, Problems: 2, Passes: 3}, func(f *fakeBackend, _ string) {
			f.pairs = pairs(PairStatus{LastComplete: testNow.Add(-2 * time.Minute), Files: 1_030, Bytes: 2_100_000_000, Problems: 2})
			f.activity = Activity{Log: log, Problems: []Problem{
				{PairID: "documents", Path: filepath.Join(documents, "Projects", "budget.xlsx"), Reason: "The file is open in another program. It is tried again on the next backup."},
				{PairID: "documents", Path: filepath.Join(documents, "old", "notes.txt"), Reason: "You may not read this file. Give yourself read access, or leave it out."},
			}}
		}},
		{"needs-decision", 0, tray.State{Phase: tray.Problem, Pairs: 2, LastBackup: testNow.Add(-4 * time.Minute),
			Decision: HeldSummary([]HeldItem{{Files: 212}})}, func(f *fakeBackend, _ string) {
			f.pairs = pairs(PairStatus{LastComplete: testNow.Add(-4 * time.Minute), Files: 820, Bytes: 1_700_000_000,
				Held:    []HeldItem{{Path: "Projects/2024", Dir: true, Files: 212, Bytes: 380_000_000}},
				HeldWhy: "212 files were deleted at once, more than a backup moves to the trash without asking."})
			f.activity.Log = log
		}},
		{"signed-out", -1, tray.State{Phase: tray.SignedOut}, func(f *fakeBackend, _ string) {
			f.account = Account{}
		}},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			f := signedIn(newFakeBackend(testNow))
			f.account.User = "jane@example.org"
			st.set(f, home)
			w, c := newTestWindow(t, f)
			w.win.Resize(fyne.NewSize(760, 540))
			if st.tab >= 0 {
				w.tabs.SelectIndex(st.tab)
			}
			w.waitIdle()
			var shown string
			w.Sync(func() { shown = texts(c) })
			for _, bad := range []string{os.TempDir(), "Test", home + string(filepath.Separator)} {
				if strings.Contains(shown, bad) {
					t.Errorf("the %s screenshot shows %q:\n%s", st.name, bad, shown)
				}
			}
			var win image.Image
			w.Sync(func() {
				c.Content().Refresh() // wrapped text measures itself at the final width
				win = c.Capture()
			})
			menu := menuImage(t, st.tray)
			img := sideBySide(win, menu)
			if n := colourCount(img); n < 50 {
				t.Errorf("the %s screenshot has %d colours: nothing drawn", st.name, n)
			}
			if dir := os.Getenv("JOTTA_SCREENSHOT_DIR"); dir != "" {
				writePNG(t, filepath.Join(dir, "state-"+st.name+".png"), img)
			}
		})
	}
}

// menuImage draws the tray's own menu for s, under its icon.
func menuImage(t *testing.T, s tray.State) image.Image {
	tr := tray.New(nil, tray.Options{Now: func() time.Time { return testNow }, MinInterval: -1})
	tr.Update(s)
	icon := canvas.NewImageFromResource(tray.Icon(s.Phase))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(32))
	tip := widget.NewLabel(tr.Tooltip())
	tip.Truncation = fyne.TextTruncateEllipsis
	w := test.NewTempWindow(t, container.NewVBox(container.NewBorder(nil, nil, icon, nil, tip), widget.NewMenu(tr.Menu())))
	w.Resize(fyne.NewSize(480, 330))
	return w.Canvas().Capture()
}

// sideBySide puts b to the right of a, on a's background.
func sideBySide(a, b image.Image) image.Image {
	ab, bb := a.Bounds(), b.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, ab.Dx()+bb.Dx()+16, max(ab.Dy(), bb.Dy())))
	draw.Draw(out, out.Bounds(), &image.Uniform{color.Gray{Y: 0xd0}}, image.Point{}, draw.Src)
	draw.Draw(out, ab.Sub(ab.Min), a, ab.Min, draw.Src)
	draw.Draw(out, bb.Sub(bb.Min).Add(image.Pt(ab.Dx()+16, 0)), b, bb.Min, draw.Src)
	return out
}

func colourCount(img image.Image) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}] = true
		}
	}
	return len(seen)
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
