// Package message is the one place that turns engine, protocol,
// configuration and local-file errors into short sentences for people,
// each with an action ("Your JottaCloud is full." / "Free up space or
// upgrade; backups continue when there is room."). The tray, the settings
// window and the CLI show only what this package returns; the technical
// chain (exception class names, x-ids, pair ids, "jotta:" prefixes) belongs
// in the debug log and the Activity log's details.
//
// # API
//
//   - For(err) Message: classifies err (errors.Is/As, never string
//     matching of the caller's text) and returns its Kind, Text (what
//     happened), Action (what the user can do) and whether it concerns the
//     whole account (AccountWide: full, signed out, offline) or clears by
//     itself (Transient: retried automatically).
//   - Message.String(): Text and Action as one line, for notifications,
//     status lines and CLI output.
//   - Text(err): For(err).String(), the common case.
//   - Clean(s): makes a free-text reason presentable: removes "jotta: "
//     prefixes (also doubled ones), "(x-id …)", Java exception class names,
//     the engine's "pass <id>: " prefix and the "folder pair" jargon. Use
//     it for strings that come without an error value (NoticeEvent
//     messages, stored reasons).
//   - Problem(reason, err): the line for one file that could not be
//     backed up: For(err) when err is known, else Clean(reason).
//   - Kind.AccountWide() and Kind.Transient(): the same flags by kind, for
//     callers that group problems (account-wide states are shown once for
//     the account, never per file).
//   - HeldBack(refused, files): the sentence for deletions the engine held
//     back from the trash (how many, why, and the two ways to decide).
//   - Day(t, now): a past day in words ("yesterday 14:05", "Monday",
//     "2 Jan") for "not backed up since …".
//   - Tally(reasons): "2 symbolic link (not followed), 1 special file",
//     for counts of skipped items.
//   - Internals(s): the first internal piece in s (exception class, x-id,
//     "jotta:" or doubled prefix, scan pair id), "" when s is clean; tests
//     run it over every user-facing string.
//
// It may import jotta, syncer and app/config; it must not import app (app
// imports it), tray, app/settings or fyne.
package message
