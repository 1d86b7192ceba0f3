// Package assets embeds the application icon and the tray-state icons (in
// colour, and monochrome for light and dark panels) as PNG bytes, generated
// by ./gen (go generate) and committed. It depends on nothing in the project
// and must not import fyne, so any package may use it.
package assets
