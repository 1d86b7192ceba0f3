package syncer

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
	if en.Dir {
		return false
	}
	i, ok := w.seen[en.Path]
	if !ok {
		return false
	}
	f := &w.files[i]
	if !f.hashed || f.unchanged || f.remote != en.Path || f.size != en.Size || !sameMD5(f.md5, en.MD5) {
		return false
	}
	f.unchanged = true
	return true
}

// sameMD5 compares a binary md5 with a hex one (either case).
func sameMD5(sum [16]byte, hexSum string) bool {
	if len(hexSum) != 32 {
		return false
	}
	for i, c := range sum {
		hi, ok1 := unhex(hexSum[2*i])
		lo, ok2 := unhex(hexSum[2*i+1])
		if !ok1 || !ok2 || hi<<4|lo != c {
			return false
		}
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
