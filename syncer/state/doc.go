// Package state is the engine's persistent change index: one embedded bbolt
// database per folder pair, keyed by the byte-exact local relative path,
// holding what a file looked like when it was last hashed (size, mtime,
// inode, ctime, md5) and, separately, what the server confirmed as uploaded.
// Losing it costs a rehash, never data. It must not import jotta, app, tray
// or fyne.
package state
