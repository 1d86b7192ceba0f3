package assets

import (
	"embed"
	"fmt"
)

//go:generate go run ./gen -out .

// AppIcon is the application icon (256×256 PNG), also named in FyneApp.toml.
//
//go:embed icon.png
var AppIcon []byte

// Tray-state icons, 64×64 PNG: a cloud with a coloured badge.
var (
	//go:embed tray_idle.png
	TrayIdle []byte
	//go:embed tray_syncing.png
	TraySyncing []byte
	//go:embed tray_paused.png
	TrayPaused []byte
	//go:embed tray_problem.png
	TrayProblem []byte
	//go:embed tray_signed_out.png
	TraySignedOut []byte
)

//go:embed tray_*.png
var trayFS embed.FS

// TraySizes are the sizes every tray icon is drawn at, smallest first.
var TraySizes = []int{16, 22, 32, 64}

// Tray icon variants: the colour icons, and monochrome ones that tell the
// state by shape alone, for panels that show icons in one colour.
const (
	TrayColour = ""      // a cloud with a coloured badge
	TrayLight  = "light" // dark ink on transparency, for light panels
	TrayDark   = "dark"  // white on transparency, for dark panels
)

// TrayIcon returns the colour tray icon of a state ("idle", "syncing",
// "paused", "problem", "signed_out") at each of TraySizes, smallest first,
// so a panel can take the one that fits instead of scaling a large one down.
func TrayIcon(state string) ([][]byte, error) { return TrayIconVariant(state, TrayColour) }

// TrayIconVariant is TrayIcon in one of the variants TrayColour, TrayLight
// and TrayDark.
func TrayIconVariant(state, variant string) ([][]byte, error) {
	base := "tray_" + state
	if variant != TrayColour {
		base += "_" + variant
	}
	var out [][]byte
	for _, size := range TraySizes {
		name := fmt.Sprintf("%s_%d.png", base, size)
		if size == 64 {
			name = base + ".png"
		}
		data, err := trayFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("no tray icon %s: %w", name, err)
		}
		out = append(out, data)
	}
	return out, nil
}
