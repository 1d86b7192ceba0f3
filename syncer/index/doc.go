// Package index owns the on-disk change index of one folder pair: what each
// local file looked like when it was last hashed (size, mtime, inode, ctime,
// MD5) and whether the server confirmed it, stored as a compact sorted file
// that is read and written as a stream, so a pass over a million files holds
// almost nothing in memory.
//
// Order: records are kept in ComparePaths order, the order the walk visits a
// tree (a folder's contents right after the folder). Every Cursor yields it
// and a Writer expects it.
//
// Files, next to the path the engine passes (P):
//
//	P        the manifest: current generation number, record count and the
//	         small meta values, checksummed, replaced atomically by rename
//	P.g<N>   generation N: prefix-compressed records in CRC32-checked
//	         blocks, a bitset of confirmed uploads and a fixed-size footer
//	P.new    the generation a Writer is streaming (fsynced about every second)
//	P.tmp    a generation being merged (out-of-order Puts, recovery)
//	P.mtmp   a manifest being written
//	P.lock   the lock that keeps a second process out
//
// Crash rules: the manifest names the only generation that counts, so a
// kill -9 at any instant leaves the old generation or the new one. A P.new
// left by a dead process is recovered on Open like Keep: its checksummed
// prefix replaces the old records up to its last path, the rest of the old
// generation stays. An index in the previous bbolt format at P is migrated
// on Open; P switches from the old file to the new manifest in one rename.
// Old generation files are deleted once no Cursor reads them, which also
// keeps Windows (no delete of open files) working.
//
// The package must not import anything else from this project.
package index
