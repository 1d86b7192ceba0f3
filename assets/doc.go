// Package assets embeds the application and tray-state icons.
package assets
