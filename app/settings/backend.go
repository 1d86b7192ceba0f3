package settings

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Backend is everything the window needs from the application. Methods may
// block on the network or the keyring; the window never calls them on the UI
// goroutine. Validation failures are returned as *FieldError or FieldErrors.
type Backend interface {
	Accounts
	Folders
	RemoteBrowser
	Activities
	Preferences
	Decisions
	// Changes signals (without blocking the sender) whenever account, pair
	// or activity state changed, until ctx ends.
	Changes(ctx context.Context) <-chan struct{}
}

// Accounts signs in and out.
type Accounts interface {
	Account(ctx context.Context) (Account, error)
	// SignIn spends a personal login token; a malformed or spent token is a
	// *FieldError for FieldToken.
	SignIn(ctx context.Context, token string) (Account, error)
	// StartDemo starts the built-in emulator on loopback with its own data
	// directory and a demo account, and signs in to it.
	StartDemo(ctx context.Context) (Account, error)
	// Storage reads the account's storage use; it may need the network.
	Storage(ctx context.Context) (Storage, error)
	// SignOut forgets the credentials; configured pairs are kept.
	SignOut(ctx context.Context) error
}

// Folders manages folder pairs.
type Folders interface {
	Pairs(ctx context.Context) ([]Pair, error)
	// SavePair adds (empty ID) or updates a pair and returns it as stored.
	SavePair(ctx context.Context, p Pair) (Pair, error)
	// RemovePair stops backing up a pair. It never deletes remote data.
	RemovePair(ctx context.Context, id string) error
	// BackupNow starts a backup of every folder; it ends a pause.
	BackupNow(ctx context.Context) error
	// Resume ends a pause.
	Resume(ctx context.Context) error
}

// RemoteBrowser lists where a pair can go in the account.
type RemoteBrowser interface {
	Devices(ctx context.Context) ([]string, error)
	MountPoints(ctx context.Context, device string) ([]string, error)
}

// Activities reports the running pass and the files that failed.
type Activities interface {
	Activity(ctx context.Context) (Activity, error)
	// RetryProblem queues the file for the next pass.
	RetryProblem(ctx context.Context, p Problem) error
	// AddExclude adds a pattern to a pair's excludes.
	AddExclude(ctx context.Context, pairID, pattern string) error
}

// Preferences loads and stores application options.
type Preferences interface {
	Options(ctx context.Context) (Options, error)
	SaveOptions(ctx context.Context, o Options) error
}

// Account is who is signed in.
type Account struct {
	SignedIn bool
	User     string
	Endpoint string // the service base URL, shown for the demo and overrides
	Demo     bool   // signed in to the built-in emulator
}

// Storage is the account's storage use.
type Storage struct {
	Used  int64 // bytes
	Total int64 // bytes; negative: unlimited
}

// Prune says what happens remotely to files deleted locally.
type Prune string

const (
	PruneNone    Prune = ""        // never remove anything remotely
	PruneFiles   Prune = "files"   // trash remote files deleted locally
	PruneFolders Prune = "folders" // trash remote folders deleted locally
	PruneAll     Prune = "all"     // both
)

// Symlinks says how symbolic links are treated.
type Symlinks string

const (
	SymlinksSkip   Symlinks = "skip"
	SymlinksFollow Symlinks = "follow"
)

// Pair is one local folder backed up to one remote folder.
type Pair struct {
	ID       string
	Local    string // absolute local folder
	Remote   string // /Device/MountPoint[/folder…]
	Enabled  bool
	Interval time.Duration // time between passes
	Watch    bool          // also back up soon after local changes
	Excludes []string      // gitignore-style patterns
	Prune    Prune
	Hidden   bool // include hidden files
	Symlinks Symlinks
	// Status is reported by Backend.Pairs and ignored by SavePair.
	Status PairStatus
}

// PairStatus is the outcome of a pair's passes.
type PairStatus struct {
	Running      bool
	LastComplete time.Time // end of the last complete pass (zero: never)
	Files        int64     // files backed up
	Bytes        int64     // bytes backed up
	Problems     int       // files the last pass could not back up
	Error        string    // why the last pass failed as a whole
	// Held are deletions waiting for the user's decision (see Decisions);
	// HeldWhy says why they were held back.
	Held    []HeldItem
	HeldWhy string
	// Skipped lists what the last backup left out by design.
	Skipped []SkippedItem
}

// Options are application-wide settings.
type Options struct {
	StartAtLogin  bool
	BandwidthKBps int64 // upload limit in kB/s, 0 for none
	Transfers     int   // parallel uploads
	Notifications bool
	SkipOnBattery bool
	SkipOnMetered bool
	TrayIcon      string // the tray icon's look: tray.IconColour, tray.IconLight, tray.IconDark or tray.IconAuto
	Endpoint      string // service URL override ("" for JottaCloud)
}

// Activity is the running pass and the recent problems.
type Activity struct {
	Running     bool
	PairLocal   string // the folder being backed up
	FilesDone   int
	FilesTotal  int
	BytesDone   int64
	BytesTotal  int64
	Rate        float64       // bytes per second
	ETA         time.Duration // 0 when unknown
	Current     string        // file being read or uploaded
	Reading     bool          // reading (hashing) new and changed files, not uploading
	Counting    bool          // the totals still grow: no fraction or time left yet
	Account     string        // a state of the whole account ("Your JottaCloud is full. …"), "" when none
	Paused      bool          // backups are paused by the user
	PausedUntil time.Time     // when the pause ends (zero: until resumed)
	Problems    []Problem
	Log         []string // recent log lines, oldest first
}

// Problem is a file that could not be backed up.
type Problem struct {
	PairID string
	Path   string // absolute local path
	Reason string
	Time   time.Time
}

// Field names used in FieldError.
const (
	FieldToken     = "token"
	FieldLocal     = "local"
	FieldRemote    = "remote"
	FieldInterval  = "interval"
	FieldExcludes  = "excludes"
	FieldTransfers = "transfers"
	FieldBandwidth = "bandwidth"
	FieldEndpoint  = "endpoint"
)

// FieldError is invalid input in one field, with a message for the person
// who typed it (what is wrong and what to do).
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors is several invalid fields at once.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// fieldMessages extracts per-field messages from err; ok is false when err
// is not about fields (a network failure, say).
func fieldMessages(err error) (map[string]string, bool) {
	var many FieldErrors
	if errors.As(err, &many) && len(many) > 0 {
		m := make(map[string]string, len(many))
		for _, e := range many {
			m[e.Field] = e.Message
		}
		return m, true
	}
	var one *FieldError
	if errors.As(err, &one) {
		return map[string]string{one.Field: one.Message}, true
	}
	return nil, false
}
