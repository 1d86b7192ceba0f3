package tray

import (
	"context"
	"time"
)

// Phase is the one-word summary of what the engine is doing, which picks the icon.
type Phase int

const (
	// Idle: signed in, nothing running, the last passes succeeded.
	Idle Phase = iota
	// Syncing: a pass is running.
	Syncing
	// Paused: backups are paused by the user.
	Paused
	// Problem: the last pass failed or some files could not be backed up.
	Problem
	// SignedOut: there are no valid credentials; the user has to sign in.
	SignedOut
)

func (p Phase) String() string {
	switch p {
	case Idle:
		return "idle"
	case Syncing:
		return "syncing"
	case Paused:
		return "paused"
	case Problem:
		return "problem"
	case SignedOut:
		return "signed out"
	}
	return "unknown"
}

// State is what the tray shows. The Host sends a new value whenever
// something changes; the tray keeps no other state about the engine.
type State struct {
	Phase Phase
	// Pairs is the number of configured folder pairs.
	Pairs int
	// LastBackup is when the last complete pass of every pair finished (zero: never).
	LastBackup time.Time
	// Progress of the running pass (Phase == Syncing).
	FilesDone, FilesTotal int
	BytesLeft             int64
	// Reading says the pass still reads the new and changed files it
	// finds (FilesDone counts them) and nothing is uploading yet; there
	// is no total yet.
	Reading bool
	// Counting says the totals still grow (the walk goes on while files
	// upload): FilesDone is what was sent so far, of no known total.
	Counting bool
	// PausedUntil is when a pause ends (zero: until resumed).
	PausedUntil time.Time
	// Problems is the number of files the last pass could not back up.
	Problems int
	// PassError is why the last pass failed as a whole ("" if it did not).
	PassError string
	// Passes counts finished passes; it tells "still failing" from "failed once".
	Passes uint64
	// Warning is a folder's "not backed up since …" line ("" when every
	// folder is protected recently enough); it is announced once.
	Warning string
	// Decision says that deletions wait for the user's review ("" when
	// none); it is announced once.
	Decision string
	// Waiting says that a failed backup is tried again soon, in words
	// (offline, server trouble); it is shown, never announced.
	Waiting string
	// Icon is the look of the icon the user chose: IconColour (also ""),
	// IconLight, IconDark or IconAuto.
	Icon string
}

// Looks of the tray icon.
const (
	IconColour = "colour" // a cloud with a coloured badge
	IconLight  = "light"  // monochrome, dark, for a light panel
	IconDark   = "dark"   // monochrome, white, for a dark panel
	IconAuto   = "auto"   // monochrome as the desktop's colour scheme says, else colour
)

// Scheme is the desktop's preferred colour scheme, as the XDG desktop
// portal reports it (org.freedesktop.appearance color-scheme).
type Scheme int

const (
	SchemeNone  Scheme = iota // no preference, or no portal to ask
	SchemeDark                // the desktop prefers dark
	SchemeLight               // the desktop prefers light
)

// Host is what the tray needs from the application: a feed of states and
// the commands behind the menu items. Methods may block (they run off the
// UI goroutine); errors are logged.
type Host interface {
	// States sends the current state at once and then every change, until
	// ctx ends, when the channel is closed.
	States(ctx context.Context) <-chan State
	BackupNow(ctx context.Context) error
	// Pause stops starting new passes until the given time.
	Pause(ctx context.Context, until time.Time) error
	Resume(ctx context.Context) error
}
