// Package syncer is the backup engine: folder pairs, the local walk with
// gitignore-style excludes, the change index (syncer/state), parallel MD5
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
// A pass walks, lists the remote folder once (counting the files unchanged
// on both sides as the listing streams in), hashes what the index cannot
// vouch for — a file moved inside the folder keeps its hash, found by inode,
// size and mtime — and uploads each file that is new on the server as soon
// as it is hashed; the plan then works on the difference only. Nothing is
// moved or trashed before the listing is complete and the plan is made.
package syncer
