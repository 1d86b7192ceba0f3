package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The previous format (package syncer/state): a bbolt database with bucket
// "files" (key: local relative path; value: size, mtime, inode, ctime as
// little-endian uint64, md5[16], uploaded md5[16], uploaded size uint64,
// flags byte 1=hashed 2=uploaded) and bucket "meta".
var (
	oldFiles = []byte("files")
	oldMeta  = []byte("meta")
)

const oldRecordLen = 8 + 8 + 8 + 8 + 16 + 16 + 8 + 1

func decodeOld(v []byte) (Record, bool) {
	if len(v) != oldRecordLen {
		return Record{}, false
	}
	le := binary.LittleEndian
	r := Record{
		Size:    int64(le.Uint64(v[0:])),
		ModTime: int64(le.Uint64(v[8:])),
		Inode:   le.Uint64(v[16:]),
		Ctime:   int64(le.Uint64(v[24:])),
		Hashed:  v[72]&1 != 0,
	}
	copy(r.MD5[:], v[32:48])
	r.Uploaded = v[72]&2 != 0 && bytes.Equal(v[48:64], v[32:48]) && int64(le.Uint64(v[64:])) == r.Size
	return r, true
}

// migrate converts the bbolt index at ix.path into generation 1 and a
// manifest. The manifest replaces the bbolt file in one rename, so a crash
// leaves either the old file (migrated again on the next Open) or the new
// index. Nothing is re-hashed.
func (ix *Index) migrate() (manifest, error) {
	db, err := bolt.Open(ix.path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockWait})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return manifest{}, fmt.Errorf("index: open %s: %w", ix.path, ErrLocked)
		}
		return manifest{}, fmt.Errorf("index: %s is neither an index nor a previous-format one (%v): %w", ix.path, err, ErrDamaged)
	}
	man := manifest{gen: 1, meta: map[string][]byte{}}
	err = db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(oldMeta); b != nil {
			if err := b.ForEach(func(k, v []byte) error {
				man.meta[string(k)] = bytes.Clone(v)
				return nil
			}); err != nil {
				return err
			}
		}
		n, err := ix.writeGen(man.gen, func(emit func(string, *Record) error) error {
			b := tx.Bucket(oldFiles)
			if b == nil {
				return nil
			}
			return walkOld(b.Cursor(), nil, emit)
		})
		man.count = n
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The stream of a previous-format index cannot exist; whatever is
		// there is not ours to recover.
		if rerr := os.Remove(ix.newPath()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = rerr
		}
	}
	if err == nil {
		err = writeFileSync(ix.path, ix.manTmpPath(), man.encode())
	}
	if err != nil {
		return manifest{}, fmt.Errorf("index: migrate %s: %w", ix.path, err)
	}
	return man, nil
}

// writeGen writes a complete generation file for g from fill's records,
// which must come in ComparePaths order.
func (ix *Index) writeGen(g uint64, fill func(emit func(string, *Record) error) error) (int, error) {
	f, err := os.OpenFile(ix.genPath(g), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	bw, err := newBlockWriter(f)
	if err == nil {
		err = fill(bw.add)
	}
	if err == nil {
		err = bw.finish(nil)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		return bw.count, nil
	}
	_ = os.Remove(f.Name())
	return 0, err
}

type oldChild struct {
	name   string
	rec    Record
	hasRec bool
	isDir  bool
}

// walkOld emits the records under prefix in ComparePaths order. bbolt keeps
// keys in byte order, where "a-b" comes before "a/x"; so each folder's
// children are gathered (seeking past each subfolder), sorted by name and
// visited depth first. Memory is the children of the folders on one path.
func walkOld(c *bolt.Cursor, prefix []byte, emit func(string, *Record) error) error {
	var kids []oldChild
	k, v := c.Seek(prefix)
	for k != nil && bytes.HasPrefix(k, prefix) {
		rest := k[len(prefix):]
		if i := bytes.IndexByte(rest, '/'); i >= 0 {
			kids = append(kids, oldChild{name: string(rest[:i]), isDir: true})
			k, v = c.Seek(append(slices.Concat(prefix, rest[:i]), '/'+1))
			continue
		}
		// A value of another length was ignored by the old reader too.
		if rec, ok := decodeOld(v); ok {
			kids = append(kids, oldChild{name: string(rest), rec: rec, hasRec: true})
		}
		k, v = c.Next()
	}
	slices.SortStableFunc(kids, func(a, b oldChild) int { return strings.Compare(a.name, b.name) })
	for _, kid := range kids {
		if kid.hasRec {
			if err := emit(string(prefix)+kid.name, &kid.rec); err != nil {
				return err
			}
		}
		if kid.isDir { // once per name: the seek skipped the rest of its keys
			if err := walkOld(c, append(slices.Concat(prefix, []byte(kid.name)), '/'), emit); err != nil {
				return err
			}
		}
	}
	return nil
}
