package index

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"
)

func testRecord(path string, gen int) Record {
	return Record{Size: int64(len(path) + gen), ModTime: int64(gen) * 1e9, Inode: uint64(gen), Hashed: true, MD5: [16]byte{byte(gen)}}
}

func testPaths(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("d%02d/f%06d", i/1000, i)
	}
	return out
}

// dieWriting leaves the index as a process killed while writing gen would:
// the records Put so far are in P.new (blocks written), the lock is gone.
func dieWriting(t *testing.T, ix *Index, paths []string, gen int) {
	t.Helper()
	w, err := ix.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		ref, err := w.Put(p, testRecord(p, gen))
		if err != nil {
			t.Fatal(err)
		}
		w.SetUploaded(ref)
	}
	close(w.stop)
	<-w.done
	if err := w.bw.flush(); err != nil {
		t.Fatal(err)
	}
	w.f.Close()
	if err := ix.lock.Unlock(); err != nil {
		t.Fatal(err)
	}
}

func readRecords(t *testing.T, ix *Index) map[string]Record {
	t.Helper()
	c, err := ix.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out := map[string]Record{}
	for c.Next() {
		out[c.Path()] = c.Record()
	}
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenRecoversALeftoverStream(t *testing.T) {
	old := testPaths(9000)
	for _, tc := range []struct {
		name string
		cut  func(size int64) int64 // new length of P.new; 0: untouched
		// the last path of the new generation that survives, -1: none
		last int
	}{
		{"whole blocks", nil, 6999},
		{"torn inside the last block", func(size int64) int64 { return size - 100 }, -2},
		{"only the magic", func(int64) int64 { return 8 }, -1},
		{"not even the magic", func(int64) int64 { return 3 }, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.db")
			ix, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			w, _ := ix.Begin()
			for _, q := range old {
				w.Put(q, testRecord(q, 1))
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			dieWriting(t, ix, old[:7000], 2)
			if tc.cut != nil {
				st, _ := os.Stat(p + ".new")
				if err := os.Truncate(p+".new", tc.cut(st.Size())); err != nil {
					t.Fatal(err)
				}
			}
			ix2, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer ix2.Close()
			got := readRecords(t, ix2)
			if len(got) != len(old) || ix2.Len() != len(old) {
				t.Fatalf("%d records (Len %d), want %d", len(got), ix2.Len(), len(old))
			}
			last := tc.last
			if last == -2 { // a torn last block: some earlier block ends the prefix
				last = -1
				for i, q := range old {
					if got[q].ModTime == 2e9 {
						last = i
					}
				}
				if last <= 0 || last >= 6999 {
					t.Fatalf("recovered up to %d", last)
				}
			}
			for i, q := range old {
				want := testRecord(q, 1)
				if i <= last {
					// Uploaded marks of a dead writer are not kept.
					want = testRecord(q, 2)
				}
				if got[q] != want {
					t.Fatalf("record %d (last recovered %d): %+v, want %+v", i, last, got[q], want)
				}
			}
			if _, err := os.Stat(p + ".new"); !os.IsNotExist(err) {
				t.Fatalf("P.new left after recovery: %v", err)
			}
		})
	}
}

// A stream that was finished (footer written) but not yet switched to
// becomes the generation on Open, with its upload marks.
func TestOpenAdoptsAFinishedStream(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.db")
	ix, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	paths := testPaths(3000)
	dieWriting(t, ix, paths, 5)
	f, err := os.OpenFile(p+".new", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	bw := &blockWriter{w: f, off: ix.writerOffset(t), count: len(paths)}
	if err := bw.finish([]byte{0xff}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ix2, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	got := readRecords(t, ix2)
	if len(got) != len(paths) {
		t.Fatalf("%d records", len(got))
	}
	for i, q := range paths {
		want := testRecord(q, 5)
		want.Uploaded = i < 8
		if got[q] != want {
			t.Fatalf("record %d: %+v, want %+v", i, got[q], want)
		}
	}
}

func (ix *Index) writerOffset(t *testing.T) int64 {
	st, err := os.Stat(ix.newPath())
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// A pass that Puts slowly still has its records on disk within about
// two seconds.
func TestWriterFlushesWithinTwoSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "x.db")
		ix, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		w, err := ix.Begin()
		if err != nil {
			t.Fatal(err)
		}
		onDisk := func() int {
			f, err := os.Open(p + ".new")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			r := newRecordReader(newSection(f, 8, st.Size()), f.Name(), 8, -1)
			r.tolerant = true
			n := 0
			for r.next() {
				n++
			}
			return n
		}
		for i, q := range testPaths(5) {
			if _, err := w.Put(q, testRecord(q, 1)); err != nil {
				t.Fatal(err)
			}
			if i == 0 && onDisk() != 0 {
				t.Fatal("a small block was written at once")
			}
			time.Sleep(300 * time.Millisecond)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if n := onDisk(); n != 5 {
			t.Fatalf("%d of 5 records on disk after 2 s", n)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
	})
}
