package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"jottacloudclient/tray"
)

// intervals are the choices offered for how often a pair is backed up.
var intervals = []struct {
	label string
	d     time.Duration
}{
	{"Every 15 minutes", 15 * time.Minute},
	{"Every hour", time.Hour},
	{"Every 6 hours", 6 * time.Hour},
	{"Once a day", 24 * time.Hour},
}

func intervalLabels() []string {
	out := make([]string, len(intervals))
	for i, iv := range intervals {
		out[i] = iv.label
	}
	return out
}

// intervalLabel names d; durations not in the list are shown as they are.
func intervalLabel(d time.Duration) string {
	for _, iv := range intervals {
		if iv.d == d {
			return iv.label
		}
	}
	return "Every " + d.String()
}

func intervalFromLabel(l string) time.Duration {
	for _, iv := range intervals {
		if iv.label == l {
			return iv.d
		}
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(l, "Every ")); err == nil {
		return d
	}
	return 0
}

// choices are the values a Select offers with their labels, in the order
// offered; the first is the default, shown for a value not among them.
type choices[T comparable] []struct {
	value T
	label string
}

func (cs choices[T]) labels() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.label
	}
	return out
}

func (cs choices[T]) label(v T) string {
	for _, c := range cs {
		if c.value == v {
			return c.label
		}
	}
	return cs[0].label
}

func (cs choices[T]) value(label string) T {
	for _, c := range cs {
		if c.label == label {
			return c.value
		}
	}
	return cs[0].value
}

var pruneChoices = choices[Prune]{
	{PruneNone, "Keep everything in JottaCloud"},
	{PruneFiles, "Remove files deleted here"},
	{PruneFolders, "Remove folders deleted here"},
	{PruneAll, "Remove files and folders deleted here"},
}

const (
	symlinksSkipLabel   = "Skip symbolic links"
	symlinksFollowLabel = "Follow symbolic links"
)

// PairSummary is the status line under a pair in the folder list.
func PairSummary(p Pair, now time.Time) string {
	s := p.Status
	var parts []string
	switch {
	case !p.Enabled:
		parts = append(parts, "Switched off")
	case s.Running:
		parts = append(parts, "Backing up…")
	case s.Error != "":
		parts = append(parts, "Last backup failed: "+s.Error)
	case s.LastComplete.IsZero():
		parts = append(parts, "Not backed up yet")
	default:
		parts = append(parts, "Backed up "+tray.FormatAgo(s.LastComplete, now))
	}
	if s.Files > 0 || !s.LastComplete.IsZero() {
		parts = append(parts, fmt.Sprintf("%d %s", s.Files, plural(int(s.Files), "file", "files")), tray.FormatBytes(s.Bytes))
	}
	if s.Problems > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", s.Problems, plural(s.Problems, "problem", "problems")))
	}
	return strings.Join(parts, " · ")
}

// ActivityHeadline and ActivityDetail describe the running pass.
func ActivityHeadline(a Activity) string {
	if !a.Running {
		return "Nothing is being backed up right now."
	}
	if a.FilesTotal == 0 {
		return "Looking for changes in " + DisplayPath(a.PairLocal) + "…"
	}
	if a.Reading && a.Counting {
		return fmt.Sprintf("Reading new and changed files in %s: %d so far", DisplayPath(a.PairLocal), a.FilesDone)
	}
	if a.Reading {
		return fmt.Sprintf("Reading new and changed files in %s: %d of %d", DisplayPath(a.PairLocal), a.FilesDone, a.FilesTotal)
	}
	if a.Counting {
		return fmt.Sprintf("Backing up %s: %d %s sent so far", DisplayPath(a.PairLocal), a.FilesDone, plural(a.FilesDone, "file", "files"))
	}
	return fmt.Sprintf("Backing up %s: %d of %d %s", DisplayPath(a.PairLocal), a.FilesDone, a.FilesTotal, plural(a.FilesTotal, "file", "files"))
}

// ActivityDetail gives bytes, rate and time left: "120 MB of 1.2 GB · 2.5 MB/s · about 7 min left".
func ActivityDetail(a Activity) string {
	if !a.Running {
		return ""
	}
	var parts []string
	switch {
	case a.Counting && a.Reading:
		parts = append(parts, tray.FormatBytes(a.BytesDone)+" read")
	case a.Counting:
		parts = append(parts, tray.FormatBytes(a.BytesDone)+" sent")
	case a.BytesTotal > 0:
		parts = append(parts, tray.FormatBytes(a.BytesDone)+" of "+tray.FormatBytes(a.BytesTotal))
	}
	if a.Rate > 0 {
		parts = append(parts, tray.FormatBytes(int64(a.Rate))+"/s")
	}
	switch {
	case a.ETA >= time.Minute:
		parts = append(parts, "about "+FormatETA(a.ETA)+" left")
	case a.ETA > 0:
		parts = append(parts, "less than a minute left")
	}
	return strings.Join(parts, " · ")
}

// FormatETA rounds a remaining time for display: "less than a minute", "7 min", "2 h 5 min".
func FormatETA(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int((d+30*time.Second)/time.Minute))
	default:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

// progress is the fraction for the progress bar.
func progress(a Activity) float64 {
	switch {
	case a.BytesTotal > 0:
		return float64(a.BytesDone) / float64(a.BytesTotal)
	case a.FilesTotal > 0:
		return float64(a.FilesDone) / float64(a.FilesTotal)
	}
	return 0
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// DisplayPath shows a local path the way people read it: the home folder
// as "~".
func DisplayPath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || p == "" {
		return p
	}
	if p == home {
		return "~"
	}
	if rel, ok := strings.CutPrefix(p, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rel
	}
	return p
}

// MiddleCut shortens s to at most n characters by cutting out its middle,
// so both the start of a path and its file name stay readable.
func MiddleCut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 5 {
		return s
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}
