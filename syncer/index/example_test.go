package index_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"jottacloudclient/syncer/index"
)

// One pass: the walk (here a sorted list) is merged against a cursor over
// the previous generation; every file kept is Put in walk order, and files
// the server confirms are marked by reference.
func Example() {
	dir, _ := os.MkdirTemp("", "index-example")
	defer os.RemoveAll(dir)
	ix, err := index.Open(filepath.Join(dir, "home-1a2b.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ix.Close()

	walk := []string{"Photos/a.jpg", "Photos/b.jpg", "Photos 2019.zip", "notes.txt"}
	// The walk visits a folder's contents right after the folder.
	slices.SortFunc(walk, index.ComparePaths)

	c, _ := ix.Cursor()
	w, _ := ix.Begin()
	have := c.Next()
	for _, p := range walk {
		for have && index.ComparePaths(c.Path(), p) < 0 {
			have = c.Next() // gone from disk: not Put, so forgotten
		}
		rec := index.Record{Size: int64(len(p)), ModTime: 1, Inode: uint64(len(p))}
		if have && c.Path() == p && c.Record().SameStat(rec.Size, rec.ModTime, rec.Inode, rec.Ctime) {
			rec = c.Record() // unchanged: keep the hash, no reading
		} else {
			rec.Hashed = true // hashed now
		}
		ref, _ := w.Put(p, rec)
		w.SetUploaded(ref) // once the server confirmed it
	}
	c.Close()
	if err := w.Commit(); err != nil {
		fmt.Println(err)
		return
	}
	_ = ix.View(func(r *index.Reader) error {
		return r.ForEach(func(p string, rec index.Record) error {
			fmt.Println(p, rec.Uploaded)
			return nil
		})
	})
	// Output:
	// Photos/a.jpg true
	// Photos/b.jpg true
	// Photos 2019.zip true
	// notes.txt true
}
