// Package instance keeps one engine per user: an exclusive lock file (the
// OS releases it when the holder dies, so a lock that can be taken is stale
// by definition), a sibling file naming the owner's role and pid, and a
// small local IPC endpoint (a unix socket next to the lock; 127.0.0.1 TCP
// with a token file on Windows) through which a second tray app asks the
// first to show its settings window. It is pure Go and must not import
// jotta, syncer, tray or any fyne package.
package instance
