//go:build cgo

// Command jotta-tray is the desktop app: a system-tray icon and a settings
// window over the same backup engine as the jotta CLI.
package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("com.jottacloudclient.tray")
	w := a.NewWindow("JottaCloud Backup")
	w.SetContent(widget.NewLabel("JottaCloud Backup"))
	w.ShowAndRun()
}
