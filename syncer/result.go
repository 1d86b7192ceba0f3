package syncer

import (
	"sync/atomic"
	"time"
)

// Counters are the measurable work of one pass.
type Counters struct {
	FilesSeen         int64 // regular files found by the walk
	BytesSeen         int64 // their total size
	FilesHashed       int64
	BytesHashed       int64
	FilesUploaded     int64 // files whose bytes were sent (fully or resumed)
	BytesUploaded     int64 // bytes actually sent
	FilesDeduplicated int64 // completed by the server without bytes
	FilesMoved        int64 // file moves (files carried by folder moves count too)
	FoldersMoved      int64
	FilesTrashed      int64
	FoldersTrashed    int64
	FoldersCreated    int64
	ListRequests      int64
}

// counters is the concurrently updated form of Counters.
type counters struct {
	filesSeen, filesHashed, bytesHashed, filesUploaded, bytesUploaded  atomic.Int64
	filesDedup, filesMoved, foldersMoved, filesTrashed, foldersTrashed atomic.Int64
	foldersCreated, listRequests, bytesSeen                            atomic.Int64
}

func (c *counters) snapshot() Counters {
	return Counters{
		FilesSeen:         c.filesSeen.Load(),
		BytesSeen:         c.bytesSeen.Load(),
		FilesHashed:       c.filesHashed.Load(),
		BytesHashed:       c.bytesHashed.Load(),
		FilesUploaded:     c.filesUploaded.Load(),
		BytesUploaded:     c.bytesUploaded.Load(),
		FilesDeduplicated: c.filesDedup.Load(),
		FilesMoved:        c.filesMoved.Load(),
		FoldersMoved:      c.foldersMoved.Load(),
		FilesTrashed:      c.filesTrashed.Load(),
		FoldersTrashed:    c.foldersTrashed.Load(),
		FoldersCreated:    c.foldersCreated.Load(),
		ListRequests:      c.listRequests.Load(),
	}
}

// Planned summarises a plan: what a dry run would do, or what a pass set
// out to do.
type Planned struct {
	Uploads      int
	UploadBytes  int64
	FileMoves    int
	FolderMoves  int
	MovedBytes   int64
	Mkdirs       int
	Trash        int // items (files and folders) to trash
	TrashFiles   int // files they hold
	TrashBytes   int64
	Unchanged    int
	CreateRoot   bool   // the remote folder does not exist yet
	PruneRefused string // why pruning was refused, or ""
	HeldFiles    int    // files held back by the refusal, waiting for a decision
}

// PassOptions adjust one pass.
type PassOptions struct {
	// DryRun plans and reports but changes nothing, remote or index.
	DryRun bool
	// ForcePrune lifts the prune limit and accepts a changed filesystem
	// for this pass. It never overrides a missing or empty local folder.
	ForcePrune bool
	// WouldUpload, when set on a dry run, is told of each new file the
	// pass would upload whatever else the tree holds, as the walk finds
	// it (local relative path and size); those files are counted in the
	// summary but left out of the plan, so a dry run over a large new
	// tree holds only the rest.
	WouldUpload func(local string, size int64)
}

// PassResult is the outcome of one pass over one pair.
type PassResult struct {
	Pair     string
	Started  time.Time
	Finished time.Time
	DryRun   bool
	// Complete is true when the pass ran to its end; per-file problems do
	// not make it incomplete.
	Complete bool
	// LastComplete is when the pair last completed a real (not dry) pass:
	// Finished for this one if it completed, else the previous one (zero
	// if none). It is the "protected as of" time.
	LastComplete time.Time
	Err          error
	Counters     Counters
	Planned      Planned
	Problems     []Problem
	// Skipped lists what the walk left out by design (excluded, hidden,
	// symbolic links not followed, special files): counted and listable,
	// never a problem.
	Skipped []Skipped
	// Plan is the full plan (useful for dry runs); nil when planning was
	// not reached.
	Plan *Plan

	watchDirs []string // local directories walked, for the watcher
}

// SkipReason says why the walk left an item out by design. Skipped items
// are counted and listed, never reported as problems.
type SkipReason int

const (
	SkipExcluded       SkipReason = iota + 1 // matched an exclude pattern
	SkipHidden                               // hidden, and the pair leaves hidden items out
	SkipSymlink                              // a symbolic link; the pair does not follow links
	SkipSymlinkOutside                       // a symbolic link to a place outside the folder
	SkipSymlinkBroken                        // a symbolic link whose target is missing or loops
	SkipSymlinkRepeat                        // a link to a folder that is backed up already
	SkipSpecial                              // a socket, named pipe or device
)

// String is the reason as a list shows it.
func (r SkipReason) String() string {
	switch r {
	case SkipExcluded:
		return "excluded"
	case SkipHidden:
		return "hidden"
	case SkipSymlink:
		return "symbolic link (not followed)"
	case SkipSymlinkOutside:
		return "symbolic link to a place outside the folder (not followed)"
	case SkipSymlinkBroken:
		return "broken symbolic link"
	case SkipSymlinkRepeat:
		return "symbolic link to a folder that is backed up already"
	case SkipSpecial:
		return "special file"
	}
	return "skipped"
}

// Skipped is an item the walk left out by design.
type Skipped struct {
	Path   string // local relative path, '/'-separated
	Reason SkipReason
	Kind   string // for SkipSpecial: "socket", "named pipe", "device" …
}

// Text is the reason with its kind: "special file (named pipe)".
func (s Skipped) Text() string {
	if s.Kind != "" {
		return s.Reason.String() + " (" + s.Kind + ")"
	}
	return s.Reason.String()
}

// SkipCounts counts skipped items by reason.
func SkipCounts(items []Skipped) map[SkipReason]int {
	out := map[SkipReason]int{}
	for _, s := range items {
		out[s.Reason]++
	}
	return out
}
