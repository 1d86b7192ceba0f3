package index_test

import (
	"crypto/md5"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"jottacloudclient/syncer/index"
)

type entry struct {
	path string
	rec  index.Record
}

// recFor derives a record from a path and a generation number, so any
// record read back can be checked.
func recFor(path string, gen int) index.Record {
	h := fnv.New64a()
	h.Write([]byte(path))
	x := h.Sum64()
	r := index.Record{
		Size:    int64(x%100000) + int64(gen),
		ModTime: 1_700_000_000_000_000_000 + int64(x%1_000_000_000) + int64(gen)*1_000_000_000,
		Inode:   x>>20 + uint64(gen),
		MD5:     md5.Sum(fmt.Appendf(nil, "%s|%d", path, gen)),
		Hashed:  x%7 != 0,
	}
	switch x % 3 {
	case 0:
		r.Ctime = r.ModTime
	case 1:
		r.Ctime = r.ModTime + int64(x%5000)
	}
	return r
}

// genOf finds which generation a record was derived from (-1: none).
func genOf(path string, r index.Record) int {
	g := int(r.Size - recFor(path, 0).Size)
	want := recFor(path, g)
	want.Uploaded = r.Uploaded
	if g < 0 || want != r {
		return -1
	}
	return g
}

func openIndex(t *testing.T) (*index.Index, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sub", "pair-abc.db")
	ix, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, p
}

// reopen closes ix and opens the index at p again.
func reopen(t *testing.T, ix *index.Index, p string) *index.Index {
	t.Helper()
	ix.Close()
	ix2, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix2.Close() })
	return ix2
}

func readAll(t *testing.T, ix *index.Index) []entry {
	t.Helper()
	c, err := ix.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out []entry
	for c.Next() {
		out = append(out, entry{c.Path(), c.Record()})
	}
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sorted(paths []string) []string {
	paths = slices.Clone(paths)
	slices.SortFunc(paths, index.ComparePaths)
	return slices.Compact(paths)
}

// write Puts every path (in the given order) with gen's records and ends
// the generation with end (Commit, Keep or Abort).
func write(t *testing.T, ix *index.Index, paths []string, gen int, end func(*index.Writer) error) {
	t.Helper()
	w, err := ix.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if _, err := w.Put(p, recFor(p, gen)); err != nil {
			t.Fatal(err)
		}
	}
	if err := end(w); err != nil {
		t.Fatal(err)
	}
}

func commit(w *index.Writer) error { return w.Commit() }
func keep(w *index.Writer) error   { return w.Keep() }
func abort(w *index.Writer) error  { return w.Abort() }

func expect(paths []string, gen int) []entry {
	var out []entry
	for _, p := range sorted(paths) {
		out = append(out, entry{p, recFor(p, gen)})
	}
	return out
}

func same(t *testing.T, got, want []entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("record %d: got %q %+v\nwant %q %+v", i, got[i].path, got[i].rec, want[i].path, want[i].rec)
		}
	}
}

func awkwardPaths() []string {
	return []string{
		"a", "a/x", "a/y/z", "a-b", "a.c", "a b/c", "a/b c", "b",
		"Fotos/2019/IMG 0001.JPG", "Fotos/2019-01", "Fotos/2019.zip", "Fotos.txt",
		"ünïcödé/日本語/файл.txt", "emoji/😀.png", "spaces /  / x",
		"dir/" + strings.Repeat("long", 200), strings.Repeat("deep/", 60) + "f",
		"trailing.", ".hidden/.x", "-dash/-x", "e0123/f0123456", "e0123/f0123457",
	}
}

