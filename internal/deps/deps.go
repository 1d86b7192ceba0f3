//go:build tools

// Package deps pins modules the project is adopting so that go mod tidy keeps
// them while their first users are written.
package deps

import (
	_ "fyne.io/fyne/v2/app"
	_ "fyne.io/fyne/v2/driver/desktop"
	_ "fyne.io/fyne/v2/test"
	_ "fyne.io/fyne/v2/widget"
	_ "fyne.io/systray"
	_ "github.com/BurntSushi/toml"
	_ "github.com/fsnotify/fsnotify"
	_ "github.com/go-git/go-git/v5/plumbing/format/gitignore"
	_ "github.com/godbus/dbus/v5"
	_ "github.com/gofrs/flock"
	_ "github.com/jdx/go-netrc"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/zalando/go-keyring"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/oauth2"
	_ "golang.org/x/sync/singleflight"
	_ "golang.org/x/term"
	_ "golang.org/x/text/unicode/norm"
	_ "golang.org/x/time/rate"
)
