// Package jotta is a client for the JottaCloud protocol: sign-in with a
// personal login token and rotating OAuth refresh tokens, the JFS XML API
// (devices, mount points, folders, files, streamed listings, trash, moves,
// downloads) and the allocate-based upload API with deduplication and resume.
//
// It owns wire types, escaping, typed errors (*Error, ErrNotExist) and the
// one retry policy every request goes through (retry.go: backoff per call,
// and a pause for every call when the server asks to slow down). It must
// not import syncer, app, tray or any fyne package.
package jotta