func TestRoundTripAwkwardPaths(t *testing.T) {
	ix, _ := openIndex(t)
	paths := sorted(awkwardPaths())
	w, err := ix.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if _, err := w.Put(p, recFor(p, 1)); err != nil {
			t.Fatal(err)
		}
	}
	// A record of an empty file, never hashed, and one with extreme fields.
	if _, err := w.Put("zz/empty", index.Record{}); err != nil {
		t.Fatal(err)
	}
	extreme := index.Record{Size: 1<<62 + 5, ModTime: -1, Inode: ^uint64(0), Ctime: -1 << 62, MD5: [16]byte{15: 1}, Uploaded: true}
	if _, err := w.Put("zz/extreme", extreme); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	want := append(expect(paths, 1), entry{"zz/empty", index.Record{}}, entry{"zz/extreme", extreme})
	slices.SortFunc(want, func(a, b entry) int { return index.ComparePaths(a.path, b.path) })
	same(t, readAll(t, ix), want)
	if ix.Len() != len(want) {
		t.Fatalf("Len %d, want %d", ix.Len(), len(want))
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ix, p := openIndex(t)
	paths := manyPaths(5000)
	write(t, ix, paths, 3, commit)
	if err := ix.SetMeta("root-device", []byte("dev 42")); err != nil {
		t.Fatal(err)
	}
	ix2 := reopen(t, ix, p)
	same(t, readAll(t, ix2), expect(paths, 3))
	if v, _ := ix2.Meta("root-device"); string(v) != "dev 42" {
		t.Fatalf("meta %q", v)
	}
	// Only the manifest, the current generation and the lock are left.
	files, _ := os.ReadDir(filepath.Dir(p))
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	if want := []string{"pair-abc.db", "pair-abc.db.g1", "pair-abc.db.lock"}; !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
}

func manyPaths(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("e%04d/f%07d", i/1000, i)
	}
	return out
}

func TestOutOfOrderAndDuplicatePuts(t *testing.T) {
	ix, _ := openIndex(t)
	w, err := ix.Begin()
	if err != nil {
		t.Fatal(err)
	}
	put := func(p string, gen int) index.Ref {
		t.Helper()
		ref, err := w.Put(p, recFor(p, gen))
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	put("b/1", 1)
	put("b/3", 1)
	put("a", 1)   // out of order, new path
	put("b/2", 1) // out of order, between
	put("b/3", 2) // duplicate of the largest: later wins
	put("b/1", 3) // duplicate of a streamed one
	put("b/1", 4) // and again
	put("c", 1)
	put("b/2", 5) // duplicate of an out-of-order one
	refA := put("b-x", 1)
	w.SetUploaded(refA)
	refOld := put("d", 1)
	refNew := put("d", 2) // the later Put wins, with its own mark
	w.SetUploaded(refOld)
	_ = refNew
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	up := recFor("b-x", 1)
	up.Uploaded = true
	want := []entry{
		{"a", recFor("a", 1)},
		{"b/1", recFor("b/1", 4)},
		{"b/2", recFor("b/2", 5)},
		{"b/3", recFor("b/3", 2)},
		{"b-x", up},
		{"c", recFor("c", 1)},
		{"d", recFor("d", 2)},
	}
	same(t, readAll(t, ix), want)
	if ix.Len() != len(want) {
		t.Fatalf("Len %d, want %d", ix.Len(), len(want))
	}
}

func TestSetUploadedFromManyGoroutines(t *testing.T) {
	ix, _ := openIndex(t)
	w, err := ix.Begin()
	if err != nil {
		t.Fatal(err)
	}
	paths := manyPaths(20000)
	refs := make(chan struct {
		ref index.Ref
		i   int
	}, 64)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for r := range refs {
				if r.i%3 == 0 {
					w.SetUploaded(r.ref)
				}
			}
		})
	}
	for i, p := range paths {
		if i%1000 == 999 { // some out of order too: they are Put again later
			if _, err := w.Put(paths[i-500], recFor(paths[i-500], 1)); err != nil {
				t.Fatal(err)
			}
		}
		ref, err := w.Put(p, recFor(p, 1))
		if err != nil {
			t.Fatal(err)
		}
		refs <- struct {
			ref index.Ref
			i   int
		}{ref, i}
	}
	close(refs)
	wg.Wait()
	// Marks racing the end are ignored, not a data race.
	late := make(chan struct{})
	go func() {
		defer close(late)
		for range 1000 {
			w.SetUploaded(1)
		}
	}()
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	<-late
	got := readAll(t, ix)
	if len(got) != len(paths) {
		t.Fatalf("%d records", len(got))
	}
	for i, e := range got {
		want := recFor(paths[i], 1)
		// A re-Put out of order replaced the record: its mark is gone.
		want.Uploaded = i%3 == 0 && !(i%1000 == 499) || i == 1 && e.rec.Uploaded
		if e.path != paths[i] || e.rec != want {
			t.Fatalf("record %d: %q %+v, want %q %+v", i, e.path, e.rec, paths[i], want)
		}
	}
}

