package spool_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"jottacloudclient/syncer/spool"
)

type record struct{ key, value string }

// pathCmp is the walk's order: '/' sorts below every other byte.
func pathCmp(a, b []byte) int {
	return bytes.Compare(bytes.ReplaceAll(a, []byte("/"), []byte{0}), bytes.ReplaceAll(b, []byte("/"), []byte{0}))
}

// randomPaths are path-like keys with repeats; each value names its
// insertion position, so stability shows in the output.
func randomPaths(n int, seed uint64) []record {
	r := rand.New(rand.NewPCG(seed, 1))
	parts := []string{"a", "a b", "a-b", "a.b", "b", "Docs", "z", "å", "x/y"}
	recs := make([]record, n)
	for i := range recs {
		var k []byte
		for range 1 + r.IntN(4) {
			if len(k) > 0 {
				k = append(k, '/')
			}
			k = append(k, parts[r.IntN(len(parts))]...)
		}
		recs[i] = record{string(k), fmt.Sprintf("#%d", i)}
	}
	return recs
}

func sortedPaths(n int) []record {
	recs := make([]record, n)
	for i := range recs {
		recs[i] = record{fmt.Sprintf("dir%04d/file%06d.jpg", i/100, i), fmt.Sprint(i)}
	}
	return recs
}

func add(t testing.TB, s *spool.Sorter, recs []record) {
	t.Helper()
	for _, r := range recs {
		if err := s.Add([]byte(r.key), []byte(r.value)); err != nil {
			t.Fatalf("Add(%q): %v", r.key, err)
		}
	}
}

// drain reads an iterator to its end and closes it.
func drain(t testing.TB, it *spool.Iterator) ([]record, error) {
	t.Helper()
	var got []record
	for it.Next() {
		got = append(got, record{string(it.Key()), string(it.Value())})
	}
	if err := it.Close(); err != nil {
		t.Errorf("Iterator.Close: %v", err)
	}
	return got, it.Err()
}

