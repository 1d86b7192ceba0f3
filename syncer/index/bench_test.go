package index_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"jottacloudclient/syncer/index"
)

const benchN = 1_000_000

var benchPaths = sync.OnceValue(func() []string { return benchPathsN(benchN) })

// benchPathsN gives paths like a backup of 1,000 files per folder.
func benchPathsN(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("e%04d/f%07d", i/1000, i)
	}
	return out
}

// benchRecord is a realistic record, cheap to make: files written
// around the same time, inodes handed out in order, a random MD5.
func benchRecord(i int) index.Record {
	x := uint64(i)*0x9E3779B97F4A7C15 + 1
	r := index.Record{
		Size:     int64(x % (4 << 20)),
		ModTime:  1_700_000_000_000_000_000 + int64(i)*1_234_567 + int64(x%1_000_000),
		Inode:    1_000_000 + uint64(i),
		Hashed:   true,
		Uploaded: true,
	}
	r.Ctime = r.ModTime + int64(x%3)*1000
	binary.LittleEndian.PutUint64(r.MD5[:], x)
	binary.LittleEndian.PutUint64(r.MD5[8:], x*31)
	return r
}

func writeBench(tb testing.TB, ix *index.Index, paths []string) {
	w, err := ix.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	for i, p := range paths {
		if _, err := w.Put(p, benchRecord(i)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func genSize(tb testing.TB, dir string) int64 {
	var n int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".lock" {
			info, err := e.Info()
			if err != nil {
				tb.Fatal(err)
			}
			n += info.Size()
		}
	}
	return n
}

func benchIndex(b *testing.B) (*index.Index, string) {
	dir := b.TempDir()
	ix, err := index.Open(filepath.Join(dir, "pair.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	return ix, dir
}

// BenchmarkWriter writes (and commits) a generation of 1,000,000 records,
// as an unchanged pass does.
func BenchmarkWriter(b *testing.B) {
	paths := benchPaths()
	ix, dir := benchIndex(b)
	start := time.Now()
	n := 0
	for b.Loop() {
		writeBench(b, ix, paths)
		n++
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n*len(paths)), "ns/record")
	b.ReportMetric(float64(genSize(b, dir))/float64(len(paths)), "disk-B/record")
}

// BenchmarkCursor reads 1,000,000 records.
func BenchmarkCursor(b *testing.B) {
	paths := benchPaths()
	ix, dir := benchIndex(b)
	writeBench(b, ix, paths)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	n := 0
	for b.Loop() {
		c, err := ix.Cursor()
		if err != nil {
			b.Fatal(err)
		}
		for c.Next() {
			n++
		}
		if err := c.Err(); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n), "ns/record")
	b.ReportMetric(float64(genSize(b, dir))/float64(len(paths)), "disk-B/record")
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n), "alloc-B/record")
}

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// The live heap stays flat while a cursor reads and a writer streams
// 200,000 records: nothing grows with the index but a bit per record.
func TestMemoryStaysFlat(t *testing.T) {
	const n = 200_000
	const slack = 3 << 20
	paths := benchPathsN(n)
	ix, _ := openIndex(t)
	base := liveHeap()
	w, err := ix.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var peak int64
	for i, p := range paths {
		ref, err := w.Put(p, benchRecord(i))
		if err != nil {
			t.Fatal(err)
		}
		w.SetUploaded(ref)
		if i%50_000 == 49_999 {
			peak = max(peak, liveHeap()-base)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if peak > slack {
		t.Errorf("writer: live heap grew by %d KiB over %d records", peak>>10, n)
	}
	paths = nil
	base, peak = liveHeap(), 0
	c, err := ix.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	read := 0
	for c.Next() {
		if read++; read%50_000 == 0 {
			peak = max(peak, liveHeap()-base)
		}
	}
	if err := c.Err(); err != nil || read != n {
		t.Fatalf("read %d records: %v", read, err)
	}
	if peak > slack {
		t.Errorf("cursor: live heap grew by %d KiB over %d records", peak>>10, n)
	}
	t.Logf("live heap growth while reading %d records: %d KiB", n, peak>>10)
}