func TestKeep(t *testing.T) {
	old := []string{"a", "a/1", "a/2", "b", "b/1", "b/2", "c/1", "d"}
	for _, tc := range []struct {
		name string
		put  []string
		want map[string]int // path → generation
	}{
		{"prefix replaced, rest kept", []string{"a/1", "b"},
			map[string]int{"a/1": 2, "b": 2, "b/1": 1, "b/2": 1, "c/1": 1, "d": 1}},
		{"new paths inside the prefix", []string{"a/0", "a/3", "b/1"},
			map[string]int{"a/0": 2, "a/3": 2, "b/1": 2, "b/2": 1, "c/1": 1, "d": 1}},
		{"past the end", []string{"a", "e"}, map[string]int{"a": 2, "e": 2}},
		{"nothing put keeps all", nil,
			map[string]int{"a": 1, "a/1": 1, "a/2": 1, "b": 1, "b/1": 1, "b/2": 1, "c/1": 1, "d": 1}},
		{"out of order within", []string{"b/1", "a/2"},
			map[string]int{"a/2": 2, "b/1": 2, "b/2": 1, "c/1": 1, "d": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, _ := openIndex(t)
			write(t, ix, old, 1, commit)
			write(t, ix, tc.put, 2, keep)
			var want []entry
			for _, p := range sorted(slices.Collect(mapsKeys(tc.want))) {
				want = append(want, entry{p, recFor(p, tc.want[p])})
			}
			same(t, readAll(t, ix), want)
			if ix.Len() != len(want) {
				t.Fatalf("Len %d, want %d", ix.Len(), len(want))
			}
		})
	}
}

func mapsKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestAbortLeavesTheIndex(t *testing.T) {
	ix, p := openIndex(t)
	write(t, ix, []string{"a", "b"}, 1, commit)
	write(t, ix, []string{"a", "c", "b"}, 2, abort)
	same(t, readAll(t, ix), expect([]string{"a", "b"}, 1))
	if _, err := os.Stat(p + ".new"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stream file left: %v", err)
	}
	// Closing the index drops an open writer the same way.
	w, err := ix.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Put("z", recFor("z", 3)); err != nil {
		t.Fatal(err)
	}
	same(t, readAll(t, reopen(t, ix, p)), expect([]string{"a", "b"}, 1))
}