func files(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestSorterGivesStableSortedOrder(t *testing.T) {
	emptyish := []record{{"", "v"}, {"b", ""}, {"", ""}, {"a", "x"}, {"", "w"}, {"b", "y"}}
	dups := make([]record, 3000)
	for i := range dups {
		dups[i] = record{fmt.Sprint(i % 7), fmt.Sprint(i)}
	}
	reversed := sortedPaths(2000)
	slices.Reverse(reversed)
	big := []record{{"k", string(bytes.Repeat([]byte("v"), 5000))}, {"j", "small"}, {string(bytes.Repeat([]byte("k"), 3000)), ""}}
	tests := []struct {
		name     string
		recs     []record
		memLimit int
		cmp      func(a, b []byte) int
		toDisk   bool // whether runs must have been written
	}{
		{"zero records", nil, 1 << 20, bytes.Compare, false},
		{"one record", []record{{"only", "one"}}, 1 << 20, bytes.Compare, false},
		{"one record, tiny limit", []record{{"only", "one"}}, 1, bytes.Compare, false},
		{"empty keys and values in memory", emptyish, 1 << 20, bytes.Compare, false},
		{"empty keys and values, a run each", emptyish, 1, bytes.Compare, true},
		{"random in memory", randomPaths(5000, 1), 1 << 20, bytes.Compare, false},
		{"random, many runs", randomPaths(5000, 2), 2000, bytes.Compare, true},
		{"random, path order, many runs", randomPaths(5000, 3), 3000, pathCmp, true},
		{"equal keys keep insertion order", dups, 1500, bytes.Compare, true},
		{"already sorted, many runs", sortedPaths(5000), 4096, pathCmp, true},
		{"reverse sorted, many runs", reversed, 4096, pathCmp, true},
		{"records larger than the limit", big, 100, bytes.Compare, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := spool.New(dir, tt.memLimit, tt.cmp)
			add(t, s, tt.recs)
			if s.Len() != len(tt.recs) {
				t.Errorf("Len = %d, want %d", s.Len(), len(tt.recs))
			}
			want := slices.Clone(tt.recs)
			slices.SortStableFunc(want, func(a, b record) int { return tt.cmp([]byte(a.key), []byte(b.key)) })
			it, err := s.Sort()
			if err != nil {
				t.Fatal(err)
			}
			if onDisk := len(files(t, dir)) > 0; onDisk != tt.toDisk {
				t.Errorf("files in dir after Sort: %v, want %v", files(t, dir), tt.toDisk)
			}
			got, err := drain(t, it)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("got %d records, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
			for range 2 {
				it, err := s.Iterate()
				if err != nil {
					t.Fatal(err)
				}
				if again, err := drain(t, it); err != nil || !slices.Equal(again, want) {
					t.Fatalf("Iterate: %d records (err %v), want the same %d", len(again), err, len(want))
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if left := files(t, dir); len(left) > 0 {
				t.Errorf("Close left %v", left)
			}
		})
	}
}

func firstDiff(a, b []record) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestSortedInputIsReadAsOneChain(t *testing.T) {
	s := spool.New(t.TempDir(), 2048, pathCmp)
	defer s.Close()
	add(t, s, sortedPaths(3000))
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if n := len(spool.RunFiles(s)); n < 10 {
		t.Fatalf("%d run files, want many", n)
	}
	if c := spool.Chains(s); c != 1 {
		t.Errorf("sorted input merges %d sources, want 1", c)
	}
}

func TestManyRunsAreMergedInStages(t *testing.T) {
	for _, fan := range []int{2, 3, 5} {
		t.Run(fmt.Sprint("fan-in ", fan), func(t *testing.T) {
			dir := t.TempDir()
			s := spool.New(dir, 600, bytes.Compare)
			spool.SetFanIn(s, fan)
			recs := randomPaths(4000, uint64(fan))
			add(t, s, recs)
			runs := len(files(t, dir))
			it, err := s.Sort()
			if err != nil {
				t.Fatal(err)
			}
			if c := spool.Chains(s); c > fan+1 || c == 0 {
				t.Errorf("%d sources in the final merge, want 1..%d", c, fan+1)
			}
			if after := len(files(t, dir)); after >= runs || after != len(spool.RunFiles(s)) {
				t.Errorf("%d files before Sort, %d after (%d runs known): merged inputs must be removed", runs, after, len(spool.RunFiles(s)))
			}
			got, err := drain(t, it)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(recs)
			slices.SortStableFunc(want, func(a, b record) int { return bytes.Compare([]byte(a.key), []byte(b.key)) })
			if !slices.Equal(got, want) {
				t.Fatalf("got %d records, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if left := files(t, dir); len(left) > 0 {
				t.Errorf("Close left %v", left)
			}
		})
	}
}

func TestDamagedRunGivesErr(t *testing.T) {
	tests := []struct {
		name   string
		damage func(path string) error
	}{
		{"truncated to half", func(p string) error {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, fi.Size()/2)
		}},
		{"trailer cut off", func(p string) error {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, fi.Size()-16)
		}},
		{"one byte of a value changed", func(p string) error {
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return err
			}
			// The last byte before the 16-byte trailer ends the last value.
			_, err = f.WriteAt([]byte{'X'}, fi.Size()-17)
			return err
		}},
		{"removed", os.Remove},
	}
	recs := randomPaths(3000, 9)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spool.New(t.TempDir(), 4000, bytes.Compare)
			defer s.Close()
			add(t, s, recs)
			if _, err := s.Sort(); err != nil {
				t.Fatal(err)
			}
			runs := spool.RunFiles(s)
			if len(runs) < 3 {
				t.Fatalf("%d runs, want several", len(runs))
			}
			if err := tt.damage(runs[1]); err != nil {
				t.Fatal(err)
			}
			it, err := s.Iterate()
			if err != nil {
				t.Fatal(err)
			}
			got, err := drain(t, it)
			if err == nil {
				t.Fatalf("read %d of %d records from a damaged run without an error", len(got), len(recs))
			}
			if tt.name != "removed" && !errors.Is(err, spool.ErrCorrupt) {
				t.Errorf("Err = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestMisuseIsRefused(t *testing.T) {
	s := spool.New(t.TempDir(), 0, bytes.Compare)
	if _, err := s.Iterate(); err == nil {
		t.Error("Iterate before Sort: no error")
	}
	add(t, s, []record{{"a", "1"}})
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add([]byte("b"), nil); err == nil {
		t.Error("Add after Sort: no error")
	}
	if _, err := s.Sort(); err == nil {
		t.Error("second Sort: no error")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if it.Next() {
		t.Error("an iterator still gives records after its Sorter closed")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := it.Close(); err != nil {
		t.Errorf("Iterator.Close after Sorter.Close: %v", err)
	}
	if err := s.Add([]byte("c"), nil); err == nil {
		t.Error("Add after Close: no error")
	}
	if _, err := s.Iterate(); err == nil {
		t.Error("Iterate after Close: no error")
	}
}

func TestWriteFailureIsReported(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	s := spool.New(dir, 100, bytes.Compare)
	var err error
	for i := 0; err == nil && i < 1000; i++ {
		err = s.Add([]byte(fmt.Sprint(i)), []byte("value"))
	}
	if err == nil {
		t.Fatal("1000 records over a 100-byte limit into a missing folder: no error")
	}
	if err := s.Add([]byte("more"), nil); err == nil {
		t.Error("Add after a failed write: no error")
	}
	if _, err := s.Sort(); err == nil {
		t.Error("Sort after a failed write: no error")
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

func TestCloseWithOpenIteratorRemovesFiles(t *testing.T) {
	dir := t.TempDir()
	s := spool.New(dir, 1000, bytes.Compare)
	add(t, s, randomPaths(2000, 4))
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		it.Next()
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if left := files(t, dir); len(left) > 0 {
		t.Errorf("Close left %v", left)
	}
	if it.Next() {
		t.Error("iterator continues after Close")
	}
}

func TestIteratorsReadConcurrently(t *testing.T) {
	s := spool.New(t.TempDir(), 3000, pathCmp)
	defer s.Close()
	recs := randomPaths(3000, 5)
	add(t, s, recs)
	first, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	want, err := drain(t, first)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		it, err := s.Iterate()
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if got, err := drain(t, it); err != nil || !slices.Equal(got, want) {
				t.Errorf("concurrent iterator: %d records, err %v", len(got), err)
			}
		})
	}
	wg.Wait()
}

func TestRunFilesArePrivate(t *testing.T) {
	if filepath.Separator == '\\' {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	s := spool.New(dir, 100, bytes.Compare)
	defer s.Close()
	add(t, s, randomPaths(100, 6))
	for _, name := range files(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
}
