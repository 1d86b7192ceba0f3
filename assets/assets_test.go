package assets

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func TestIconsDecode(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		size int
	}{
		{"app", AppIcon, 256},
		{"idle", TrayIdle, 64},
		{"syncing", TraySyncing, 64},
		{"paused", TrayPaused, 64},
		{"problem", TrayProblem, 64},
		{"signed out", TraySignedOut, 64},
	}
	seen := map[string]string{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img, err := png.Decode(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if b := img.Bounds(); b.Dx() != tc.size || b.Dy() != tc.size {
				t.Fatalf("size = %v, want %d×%d", b, tc.size, tc.size)
			}
			if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
				t.Errorf("top-left corner is not transparent (alpha %d)", a)
			}
			if opaque := opaqueShare(img); opaque < 0.25 {
				t.Errorf("only %.0f%% of the icon is drawn", opaque*100)
			}
			if other, dup := seen[string(tc.data)]; dup {
				t.Errorf("icon is identical to %s", other)
			}
			seen[string(tc.data)] = tc.name
		})
	}
}

func opaqueShare(img image.Image) float64 {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a > 0x8000 {
				n++
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}

func TestTrayIconSizes(t *testing.T) {
	for _, state := range []string{"idle", "syncing", "paused", "problem", "signed_out"} {
		imgs, err := TrayIcon(state)
		if err != nil {
			t.Fatal(err)
		}
		if len(imgs) != len(TraySizes) {
			t.Fatalf("%s: %d sizes, want %d", state, len(imgs), len(TraySizes))
		}
		for i, data := range imgs {
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s %d: %v", state, TraySizes[i], err)
			}
			if b := img.Bounds(); b.Dx() != TraySizes[i] || b.Dy() != TraySizes[i] {
				t.Errorf("%s: size %v, want %d", state, b, TraySizes[i])
			}
		}
	}
	if _, err := TrayIcon("nonsense"); err == nil {
		t.Error("an unknown state has an icon")
	}
}

func TestTrayIconVariants(t *testing.T) {
	for _, variant := range []string{TrayLight, TrayDark} {
		colour, _ := TrayIcon("paused")
		imgs, err := TrayIconVariant("paused", variant)
		if err != nil {
			t.Fatal(err)
		}
		if len(imgs) != len(TraySizes) {
			t.Fatalf("%s: %d sizes, want %d", variant, len(imgs), len(TraySizes))
		}
		for i := range imgs {
			if string(imgs[i]) == string(colour[i]) {
				t.Errorf("%s at %d px is the colour icon", variant, TraySizes[i])
			}
		}
	}
	if _, err := TrayIconVariant("idle", "sepia"); err == nil {
		t.Error("an unknown variant has an icon")
	}
}
