// Package syncer is the backup engine: folder pairs, the local walk with
// gitignore-style excludes, the change index (syncer/index), parallel MD5
// hashing, the pure plan (MakePlan), the upload/move/prune execution,
// scheduling (interval, file watching, ScanNow, Pause, wake catch-up) and
// typed progress events. It defines the small Remote interface it needs —
// app adapts the jotta client to it, syncertest offers an in-memory one and
// the conformance suite — and must not import jotta, app, tray or fyne.
// Pruning is opt-in, always goes to the server's trash, and is refused when
// the local folder looks unavailable (empty, another filesystem) or when a
// pass would trash more files than the pair's limit (by default 10 % of the
// remote files, at least 10 and at most 100).
//
// A pass streams. It lists the remote folder once, whole, into a spool on
// disk sorted in the walk's order (syncer/spool); then the walk goes
// directory by directory in sorted order and is merged, path by path, with
// a cursor over the previous index and the spooled listing (march.go).
// Files unchanged on both sides are counted and written on to the new
// index generation, never kept; files the index cannot vouch for go
// through a pool of hashers and come back in order (pipeline.go), and a
// new file nothing on the server stands in the way of is uploaded as soon
// as it is hashed (early.go). Only the difference is kept for the plan:
// new or changed files, remote items no local file matches, and folders.
// A file moved inside the folder keeps its hash, found by inode, size and
// mtime among the records the walk passed (or, when its new path comes
// first, once the walk is over). Nothing is moved or trashed before the
// listing is complete and the plan is made. The index (syncer/index) is
// rewritten as a stream each pass: a pass that walked everything forgets
// the files that are gone; one cut short keeps what it learned.
package syncer
