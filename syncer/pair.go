package syncer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"jottacloudclient/internal/names"
)

// PruneMode says which remote copies a pass may move to the trash when their
// local counterpart is gone. The zero value never prunes.
type PruneMode int

const (
	PruneNone    PruneMode = iota // never trash anything
	PruneFiles                    // trash files deleted locally
	PruneFolders                  // trash folders deleted locally
	PruneAll                      // files and folders
)

func (m PruneMode) files() bool   { return m == PruneFiles || m == PruneAll }
func (m PruneMode) folders() bool { return m == PruneFolders || m == PruneAll }

// String names the mode as the config file and CLI spell it.
func (m PruneMode) String() string {
	switch m {
	case PruneFiles:
		return "files"
	case PruneFolders:
		return "folders"
	case PruneAll:
		return "all"
	default:
		return "none"
	}
}

// ParsePruneMode reads "none", "files", "folders" or "all".
func ParsePruneMode(s string) (PruneMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none", "off":
		return PruneNone, nil
	case "files":
		return PruneFiles, nil
	case "folders":
		return PruneFolders, nil
	case "all":
		return PruneAll, nil
	}
	return PruneNone, fmt.Errorf("unknown prune mode %q: use none, files, folders or all", s)
}

// DefaultInterval is how often a pair is scanned when it sets no interval.
const DefaultInterval = time.Hour

// Pair maps a local directory to a remote folder: <Local>/a/b.txt is backed
// up as <Remote>/a/b.txt.
type Pair struct {
	// ID identifies the pair across restarts; it names its index file.
	ID string
	// Local is an absolute local directory.
	Local string
	// Remote is "/<device>/<mountpoint>/<folder>/…" (at least a device and
	// a mount point).
	Remote string
	// Excludes are gitignore-syntax patterns relative to Local.
	Excludes []string
	// SkipHidden leaves out names starting with a dot (and, on Windows,
	// items with the hidden attribute).
	SkipHidden bool
	// FollowSymlinks follows symbolic links whose target lies inside Local
	// (loop-safe); by default links are skipped.
	FollowSymlinks bool
	// Prune enables trashing remote copies of locally deleted items.
	Prune PruneMode
	// PruneLimit caps how many files one pass may trash. 0 selects the
	// default (see DefaultPruneLimit); a negative value removes the cap.
	PruneLimit int
	// Interval between scheduled passes; 0 means DefaultInterval.
	Interval time.Duration
	// NoWatch leaves the pair without a file watcher: it is backed up at
	// start, on its interval and on ScanNow only.
	NoWatch bool
	// DisableMoves makes the engine upload renamed files again (the server
	// deduplicates them) instead of moving the remote copies.
	DisableMoves bool
}

// DefaultPruneLimit returns how many files a pass may trash without an
// override when the remote folder holds remoteFiles files: 10 % of them, but
// never fewer than 10 and never more than 100.
func DefaultPruneLimit(remoteFiles int) int {
	n := remoteFiles / 10
	if n < 10 {
		n = 10
	}
	if n > 100 {
		n = 100
	}
	return n
}

func (p Pair) interval() time.Duration {
	if p.Interval <= 0 {
		return DefaultInterval
	}
	return p.Interval
}

// Validate reports the first problem with the pair in words a user can act on.
func (p Pair) Validate() error {
	if strings.TrimSpace(p.ID) == "" {
		return errors.New("folder pair has no id")
	}
	if p.Local == "" || !filepath.IsAbs(p.Local) {
		return fmt.Errorf("folder pair %s: local folder %q must be an absolute path", p.ID, p.Local)
	}
	segs, err := splitRemoteRoot(p.Remote)
	if err != nil {
		return fmt.Errorf("folder pair %s: %w", p.ID, err)
	}
	_ = segs
	if p.Interval < 0 {
		return fmt.Errorf("folder pair %s: interval must not be negative", p.ID)
	}
	return nil
}

// splitRemoteRoot checks "/<device>/<mountpoint>[/…]" and returns its segments.
func splitRemoteRoot(root string) ([]string, error) {
	if !strings.HasPrefix(root, "/") {
		return nil, fmt.Errorf("remote folder %q must look like /<device>/<mountpoint>/<folder>", root)
	}
	segs := strings.Split(strings.Trim(root, "/"), "/")
	if len(segs) < 2 {
		return nil, fmt.Errorf("remote folder %q needs at least a device and a mount point, like /<device>/<mountpoint>/<folder>", root)
	}
	for _, s := range segs {
		if reason := nameProblem(s); reason != "" {
			return nil, fmt.Errorf("remote folder %q: segment %q: %s", root, s, reason)
		}
	}
	return segs, nil
}

// nameProblem says why the server would refuse a single remote name, or "".
func nameProblem(name string) string {
	if err := names.Check(name); err != nil {
		return err.Error()
	}
	return ""
}

// joinRemote appends a '/'-separated relative path to a remote root.
func joinRemote(root, rel string) string {
	root = strings.TrimRight(root, "/")
	if rel == "" {
		return root
	}
	return root + "/" + rel
}