func TestOneWriterAtATime(t *testing.T) {
	ix, _ := openIndex(t)
	w, err := ix.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Begin(); err == nil || !strings.Contains(err.Error(), "already being written") {
		t.Fatalf("second Begin: %v", err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err == nil {
		t.Fatal("second Commit succeeded")
	}
	if _, err := w.Put("x", index.Record{}); err == nil {
		t.Fatal("Put after Commit succeeded")
	}
	w2, err := ix.Begin()
	if err != nil {
		t.Fatalf("Begin after Commit: %v", err)
	}
	w2.Abort()
}

func TestCursorOpenedBeforeCommitReadsTheOldGeneration(t *testing.T) {
	ix, p := openIndex(t)
	old := manyPaths(30000)
	write(t, ix, old, 1, commit)
	c, err := ix.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	var got []entry
	for range 10 {
		c.Next()
		got = append(got, entry{c.Path(), c.Record()})
	}
	write(t, ix, old[:100], 2, commit)
	write(t, ix, old[:50], 3, keep)
	for c.Next() {
		got = append(got, entry{c.Path(), c.Record()})
	}
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	same(t, got, expect(old, 1))
	if _, err := os.Stat(p + ".g1"); err != nil {
		t.Fatalf("generation read by a cursor is gone: %v", err)
	}
	c.Close()
	if _, err := os.Stat(p + ".g1"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("old generation kept after its cursor closed: %v", err)
	}
	want := append(expect(old[:50], 3), expect(old[50:100], 2)...)
	same(t, readAll(t, ix), want)
}

func TestViewForEach(t *testing.T) {
	ix, _ := openIndex(t)
	paths := awkwardPaths()
	write(t, ix, sorted(paths), 1, commit)
	err := ix.View(func(r *index.Reader) error {
		if r.Len() != len(sorted(paths)) {
			t.Errorf("Len %d", r.Len())
		}
		// A commit during the view does not change what it reads.
		write(t, ix, []string{"only"}, 2, commit)
		var got []entry
		if err := r.ForEach(func(p string, rec index.Record) error {
			got = append(got, entry{p, rec})
			return nil
		}); err != nil {
			return err
		}
		same(t, got, expect(paths, 1))
		stop := errors.New("stop")
		n := 0
		if err := r.ForEach(func(string, index.Record) error { n++; return stop }); err != stop || n != 1 {
			t.Errorf("ForEach stop: %v after %d", err, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	same(t, readAll(t, ix), expect([]string{"only"}, 2))
}

func TestEmptyIndex(t *testing.T) {
	ix, _ := openIndex(t)
	if got := readAll(t, ix); len(got) != 0 || ix.Len() != 0 {
		t.Fatalf("fresh index has %d records", len(got))
	}
	write(t, ix, []string{"a"}, 1, commit)
	write(t, ix, nil, 2, commit)
	if got := readAll(t, ix); len(got) != 0 || ix.Len() != 0 {
		t.Fatalf("empty commit left %d records", len(got))
	}
}

func TestMeta(t *testing.T) {
	ix, p := openIndex(t)
	if v, err := ix.Meta("missing"); v != nil || err != nil {
		t.Fatalf("unset meta: %q %v", v, err)
	}
	big := []byte(strings.Repeat("kept/path\n", 800))
	for k, v := range map[string][]byte{"root-device": []byte("2049"), "last-complete-pass": []byte("1700000000"), "kept": big, "empty": {}} {
		if err := ix.SetMeta(k, v); err != nil {
			t.Fatal(err)
		}
	}
	// Meta survives a commit, and a commit survives meta.
	write(t, ix, []string{"a"}, 1, commit)
	if err := ix.SetMeta("root-device", []byte("2050")); err != nil {
		t.Fatal(err)
	}
	if err := ix.SetMeta("empty", nil); err != nil {
		t.Fatal(err)
	}
	ix = reopen(t, ix, p)
	for k, want := range map[string]string{"root-device": "2050", "last-complete-pass": "1700000000", "kept": string(big)} {
		if v, err := ix.Meta(k); err != nil || string(v) != want {
			t.Errorf("Meta(%q) = %.20q, %v", k, v, err)
		}
	}
	if v, _ := ix.Meta("empty"); v != nil {
		t.Errorf("deleted key reads %q", v)
	}
	same(t, readAll(t, ix), expect([]string{"a"}, 1))
	v, _ := ix.Meta("root-device")
	v[0] = 'X'
	if again, _ := ix.Meta("root-device"); string(again) != "2050" {
		t.Error("Meta returns the stored slice itself")
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	_, p := openIndex(t)
	_, err := index.Open(p)
	if !errors.Is(err, index.ErrLocked) {
		t.Fatalf("second Open: %v", err)
	}
}

func TestClosedIndex(t *testing.T) {
	ix, p := openIndex(t)
	ix.Close()
	if _, err := ix.Cursor(); !errors.Is(err, index.ErrClosed) {
		t.Fatalf("Cursor after Close: %v", err)
	}
	if _, err := ix.Begin(); !errors.Is(err, index.ErrClosed) {
		t.Fatalf("Begin after Close: %v", err)
	}
	ix2, err := index.Open(p)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	ix2.Close()
}

func TestDamageIsAnError(t *testing.T) {
	paths := manyPaths(20000)
	for _, tc := range []struct {
		name string
		file string // relative to the index path
		at   func(size int64) int64
	}{
		{"record block", ".g1", func(int64) int64 { return 5000 }},
		{"first block header", ".g1", func(int64) int64 { return 9 }},
		{"magic", ".g1", func(int64) int64 { return 1 }},
		{"bits", ".g1", func(size int64) int64 { return size - 40 }},
		{"footer", ".g1", func(size int64) int64 { return size - 10 }},
		{"manifest", "", func(size int64) int64 { return size - 6 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, p := openIndex(t)
			w, err := ix.Begin()
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range paths {
				ref, err := w.Put(p, recFor(p, 1))
				if err != nil {
					t.Fatal(err)
				}
				if i%2 == 0 {
					w.SetUploaded(ref)
				}
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			ix.Close()
			name := p + tc.file
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			b[tc.at(int64(len(b)))] ^= 0x10
			if err := os.WriteFile(name, b, 0o600); err != nil {
				t.Fatal(err)
			}
			ix, err = index.Open(p)
			if err == nil {
				var c *index.Cursor
				c, err = ix.Cursor()
				if err == nil {
					n := 0
					for c.Next() {
						want := recFor(paths[n], 1)
						want.Uploaded = n%2 == 0
						if c.Path() != paths[n] || c.Record() != want {
							t.Fatalf("record %d is wrong data: %q", n, c.Path())
						}
						n++
					}
					err = c.Err()
					c.Close()
				}
				ix.Close()
			}
			if !errors.Is(err, index.ErrDamaged) {
				t.Fatalf("flipped byte gave %v", err)
			}
			t.Log(err)
			// Remove clears the way for a rebuild.
			if err := index.Remove(p); err != nil {
				t.Fatal(err)
			}
			ix, err = index.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if ix.Len() != 0 {
				t.Fatal("removed index not empty")
			}
		})
	}
}

func TestTruncatedGenerationIsAnError(t *testing.T) {
	ix, p := openIndex(t)
	write(t, ix, manyPaths(5000), 1, commit)
	ix.Close()
	st, _ := os.Stat(p + ".g1")
	if err := os.Truncate(p+".g1", st.Size()/2); err != nil {
		t.Fatal(err)
	}
	if _, err := index.Open(p); !errors.Is(err, index.ErrDamaged) {
		t.Fatalf("truncated generation: %v", err)
	}
}

// Readers in other goroutines always see one whole generation while
// generations are committed and kept underneath them.
func TestReadersDuringCommits(t *testing.T) {
	ix, p := openIndex(t)
	paths := manyPaths(2000)
	write(t, ix, paths, 1, commit)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := ix.Cursor()
				if err != nil {
					t.Error(err)
					return
				}
				n, g0 := 0, -1
				for c.Next() {
					g := genOf(c.Path(), c.Record())
					if g0 < 0 {
						g0 = g
					}
					if g != g0 || c.Path() != paths[n] {
						t.Errorf("cursor mixed generations: %q from %d after %d", c.Path(), g, g0)
					}
					n++
				}
				if err := c.Err(); err != nil || n != len(paths) {
					t.Errorf("read %d records: %v", n, err)
				}
				c.Close()
			}
		})
	}
	for g := 2; g < 20; g++ {
		write(t, ix, paths, g, commit)
	}
	close(stop)
	wg.Wait()
	// Every old generation file went once its readers closed.
	files, _ := filepath.Glob(p + ".g*")
	if len(files) != 1 {
		t.Fatalf("generation files left: %v", files)
	}
}
