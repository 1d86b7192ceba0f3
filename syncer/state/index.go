package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	filesBucket = []byte("files")
	metaBucket  = []byte("meta")
)

// ErrLocked means another process holds the index open.
var ErrLocked = errors.New("index is in use by another process")

// Record is what the index knows about one local file.
type Record struct {
	// Stat at hashing time.
	Size    int64
	ModTime int64 // Unix nanoseconds
	Inode   uint64
	Ctime   int64 // Unix nanoseconds; 0 where the platform has none
	// MD5 of the content with that stat; valid when Hashed.
	MD5    [16]byte
	Hashed bool
	// What the server confirmed, valid when Uploaded.
	UploadedMD5  [16]byte
	UploadedSize int64
	Uploaded     bool
}

// SameStat reports whether the file still looks as it did when hashed.
func (r Record) SameStat(size, mtime int64, inode uint64, ctime int64) bool {
	return r.Size == size && r.ModTime == mtime && r.Inode == inode && r.Ctime == ctime
}

const recordLen = 8 + 8 + 8 + 8 + 16 + 16 + 8 + 1

const (
	flagHashed   = 1
	flagUploaded = 2
)

func (r *Record) encode(b []byte) {
	binary.LittleEndian.PutUint64(b[0:], uint64(r.Size))
	binary.LittleEndian.PutUint64(b[8:], uint64(r.ModTime))
	binary.LittleEndian.PutUint64(b[16:], r.Inode)
	binary.LittleEndian.PutUint64(b[24:], uint64(r.Ctime))
	copy(b[32:48], r.MD5[:])
	copy(b[48:64], r.UploadedMD5[:])
	binary.LittleEndian.PutUint64(b[64:], uint64(r.UploadedSize))
	var f byte
	if r.Hashed {
		f |= flagHashed
	}
	if r.Uploaded {
		f |= flagUploaded
	}
	b[72] = f
}

func (r *Record) decode(b []byte) bool {
	if len(b) != recordLen {
		return false
	}
	r.Size = int64(binary.LittleEndian.Uint64(b[0:]))
	r.ModTime = int64(binary.LittleEndian.Uint64(b[8:]))
	r.Inode = binary.LittleEndian.Uint64(b[16:])
	r.Ctime = int64(binary.LittleEndian.Uint64(b[24:]))
	copy(r.MD5[:], b[32:48])
	copy(r.UploadedMD5[:], b[48:64])
	r.UploadedSize = int64(binary.LittleEndian.Uint64(b[64:]))
	r.Hashed = b[72]&flagHashed != 0
	r.Uploaded = b[72]&flagUploaded != 0
	return true
}

// Index is one pair's index. It is safe for concurrent use.
type Index struct {
	db *bolt.DB
}

// Open opens or creates the index file at path (its directory is created).
// A file another process holds open gives ErrLocked after a short wait.
func Open(path string) (*Index, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state: create index directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("state: open %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(filesBucket); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(metaBucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("state: initialise %s: %w", path, err)
	}
	return &Index{db: db}, nil
}

// Close releases the file.
func (ix *Index) Close() error { return ix.db.Close() }

// Reader looks records up inside one read transaction.
type Reader struct {
	b   *bolt.Bucket
	key []byte
}

// Get returns the record stored for the local relative path.
func (r *Reader) Get(path string) (Record, bool) {
	r.key = append(r.key[:0], path...)
	v := r.b.Get(r.key)
	var rec Record
	if v == nil || !rec.decode(v) {
		return Record{}, false
	}
	return rec, true
}

// ForEach calls fn for every stored path in key order.
func (r *Reader) ForEach(fn func(path string, rec Record) error) error {
	return r.b.ForEach(func(k, v []byte) error {
		var rec Record
		if !rec.decode(v) {
			return nil
		}
		return fn(string(k), rec)
	})
}

// Len returns the number of stored paths.
func (r *Reader) Len() int { return r.b.Stats().KeyN }

// View runs fn with a Reader over one consistent snapshot.
func (ix *Index) View(fn func(r *Reader) error) error {
	return ix.db.View(func(tx *bolt.Tx) error {
		return fn(&Reader{b: tx.Bucket(filesBucket)})
	})
}

// Hashed is one hashing result to store.
type Hashed struct {
	Path    string
	Size    int64
	ModTime int64
	Inode   uint64
	Ctime   int64
	MD5     [16]byte
}

// PutHashed stores hashing results in one transaction, keeping each path's
// upload record.
func (ix *Index) PutHashed(items []Hashed) error {
	if len(items) == 0 {
		return nil
	}
	return ix.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(filesBucket)
		// bbolt keeps the value slices until commit: one buffer, one
		// slice per record.
		buf := make([]byte, recordLen*len(items))
		for i, it := range items {
			val := buf[i*recordLen : (i+1)*recordLen]
			var rec Record
			if v := b.Get([]byte(it.Path)); v != nil {
				rec.decode(v)
			}
			rec.Size, rec.ModTime, rec.Inode, rec.Ctime = it.Size, it.ModTime, it.Inode, it.Ctime
			rec.MD5, rec.Hashed = it.MD5, true
			rec.encode(val)
			if err := b.Put([]byte(it.Path), val); err != nil {
				return fmt.Errorf("state: put %q: %w", it.Path, err)
			}
		}
		return nil
	})
}

// Uploaded is one server confirmation to store.
type Uploaded struct {
	Path string
	MD5  [16]byte
	Size int64
}

// MarkUploaded records that the server confirmed md5 and size for path.
func (ix *Index) MarkUploaded(path string, md5 [16]byte, size int64) error {
	return ix.PutUploaded([]Uploaded{{Path: path, MD5: md5, Size: size}})
}

// PutUploaded records server confirmations in one transaction, keeping
// each path's hashing record.
func (ix *Index) PutUploaded(items []Uploaded) error {
	if len(items) == 0 {
		return nil
	}
	return ix.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(filesBucket)
		buf := make([]byte, recordLen*len(items))
		for i, it := range items {
			val := buf[i*recordLen : (i+1)*recordLen]
			var rec Record
			if v := b.Get([]byte(it.Path)); v != nil {
				rec.decode(v)
			}
			rec.UploadedMD5, rec.UploadedSize, rec.Uploaded = it.MD5, it.Size, true
			rec.encode(val)
			if err := b.Put([]byte(it.Path), val); err != nil {
				return fmt.Errorf("state: put %q: %w", it.Path, err)
			}
		}
		return nil
	})
}

// Delete forgets the given paths.
func (ix *Index) Delete(paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	return ix.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(filesBucket)
		for _, p := range paths {
			if err := b.Delete([]byte(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Meta returns a stored metadata value, or nil.
func (ix *Index) Meta(key string) ([]byte, error) {
	var out []byte
	err := ix.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(metaBucket).Get([]byte(key)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// SetMeta stores a metadata value.
func (ix *Index) SetMeta(key string, value []byte) error {
	return ix.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(metaBucket).Put([]byte(key), value)
	})
}
