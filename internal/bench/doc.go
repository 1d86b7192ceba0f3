// Package bench is the reproducible performance benchmark behind
// `jotta bench`: it generates its data in a temporary directory, serves the
// emulator from a separate process on loopback, drives the engine and the
// jotta client exactly as `jotta scan` does, measures wall time, bytes,
// HTTP requests, peak memory and CPU (the last two in child processes), and
// prints one table of measured figures, same-run references and goals. It
// may import jotta, jotta/emulator, syncer and app, and must not import
// fyne or the tray.
package bench
