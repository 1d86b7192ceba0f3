package settings

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keyButton is a widget.Button that Return and Enter press too, not only
// Space, as people expect of a focused button.
type keyButton struct{ widget.Button }

func newKeyButton(label string, tapped func()) *keyButton {
	b := &keyButton{}
	b.Text, b.OnTapped = label, tapped
	b.ExtendBaseWidget(b)
	return b
}

// Inner is the widget.Button within, for code that looks buttons up by
// their widget (tests that drive the window).
func (b *keyButton) Inner() *widget.Button { return &b.Button }

// TypedKey presses the button on Return, Enter and Space, and gives
// Escape to the window (see escape.go).
func (b *keyButton) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter:
		b.Tapped(nil)
	case ev.Name == fyne.KeyEscape && escapeFrom(b):
	default:
		b.Button.TypedKey(ev)
	}
}

// Theme is Fyne's theme with a focus colour that shows on every button,
// also on the blue one, where the default focus colour (a shade of blue)
// disappears. The main package sets it on the application.
func Theme() fyne.Theme { return focusTheme{theme.DefaultTheme()} }

type focusTheme struct{ fyne.Theme }

func (t focusTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameFocus {
		if v == theme.VariantLight {
			return color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0x50}
		}
		return color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x50}
	}
	return t.Theme.Color(n, v)
}
