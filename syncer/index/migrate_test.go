package index_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"jottacloudclient/syncer/index"
)

// oldValue encodes a record exactly as the previous format (syncer/state)
// stored it.
func oldValue(r index.Record, upMD5 [16]byte, upSize int64, flags byte) []byte {
	b := make([]byte, 73)
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(r.Size))
	le.PutUint64(b[8:], uint64(r.ModTime))
	le.PutUint64(b[16:], r.Inode)
	le.PutUint64(b[24:], uint64(r.Ctime))
	copy(b[32:48], r.MD5[:])
	copy(b[48:64], upMD5[:])
	le.PutUint64(b[64:], uint64(upSize))
	b[72] = flags
	return b
}

// writeOld writes a previous-format index: gen's records for paths, each
// uploaded with its own md5 and size unless told otherwise by odd, plus
// meta.
func writeOld(t testing.TB, p string, paths []string, odd map[string]func(r index.Record) ([16]byte, int64, byte), meta map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(p, 0o600, &bolt.Options{NoFreelistSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		files, err := tx.CreateBucketIfNotExists([]byte("files"))
		if err != nil {
			return err
		}
		mb, err := tx.CreateBucketIfNotExists([]byte("meta"))
		if err != nil {
			return err
		}
		for k, v := range meta {
			if err := mb.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
		for _, path := range paths {
			r := recFor(path, 1)
			up, size, flags := r.MD5, r.Size, byte(2)
			if r.Hashed {
				flags |= 1
			}
			if f := odd[path]; f != nil {
				up, size, flags = f(r)
			}
			if err := files.Put([]byte(path), oldValue(r, up, size, flags)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateFromBbolt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pairs", "home-1a2b.db")
	paths := append(awkwardPaths(), manyPaths(3000)...)
	paths = append(paths, "Photos/a.jpg", "Photos 2019.zip", "Photos-old/b.jpg", "Photos.txt", "Photos/sub/c.jpg", "x", "x/y")
	odd := map[string]func(index.Record) ([16]byte, int64, byte){
		// The server confirmed other content than what was hashed since.
		"a/x": func(r index.Record) ([16]byte, int64, byte) { return [16]byte{1, 2, 3}, r.Size, 3 },
		"b":   func(r index.Record) ([16]byte, int64, byte) { return r.MD5, r.Size + 1, 3 },
		// Hashed, never uploaded; and neither.
		"a-b": func(r index.Record) ([16]byte, int64, byte) { return [16]byte{}, 0, 1 },
		"a.c": func(r index.Record) ([16]byte, int64, byte) { return [16]byte{}, 0, 0 },
	}
	meta := map[string]string{"root-device": "2049", "last-complete-pass": "1700000000"}
	writeOld(t, p, paths, odd, meta)

	ix, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	want := expect(paths, 1)
	for i := range want {
		switch want[i].path {
		case "a/x", "b":
			want[i].rec.Uploaded, want[i].rec.Hashed = false, true
		case "a-b":
			want[i].rec.Uploaded, want[i].rec.Hashed = false, true
		case "a.c":
			want[i].rec.Uploaded, want[i].rec.Hashed = false, false
		default:
			want[i].rec.Uploaded = true
		}
	}
	same(t, readAll(t, ix), want)
	if ix.Len() != len(want) {
		t.Fatalf("Len %d, want %d", ix.Len(), len(want))
	}
	for k, v := range meta {
		if got, err := ix.Meta(k); err != nil || string(got) != v {
			t.Errorf("Meta(%q) = %q, %v", k, got, err)
		}
	}
	// The bbolt file is gone: the path now holds the new index, and it is
	// not migrated again.
	if _, err := bolt.Open(p, 0o600, &bolt.Options{ReadOnly: true, Timeout: 1}); err == nil {
		t.Fatal("the path still opens as bbolt")
	}
	write(t, ix, []string{"new"}, 2, commit)
	ix = reopen(t, ix, p)
	same(t, readAll(t, ix), expect([]string{"new"}, 2))
	if v, _ := ix.Meta("root-device"); string(v) != "2049" {
		t.Fatalf("meta after reopen: %q", v)
	}
}

func TestMigrateEmptyBbolt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.db")
	writeOld(t, p, nil, nil, nil)
	ix, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Len() != 0 || len(readAll(t, ix)) != 0 {
		t.Fatal("records from nowhere")
	}
}

func TestNotAnIndex(t *testing.T) {
	p := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(p, []byte("this is not an index at all, not even bbolt"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := index.Open(p); err == nil {
		t.Fatal("junk opened as an index")
	} else {
		t.Log(err)
	}
}
