//go:build !((linux || freebsd || openbsd || netbsd) && !android)

package tray

import (
	"context"
	"errors"
)

// WatchColorScheme calls f(SchemeNone): only the XDG desktop portal of the
// free desktops is asked for the colour scheme.
func WatchColorScheme(_ context.Context, f func(Scheme)) error {
	f(SchemeNone)
	return errors.New("the desktop's colour scheme is read from the XDG desktop portal only")
}
