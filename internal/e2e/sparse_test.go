package e2e

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// TestSparseHugeFile backs up a sparse 5 GiB file next to a small one:
// it is streamed from disk to the server (an on-disk emulator) and the
// heap of this process, which holds the engine, the client and the
// emulator, stays small throughout.
func TestSparseHugeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 5 GiB over loopback; skipped with -short")
	}
	const size = 5 << 30
	e := newEnv(t, emulator.Options{DataDir: t.TempDir()})
	ctx := ctxFor(t)
	local := e.localDir("vm")
	writeFile(t, local, "notes.txt", []byte("small file beside a huge one"))
	abs := filepath.Join(local, "disk.img")
	f, err := os.Create(abs)
	if err != nil {
		t.Fatal(err)
	}
	// A few written bytes at both ends; the rest is a hole.
	if _, err := f.WriteAt([]byte("head"), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("tail"), size-4); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	want := sparseMD5(size)

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	peak := heapPeak(ctx)
	eng := e.engine(syncer.Options{Transfers: 2})
	p := syncer.Pair{ID: "vm", Local: local, Remote: "/Laptop/Backup/vm"}
	res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
	maxHeap := peak()
	if err != nil || len(res.Problems) != 0 {
		t.Fatalf("pass: %v\n%s", err, problemsText(res.Problems))
	}
	remote := e.remoteFiles(p.Remote)
	got, ok := remote["disk.img"]
	if !ok || got.Size != size || got.MD5 != want {
		t.Fatalf("server has %+v (present %v); want %d bytes with md5 %s", got, ok, int64(size), want)
	}
	if _, ok := remote["notes.txt"]; !ok {
		t.Error("the small file was not backed up")
	}
	const limit = 256 << 20
	t.Logf("heap in use: %d MiB before, at most %d MiB during the pass", base.HeapInuse>>20, maxHeap>>20)
	if maxHeap > limit {
		t.Errorf("heap reached %d MiB while backing up a 5 GiB file; the content must be streamed (limit %d MiB)", maxHeap>>20, limit>>20)
	}
}

// sparseMD5 is the md5 of the test's sparse file, computed in small
// chunks.
func sparseMD5(size int64) string {
	h := md5.New()
	buf := make([]byte, 1<<20)
	var off int64
	for off < size {
		n := int64(len(buf))
		if size-off < n {
			n = size - off
		}
		clear(buf[:n])
		if off == 0 {
			copy(buf, "head")
		}
		if off+n == size {
			copy(buf[n-4:n], "tail")
		}
		h.Write(buf[:n])
		off += n
	}
	return hex.EncodeToString(h.Sum(nil))
}

// heapPeak samples the heap until the returned function is called and
// returns the largest HeapInuse seen.
func heapPeak(ctx context.Context) func() uint64 {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		peak = max(peak, ms.HeapInuse)
		mu.Unlock()
	}
	go func() {
		defer close(stopped)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
