package syncer

import "jottacloudclient/syncer/state"

// identity is what ties a file at a new path to its index record at the
// old one: the same inode, size and modification time.
type identity struct {
	inode uint64
	size  int64
	mtime int64
}

// reuseMoved gives the files the index could not vouch for by path the
// hash stored for the same file at a path this walk no longer found: a
// file renamed or moved inside the folder (alone or with its folder) is
// not read again. The change time is not compared, because a rename
// updates it; a record still matching its own path is never borrowed, so
// hard links and copies are hashed as usual. It returns the borrowed
// hashes, to be stored under the new paths.
func reuseMoved(r *state.Reader, w *walkResult) []state.Hashed {
	misses := map[identity]int{} // → index into w.files; -1 when two files share it
	for i := range w.files {
		f := &w.files[i]
		if f.hashed || f.inode == 0 {
			continue
		}
		k := identity{f.inode, f.size, f.mtime}
		if _, dup := misses[k]; dup {
			misses[k] = -1
		} else {
			misses[k] = i
		}
	}
	// Every record still has its path: nothing moved away.
	if len(misses) == 0 || r.Len() <= w.indexed {
		return nil
	}
	var reused []state.Hashed
	_ = r.ForEach(func(path string, rec state.Record) error {
		if !rec.Hashed || rec.Inode == 0 {
			return nil
		}
		i, ok := misses[identity{rec.Inode, rec.Size, rec.ModTime}]
		if !ok || i < 0 {
			return nil
		}
		if _, still := w.seen[path]; still {
			return nil
		}
		f := &w.files[i]
		if f.hashed {
			return nil
		}
		f.md5, f.hashed = rec.MD5, true
		delete(misses, identity{rec.Inode, rec.Size, rec.ModTime})
		reused = append(reused, state.Hashed{Path: f.rel, Size: f.size, ModTime: f.mtime, Inode: f.inode, Ctime: f.ctime, MD5: f.md5})
		return nil
	})
	return reused
}
