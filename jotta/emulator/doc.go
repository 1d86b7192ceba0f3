// Package emulator is a local JottaCloud: an http.Handler that speaks the
// same OIDC, JFS XML and JSON upload protocol as the real service, quirks
// included, kept in memory or in a data directory, with fault injection for
// tests, link shaping (round-trip latency, bandwidth) for benchmarks and
// demos, and reply shapes (Shapes) that vary its documents the way the real
// service's vary. It must not import the jotta client, syncer, app, tray or
// fyne.
package emulator
