package tray

import (
	"testing"
	"time"
)

func TestStatusLine(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		s    State
		want string
	}{
		{"backed up minutes ago", State{Phase: Idle, Pairs: 2, LastBackup: now.Add(-4 * time.Minute)}, "Backed up 4 min ago"},
		{"backed up just now", State{Phase: Idle, Pairs: 1, LastBackup: now.Add(-10 * time.Second)}, "Backed up just now"},
		{"backed up hours ago", State{Phase: Idle, Pairs: 1, LastBackup: now.Add(-3 * time.Hour)}, "Backed up 3 hours ago"},
		{"backed up one hour ago", State{Phase: Idle, Pairs: 1, LastBackup: now.Add(-61 * time.Minute)}, "Backed up 1 hour ago"},
		{"never backed up", State{Phase: Idle, Pairs: 1}, "Not backed up yet"},
		{"no folders", State{Phase: Idle}, "No folders chosen yet"},
		{"uploading", State{Phase: Syncing, Pairs: 1, FilesDone: 12, FilesTotal: 340, BytesLeft: 1_200_000_000}, "Uploading 12 of 340 files — 1.2 GB left"},
		{"uploading one file, bytes unknown", State{Phase: Syncing, Pairs: 1, FilesTotal: 1}, "Uploading 0 of 1 file"},
		{"scanning", State{Phase: Syncing, Pairs: 1}, "Looking for changes…"},
		{"uploading while the walk goes on", State{Phase: Syncing, Pairs: 1, FilesDone: 12, FilesTotal: 16, BytesLeft: 1 << 20, Counting: true}, "Uploading — 12 files sent so far"},
		{"reading", State{Phase: Syncing, Pairs: 1, FilesDone: 627, FilesTotal: 640, BytesLeft: 1 << 20, Reading: true}, "Reading new and changed files — 627 so far"},
		{"paused until today", State{Phase: Paused, PausedUntil: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)}, "Paused until 14:00"},
		{"paused until tomorrow", State{Phase: Paused, PausedUntil: TomorrowMorning(now)}, "Paused until tomorrow 08:00"},
		{"paused indefinitely", State{Phase: Paused}, "Paused"},
		{"signed out", State{Phase: SignedOut, Pairs: 3}, "Sign in needed"},
		{"problem files", State{Phase: Problem, Pairs: 1, Problems: 3}, "3 files could not be backed up"},
		{"one problem file", State{Phase: Problem, Pairs: 1, Problems: 1}, "1 file could not be backed up"},
		{"pass failed", State{Phase: Problem, Pairs: 1, PassError: "network unreachable"}, "Backup failed — will retry"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := StatusLine(tc.s, now); got != tc.want {
				t.Errorf("StatusLine = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatAgo(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		t    time.Time
		want string
	}{
		{"seconds", now.Add(-59 * time.Second), "just now"},
		{"one minute", now.Add(-time.Minute), "1 min ago"},
		{"yesterday", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), "yesterday"},
		{"this year", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), "on 2 Mar"},
		{"last year", time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC), "on 2 Mar 2025"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatAgo(tc.t, now); got != tc.want {
				t.Errorf("FormatAgo = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	cases := []struct {
		name string
		n    int64
		want string
	}{
		{"zero", 0, "0 B"},
		{"bytes", 999, "999 B"},
		{"kilo", 1200, "1.2 kB"},
		{"mega", 340_000_000, "340 MB"},
		{"giga", 1_234_000_000, "1.2 GB"},
		{"tera", 2_500_000_000_000, "2.5 TB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatBytes(tc.n); got != tc.want {
				t.Errorf("FormatBytes(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestFormatClock(t *testing.T) {
	now := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		t    time.Time
		want string
	}{
		{"later today", now.Add(20 * time.Minute), "23:50"},
		{"after midnight", now.Add(time.Hour), "tomorrow 00:30"},
		{"next week", now.AddDate(0, 0, 6), "Tue 1 Dec 23:30"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatClock(tc.t, now); got != tc.want {
				t.Errorf("FormatClock = %q, want %q", got, tc.want)
			}
		})
	}
}
