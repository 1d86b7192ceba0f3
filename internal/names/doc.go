// Package names owns the rules for file and folder names between this
// computer and JottaCloud: which names the service accepts and can serve
// back, how a local name maps to the name stored remotely and back again,
// Unicode forms, the service's case-insensitive comparison and the 255-byte
// limit. Every part of the client that turns a local name into a remote one
// or the reverse (the backup engine, config and window validation, verify,
// restore, the protocol client's own checks) asks this package instead of
// keeping its own copy of a rule.
//
// # Three forms of a name
//
// A local name is the byte-exact name on disk. A remote name is what the
// service stores. Between them sits an encoding that is reversible for
// every local name this package accepts: Decode(Encode(name)) == name.
//
//   - The service decodes the path of a request twice, so a stored name that
//     still holds "%XX" after the first decoding cannot be read, moved,
//     trashed or downloaded (it answers 400). Every "%" is therefore stored
//     as the look-alike "％" (U+FF05), as rclone does.
//   - Control characters (which XML cannot carry) are stored as the
//     Unicode control pictures U+2400–U+241F, DEL as U+2421.
//   - Bytes that are not UTF-8 are stored as "‛" (U+201B) and two
//     upper-case hex digits.
//   - Remote names are NFC. A local name in another Unicode form (NFD, as
//     Linux may hold it byte for byte) keeps its form: a "‛" goes before
//     each character that NFC would have joined to the one before it, and a
//     character that NFC would replace by another (U+212B ANGSTROM SIGN)
//     is stored as "‛U" and its six-digit hex number. On macOS, whose file
//     systems ignore the form, names are stored as plain NFC instead.
//   - A literal look-alike or "‛" that would be read back as part of the
//     encoding is quoted with a "‛" in front of it.
//
// A restore onto Windows maps the characters Windows forbids (\ : * ? " <
// > | and a trailing space or dot) to the same kind of look-alikes, and a
// backup on Windows maps them back, so such names survive a round trip
// through a Windows computer.
//
// # Comparing names
//
// The service compares names case-insensitively and keeps the case it was
// given; Fold gives the key under which it would find a path.
//
// This package is a leaf: it must not import jotta, syncer, app, cmd or
// fyne.
package names
