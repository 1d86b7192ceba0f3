package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// engineIsTerminal reports whether w is a terminal (progress bars only go
// there unless asked for).
func engineIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// enginePlural returns "1 file" or "2 files".
func enginePlural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// engineWhen prints a pass time for people: local time and how long ago.
func engineWhen(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	ago := now.Sub(t).Round(time.Second)
	if ago < 0 {
		ago = 0
	}
	return fmt.Sprintf("%s (%s ago)", t.Local().Format("2006-01-02 15:04:05"), ago)
}

// engineBytes formats n with binary units, e.g. "1.5 MiB".
func engineBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 5 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[i])
}
