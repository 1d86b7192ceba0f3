package tray

import (
	"fmt"
	"time"
)

// StatusLine is the first, informational line of the tray menu.
func StatusLine(s State, now time.Time) string {
	switch s.Phase {
	case SignedOut:
		return "Sign in needed"
	case Paused:
		if s.PausedUntil.IsZero() {
			return "Paused"
		}
		return "Paused until " + FormatClock(s.PausedUntil, now)
	case Syncing:
		if s.FilesTotal == 0 {
			return "Looking for changes…"
		}
		switch {
		case s.Reading:
			return fmt.Sprintf("Reading new and changed files — %d so far", s.FilesDone)
		case s.Counting:
			return fmt.Sprintf("Uploading — %d %s sent so far", s.FilesDone, plural(s.FilesDone, "file", "files"))
		}
		line := fmt.Sprintf("Uploading %d of %d %s", s.FilesDone, s.FilesTotal, plural(s.FilesTotal, "file", "files"))
		if s.BytesLeft > 0 {
			line += " — " + FormatBytes(s.BytesLeft) + " left"
		}
		return line
	case Problem:
		if s.PassError != "" && s.Problems == 0 {
			return "Backup failed — will retry"
		}
		if s.Problems > 0 {
			return fmt.Sprintf("%d %s could not be backed up", s.Problems, plural(s.Problems, "file", "files"))
		}
	}
	switch {
	case s.Warning != "":
		return s.Warning
	case s.Decision != "":
		return s.Decision
	case s.Waiting != "":
		return s.Waiting
	}
	if s.Pairs == 0 {
		return "No folders chosen yet"
	}
	if s.LastBackup.IsZero() {
		return "Not backed up yet"
	}
	return "Backed up " + FormatAgo(s.LastBackup, now)
}

// FormatAgo says how long ago t was, coarsely: "just now", "4 min ago",
// "3 hours ago", "yesterday", "on 2 Jan".
func FormatAgo(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 24*time.Hour:
		h := int(d / time.Hour)
		return fmt.Sprintf("%d %s ago", h, plural(h, "hour", "hours"))
	case sameDay(t, now.AddDate(0, 0, -1)):
		return "yesterday"
	case t.Year() == now.Year():
		return "on " + t.Format("2 Jan")
	default:
		return "on " + t.Format("2 Jan 2006")
	}
}

// FormatClock shows a future time: "14:00" today, "tomorrow 09:00" or "Mon 2 Jan 14:00".
func FormatClock(t, now time.Time) string {
	switch {
	case sameDay(t, now):
		return t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, 1)):
		return "tomorrow " + t.Format("15:04")
	default:
		return t.Format("Mon 2 Jan 15:04")
	}
}

// FormatBytes renders a size in decimal units: "999 B", "1.2 kB", "340 MB", "1.2 GB".
func FormatBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	prefix := "kMGTPE"[exp : exp+1]
	if v >= 100 {
		return fmt.Sprintf("%.0f %sB", v, prefix)
	}
	return fmt.Sprintf("%.1f %sB", v, prefix)
}

// TomorrowMorning is when "Pause until tomorrow" ends: 08:00 the next day.
func TomorrowMorning(now time.Time) time.Time {
	y, m, d := now.AddDate(0, 0, 1).Date()
	return time.Date(y, m, d, 8, 0, 0, 0, now.Location())
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
