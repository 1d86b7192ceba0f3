// Package e2e holds the reliability and security suite: end-to-end tests of
// the engine, the protocol client and the CLI against the emulator on
// loopback, covering crashes, server faults, files that change while they
// are backed up, bad input, a vanishing source folder, secrets and garbage
// replies, plus fuzz targets for the parsers reached from outside. It owns
// no production code; it imports the public APIs of app, jotta, syncer and
// the CLI binary, and must not import any fyne package.
package e2e
