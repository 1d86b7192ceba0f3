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
}

// PassOptions adjust one pass.
type PassOptions struct {
	// DryRun plans and reports but changes nothing, remote or index.
	DryRun bool
	// ForcePrune lifts the prune limit and accepts a changed filesystem
	// for this pass. It never overrides a missing or empty local folder.
	ForcePrune bool
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
	// Plan is the full plan (useful for dry runs); nil when planning was
	// not reached.
	Plan *Plan

	watchDirs []string // local directories walked, for the watcher
}
