package syncer

import (
	"context"
	"errors"
	"io"
	"time"
)

// Errors a Remote reports; adapters wrap their own errors so that errors.Is
// finds these.
var (
	// ErrNotExist means the path (or its device, mount point or parent) does
	// not exist on the server.
	ErrNotExist = errors.New("remote path does not exist")
	// ErrExist means the destination of a move is already taken.
	ErrExist = errors.New("remote path already exists")
	// ErrNameRejected means the server refuses a name (too long, invalid
	// UTF-8, "." or "..").
	ErrNameRejected = errors.New("remote name rejected")
	// ErrQuota means the account has no room left; the pass stops at once.
	ErrQuota = errors.New("the JottaCloud account is full: free up space or upgrade the subscription; backups go on when there is room")
	// ErrUnauthorized means the session is gone; the pass stops at once
	// and nothing more happens until the user signs in again.
	ErrUnauthorized = errors.New("not signed in to JottaCloud")
)

// Entry is one item of a remote listing. Path is relative to the listed
// root, '/'-separated, without a leading slash, in the server's casing.
type Entry struct {
	Path     string
	Dir      bool
	Size     int64
	MD5      string // lowercase hex; files only
	Modified time.Time
}

// FileMeta describes the content offered to Remote.Upload. The MD5 and size
// are known before the first byte is sent.
type FileMeta struct {
	Size     int64
	MD5      string // lowercase hex
	Created  time.Time
	Modified time.Time
}

// UploadResult is what the server confirmed after an upload.
type UploadResult struct {
	// Size and MD5 are the server's view of the stored content; the engine
	// records a file as backed up only when they match what it offered.
	Size int64
	MD5  string
	// BytesSent counts the bytes that actually went over the wire (0 when
	// the server deduplicated, less than Size when it resumed). An upload
	// that fails reports the bytes it sent before it broke off.
	BytesSent int64
	// Deduplicated is true when the server completed the file without
	// receiving its bytes.
	Deduplicated bool
}

// Remote is the part of the JottaCloud service the engine needs. Paths are
// absolute: "/<device>/<mountpoint>/<folder>/…". Names compare
// case-insensitively on the server and are preserved as sent.
type Remote interface {
	// List streams the live, completed files and the folders below root
	// (recursively, root itself excluded), calling fn once per item from
	// one goroutine. It is one request to the server. A missing root gives
	// ErrNotExist; an error from fn ends the listing and is returned.
	List(ctx context.Context, root string, fn func(Entry) error) error
	// EnsureFolder makes path exist, creating the device (type
	// WORKSTATION), the mount point and every folder as needed (mkdir -p),
	// and returns the paths it had to create, outermost first. A server
	// that cannot tell whether a folder existed may report it as created.
	// Existing items (also trashed ones, which come back) are no error.
	EnsureFolder(ctx context.Context, path string) (created []string, err error)
	// Upload stores size bytes read from src at path. The server may
	// complete it without data (dedup) or ask to resume from an offset, so
	// src must serve any offset. Missing parent folders are created.
	Upload(ctx context.Context, path string, src io.ReaderAt, meta FileMeta) (UploadResult, error)
	// Move renames a file (dir false) or a folder (dir true) on the server.
	// The destination's parent must exist; a taken destination gives
	// ErrExist.
	Move(ctx context.Context, from, to string, dir bool) error
	// MoveAside renames a file or folder that stands in the way of a new
	// item of the other kind, or whose name differs from the local one
	// only in case, taking its history along, so that nothing
	// (not even a trashed copy, which the service may keep in place) is
	// left at from. The destination's parent must exist; a taken
	// destination gives ErrExist.
	MoveAside(ctx context.Context, from, to string, dir bool) error
	// Trash moves a file or folder to the server's trash (never a permanent
	// delete).
	Trash(ctx context.Context, path string, dir bool) error
}
