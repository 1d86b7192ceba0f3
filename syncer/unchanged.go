package syncer

import "encoding/hex"

// dropUnchanged takes out of the listing every remote file that a hashed
// local file matches exactly (the same path byte for byte, size and md5),
// marks that local file unchanged and returns the rest of the listing with
// the number taken out. The plan then works on the difference only; any
// file this strict match misses (another casing, Unicode form or content)
// goes to the plan, which decides as before.
func dropUnchanged(w *walkResult, remote []Entry) ([]Entry, int) {
	kept, n := 0, 0
	for _, en := range remote {
		if matchUnchanged(w, en) {
			n++
			continue
		}
		remote[kept] = en
		kept++
	}
	clear(remote[kept:]) // let the dropped paths go
	if kept < len(remote)/2 {
		return append([]Entry(nil), remote[:kept]...), n
	}
	return remote[:kept], n
}

// matchUnchanged marks the local file that en matches exactly as unchanged
// and reports whether there was one. The listing calls it as entries
// arrive, so an unchanged pass never holds the files it leaves alone.
func matchUnchanged(w *walkResult, en Entry) bool {
	f := w.atPath(en)
	if f == nil || !f.hashed || f.unchanged || f.size != en.Size || !sameMD5(f.md5, en.MD5) {
		return false
	}
	f.unchanged = true
	return true
}

// atPath returns the local file whose remote path is exactly that of the
// remote file en, or nil.
func (w *walkResult) atPath(en Entry) *localFile {
	if en.Dir {
		return nil
	}
	i, ok := w.seen[en.Path]
	if !ok || w.files[i].remote != en.Path {
		return nil
	}
	return &w.files[i]
}

// sameMD5 compares a binary md5 with a hex one (either case).
func sameMD5(sum [16]byte, hexSum string) bool {
	var b [16]byte
	return decodeMD5(&b, hexSum) && b == sum
}

// decodeMD5 decodes a hex md5 (either case); the conversion of 32 bytes
// does not allocate.
func decodeMD5(dst *[16]byte, hexSum string) bool {
	if len(hexSum) != 2*len(dst) {
		return false
	}
	_, err := hex.Decode(dst[:], []byte(hexSum))
	return err == nil
}

// remoteSum is the size and md5 of a remote file.
type remoteSum struct {
	size int64
	md5  [16]byte
}

// pendingRemote holds the remote files listed at exactly the path of a
// local file that is not hashed yet, as size and md5 only (the path is the
// local file's): a first pass over a folder already on the server does not
// keep the listing while it hashes.
type pendingRemote map[*localFile]remoteSum

// hold keeps en in p when it stands at the path of a local file still to
// be hashed, and reports whether it did.
func (p pendingRemote) hold(w *walkResult, en Entry) bool {
	f := w.atPath(en)
	var rs remoteSum
	if f == nil || f.hashed || !decodeMD5(&rs.md5, en.MD5) {
		return false
	}
	rs.size = en.Size
	p[f] = rs
	return true
}

// settle compares the held remote files with the hashed local ones: a
// match is unchanged, the others go back into the listing for the plan.
func (p pendingRemote) settle(remote []Entry) ([]Entry, int) {
	n := 0
	for f, rs := range p {
		if f.hashed && f.size == rs.size && f.md5 == rs.md5 {
			f.unchanged = true
			n++
			continue
		}
		remote = append(remote, Entry{Path: f.remote, Size: rs.size, MD5: hex.EncodeToString(rs.md5[:])})
	}
	return remote, n
}
