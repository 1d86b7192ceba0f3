// Package restore brings backed-up files back: it reads what a remote
// folder held as of a moment (the latest state, any earlier time from the
// kept revisions and the trash, or what is in the trash), and writes a
// selection of it into a local folder with verified, resumable downloads.
// The CLI ('jotta restore', 'jotta ls --at/--versions') and the settings
// window share it.
//
// It owns the restore rules: which revision a point in time means, where
// temporary files live (one hidden folder, TempDirName, below the
// destination, removed at the end), when a local file counts as already
// restored, conflict copies, and modification times. It talks to the
// service through the Client interface (satisfied by *jotta.Client); the
// name of its temporary folder comes from syncer, which never backs it up.
// It must not import tray or any fyne package.
package restore
