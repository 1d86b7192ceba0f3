package assets

import _ "embed"

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
