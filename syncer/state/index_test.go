package state_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"jottacloudclient/syncer/state"
)

func open(t *testing.T) (*state.Index, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sub", "pair.db")
	ix, err := state.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, p
}

func TestHashedAndUploadedAreKeptApart(t *testing.T) {
	ix, _ := open(t)
	var items []state.Hashed
	for i := range 1000 {
		items = append(items, state.Hashed{Path: fmt.Sprintf("dir/f%04d", i), Size: int64(i), ModTime: int64(i * 10), Inode: uint64(i + 1), Ctime: int64(i * 20), MD5: [16]byte{byte(i), byte(i >> 8)}})
	}
	if err := ix.PutHashed(items); err != nil {
		t.Fatal(err)
	}
	if err := ix.MarkUploaded("dir/f0007", [16]byte{7}, 7); err != nil {
		t.Fatal(err)
	}
	// Rehashing keeps the upload record.
	if err := ix.PutHashed([]state.Hashed{{Path: "dir/f0007", Size: 8, MD5: [16]byte{8}}}); err != nil {
		t.Fatal(err)
	}
	err := ix.View(func(r *state.Reader) error {
		cases := []struct {
			name string
			path string
			want state.Record
			ok   bool
		}{
			{"first", "dir/f0000", state.Record{Size: 0, ModTime: 0, Inode: 1, Ctime: 0, MD5: [16]byte{0, 0}, Hashed: true}, true},
			{"last of the batch", "dir/f0999", state.Record{Size: 999, ModTime: 9990, Inode: 1000, Ctime: 19980, MD5: [16]byte{231, 3}, Hashed: true}, true},
			{"rehashed after upload", "dir/f0007", state.Record{Size: 8, MD5: [16]byte{8}, Hashed: true, UploadedMD5: [16]byte{7}, UploadedSize: 7, Uploaded: true}, true},
			{"unknown", "nope", state.Record{}, false},
		}
		for _, tc := range cases {
			got, ok := r.Get(tc.path)
			if ok != tc.ok || got != tc.want {
				t.Errorf("%s: Get(%q) = %+v, %v; want %+v, %v", tc.name, tc.path, got, ok, tc.want, tc.ok)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSameStat(t *testing.T) {
	r := state.Record{Size: 10, ModTime: 20, Inode: 30, Ctime: 40}
	cases := []struct {
		name               string
		size, mtime, ctime int64
		inode              uint64
		want               bool
	}{
		{"identical", 10, 20, 40, 30, true},
		{"size", 11, 20, 40, 30, false},
		{"mtime", 10, 21, 40, 30, false},
		{"ctime", 10, 20, 41, 30, false},
		{"inode", 10, 20, 40, 31, false},
	}
	for _, tc := range cases {
		if got := r.SameStat(tc.size, tc.mtime, tc.inode, tc.ctime); got != tc.want {
			t.Errorf("%s: SameStat = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDeleteMetaAndReopen(t *testing.T) {
	ix, p := open(t)
	if err := ix.PutHashed([]state.Hashed{{Path: "a"}, {Path: "b"}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete([]string{"a"}); err != nil {
		t.Fatal(err)
	}
	if err := ix.SetMeta("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix2, err := state.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	var paths []string
	ix2.View(func(r *state.Reader) error {
		return r.ForEach(func(path string, _ state.Record) error { paths = append(paths, path); return nil })
	})
	if fmt.Sprint(paths) != "[b]" {
		t.Errorf("paths after delete and reopen: %v, want [b]", paths)
	}
	if v, err := ix2.Meta("k"); err != nil || string(v) != "v" {
		t.Errorf("meta = %q, %v", v, err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the lock timeout")
	}
	_, p := open(t)
	_, err := state.Open(p)
	if !errors.Is(err, state.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}
