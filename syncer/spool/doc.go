// Package spool owns the bounded-memory external sort the backup pass needs to
// read a remote listing back in the order the local walk visits paths: a
// Sorter collects key/value records in any order, keeps at most about its
// memory limit of them packed in one buffer, writes each full buffer as a
// sorted run to a temporary file, and gives every record back in key order
// (stable for equal keys) by merging the runs. Run files carry their record
// count and a CRC-32C, so a damaged or truncated run ends the iteration with
// an error (ErrCorrupt), never with silently fewer records.
//
// It is a leaf: standard library only. It must not import any other package
// of this module (syncer, jotta, app, tray) nor fyne, and it builds without
// cgo on every platform.
package spool
