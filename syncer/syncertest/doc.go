// Package syncertest offers an in-memory syncer.Remote (MemRemote) that
// follows the server's rules — case-insensitive, case-preserving names, the
// 255-byte name limit, deduplication by md5 and size, a trash instead of
// permanent deletion, resumable partial uploads — and RunRemoteTests, the
// conformance suite every Remote (MemRemote, the jotta adapter against the
// emulator) must pass. It must not import jotta, app, tray or fyne.
package syncertest
