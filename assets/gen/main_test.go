package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedIconsAreCurrent fails when the drawing code changed but the
// committed PNGs were not regenerated with go generate.
func TestCommittedIconsAreCurrent(t *testing.T) {
	for name, want := range Icons() {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", name))
			if err != nil {
				t.Fatalf("read committed icon: %v (run go generate ./assets)", err)
			}
			got, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !samePixels(got, want) {
				t.Errorf("%s differs from the generator's output; run go generate ./assets", name)
			}
		})
	}
}

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	if err := writeAll(dir); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(Icons()) {
		t.Errorf("wrote %d files, want %d", len(entries), len(Icons()))
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, aa := a.At(x, y).RGBA()
			br, bg, bb, ba := b.At(x, y).RGBA()
			if ar != br || ag != bg || ab != bb || aa != ba {
				return false
			}
		}
	}
	return true
}

// TestGeneratorIsDeterministic: two runs write the same bytes.
func TestGeneratorIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := writeAll(a); err != nil {
		t.Fatal(err)
	}
	if err := writeAll(b); err != nil {
		t.Fatal(err)
	}
	for name := range Icons() {
		x, errX := os.ReadFile(filepath.Join(a, name))
		y, errY := os.ReadFile(filepath.Join(b, name))
		if errX != nil || errY != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs (%v %v)", name, errX, errY)
		}
	}
}

var monoStates = []string{"idle", "syncing", "paused", "problem", "signed_out"}

// TestMonochromeIconsUseOneColour: each monochrome icon is one colour on
// transparency (its edges only fade), dark ink for light panels and white
// for dark ones, and draws a good part of its square.
func TestMonochromeIconsUseOneColour(t *testing.T) {
	icons := Icons()
	for _, state := range monoStates {
		for variant, ink := range monoInks {
			for _, size := range traySizes {
				name := trayFile("tray_"+state, variant, size)
				img, ok := icons[name].(*image.NRGBA)
				if !ok {
					t.Fatalf("no icon %s", name)
				}
				drawn := 0
				for i := 0; i < len(img.Pix); i += 4 {
					p := img.Pix[i : i+4]
					if p[3] == 0 {
						continue
					}
					drawn++
					if p[0] != ink.R || p[1] != ink.G || p[2] != ink.B {
						t.Fatalf("%s has a pixel of colour %v, not only %v", name, p, ink)
					}
				}
				if share := float64(drawn) / float64(size*size); share < 0.2 {
					t.Errorf("%s draws only %.0f%% of its square", name, share*100)
				}
			}
		}
	}
}

// TestMonochromeStatesDifferAt16Pixels: at the smallest size, the states
// differ from each other in shape (alpha alone), by at least a tenth of
// the pixels that either draws.
func TestMonochromeStatesDifferAt16Pixels(t *testing.T) {
	icons := Icons()
	alpha := func(state string) []byte {
		img := icons[trayFile("tray_"+state, "light", 16)].(*image.NRGBA)
		out := make([]byte, 0, 256)
		for i := 3; i < len(img.Pix); i += 4 {
			out = append(out, img.Pix[i])
		}
		return out
	}
	for i, a := range monoStates {
		for _, b := range monoStates[i+1:] {
			x, y := alpha(a), alpha(b)
			differ, drawn := 0, 0
			for p := range x {
				if x[p] > 0x80 || y[p] > 0x80 {
					drawn++
				}
				if (x[p] > 0x80) != (y[p] > 0x80) {
					differ++
				}
			}
			if differ*10 < drawn {
				t.Errorf("at 16 px %s and %s differ in %d of %d drawn pixels", a, b, differ, drawn)
			}
			t.Logf("%s/%s: %d of %d pixels differ", a, b, differ, drawn)
		}
	}
}
