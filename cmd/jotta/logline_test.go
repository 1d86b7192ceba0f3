package main

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestNoteHandlerWritesPlainLines(t *testing.T) {
	cases := []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"warning with a path and an error", func(l *slog.Logger) {
			l.Warn("the OS keyring is not available; the session is kept in a file only you can read",
				"path", "/home/a/.config/s.json", "keyring_err", errors.New(`exec: "dbus-launch": executable file not found`))
		}, "jotta: note: the OS keyring is not available; the session is kept in a file only you can read (path /home/a/.config/s.json); details with --loglevel debug\n"},
		{"error", func(l *slog.Logger) {
			l.Error("index meta write failed", "pair", "docs", "err", errors.New("disk full"))
		},
			"jotta: error: index meta write failed (pair docs); details with --loglevel debug\n"},
		{"attributes of the logger and a group", func(l *slog.Logger) {
			l.With("pair", "docs").WithGroup("walk").Warn("folders left out", "items", 3)
		}, "jotta: note: folders left out (pair docs, walk.items 3)\n"},
		{"below the level", func(l *slog.Logger) { l.Info("listing spooled", "items", 10) }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			c.log(slog.New(newNoteHandler(&b, slog.LevelWarn)))
			if b.String() != c.want {
				t.Errorf("wrote %q, want %q", b.String(), c.want)
			}
			if strings.Contains(b.String(), "level=") || strings.Contains(b.String(), "dbus-launch") {
				t.Errorf("technical text reached the note: %q", b.String())
			}
		})
	}
}
