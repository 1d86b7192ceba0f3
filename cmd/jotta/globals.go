package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// globals are the flags every command shares.
type globals struct {
	endpoint string // --endpoint / JOTTACLOUD_ENDPOINT: one base URL for JFS and the JSON API
	logLevel string // --loglevel
	stderr   io.Writer
	stdout   io.Writer
}

func newGlobals() *globals {
	return &globals{stdout: os.Stdout, stderr: os.Stderr}
}

func (g *globals) register(root *cobra.Command) {
	pf := root.PersistentFlags()
	pf.StringVar(&g.endpoint, "endpoint", os.Getenv("JOTTACLOUD_ENDPOINT"),
		"base URL for all JottaCloud API calls, e.g. http://127.0.0.1:PORT for the emulator (env JOTTACLOUD_ENDPOINT)")
	pf.StringVar(&g.logLevel, "loglevel", "warn", "log level: debug, info, warn or error")
}

// logger returns a logger on stderr at the chosen level: plain notes at
// the default level, structured text lines with --loglevel info or debug.
func (g *globals) logger() (*slog.Logger, error) {
	var lvl slog.Level
	switch strings.ToLower(g.logLevel) {
	case "debug":
		lvl = slog.LevelDebug
	case "info":
		lvl = slog.LevelInfo
	case "warn", "warning":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		return nil, withCode(exitUsage, fmt.Errorf("unknown --loglevel %q: use debug, info, warn or error", g.logLevel))
	}
	if lvl >= slog.LevelWarn {
		// What a person sees by default: plain notes.
		return slog.New(newNoteHandler(g.stderr, lvl)), nil
	}
	return slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: lvl})), nil
}
