package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"

	"jottacloudclient/jotta/api"
)

// listFilesPerFolder is how many files follow each folder element.
const listFilesPerFolder = 999

// listBlock renders one folder element followed by files-1 file elements,
// as the server sends a folder and its files.
func listBlock(folderIdx, entries int) []byte {
	var b bytes.Buffer
	folder := "/Archive/bench/list/d" + strconv.Itoa(folderIdx)
	b.WriteString("<folder><path>" + folder + "</path></folder>\n")
	for i := 1; i < entries; i++ {
		b.WriteString("<file><path>")
		b.WriteString(folder)
		b.WriteString("</path><filename>document-")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(".txt</filename><md5>")
		fmt.Fprintf(&b, "%032x", uint64(i)*0x9e3779b97f4a7c15)
		b.WriteString("</md5><size>")
		b.WriteString(strconv.Itoa(i * 37 % 1_000_000))
		b.WriteString("</size><modified>2026-03-02T09:30:00.123Z</modified><created>2026-03-02T09:30:00.123Z</created></file>\n")
	}
	return b.Bytes()
}

// listStream returns a reader of a liststream document of n entries: a
// folder element and its 999 files, repeated, so that the document need
// not be held in memory. It also returns the document's length and counts.
func listStream(n int) (io.Reader, int64, api.ListStats) {
	const per = listFilesPerFolder + 1
	head := []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<liststream>\n")
	block := listBlock(0, per)
	full, rest := n/per, n%per
	var tail []byte
	if rest > 0 {
		tail = listBlock(full, rest)
	}
	st := api.ListStats{Folders: int64(full), Files: int64(full * (per - 1))}
	if rest > 0 {
		st.Folders++
		st.Files += int64(rest - 1)
	}
	trailer := fmt.Appendf(nil, "<stats><folders>%d</folders><files>%d</files></stats>\n</liststream>\n", st.Folders, st.Files)
	size := int64(len(head)) + int64(full)*int64(len(block)) + int64(len(tail)) + int64(len(trailer))
	r := io.MultiReader(bytes.NewReader(head), &repeatReader{b: block, left: full}, bytes.NewReader(tail), bytes.NewReader(trailer))
	return r, size, st
}

// repeatReader reads b left times.
type repeatReader struct {
	b    []byte
	left int
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	if r.off == len(r.b) {
		r.off = 0
		r.left--
	}
	return n, nil
}

// minListRate is the decoding goal in bytes per second (decimal MB).
const minListRate = 100e6

// maxListHeapGrowth bounds the heap growth while decoding: flat means it
// does not grow with the number of entries.
const maxListHeapGrowth = 8 << 20

// caseList decodes a generated liststream document in memory and samples
// the live heap while it does.
func (r *runner) caseList(ctx context.Context) Result {
	n := r.s.ListEntries
	doc, size, want := listStream(n)
	runtime.GC()
	base := heapLive()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if h := heapLive(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	r.progress("decoding a liststream document of %d entries (%s)", n, fmtBytes(size))
	var (
		entries int64
		got     api.ListStats
		err     error
		took    time.Duration
	)
	perr := r.measure(CaseList, func() {
		start := time.Now()
		got, err = api.DecodeListStream(doc, func(e *api.ListEntry) error {
			entries++
			return ctx.Err()
		})
		took = time.Since(start)
	})
	err = errors.Join(err, perr)
	close(stop)
	<-sampled
	if err != nil {
		return Result{Err: fmt.Errorf("decode liststream: %w", err)}
	}
	var problems []string
	if got != want || entries != int64(n) {
		problems = append(problems, fmt.Sprintf("decoded %d entries and stats %+v, want %d and %+v", entries, got, n, want))
	}
	growth := int64(peak.Load()) - int64(base)
	growth = max(growth, 0)
	rate := float64(size) / took.Seconds()
	return Result{
		Measured: fmt.Sprintf("%.0f MB/s, heap +%s", rate/1e6, fmtBytes(growth)),
		Goal:     fmt.Sprintf("≥ %.0f MB/s, heap flat (< %s)", minListRate/1e6, fmtBytes(maxListHeapGrowth)),
		Met:      rate >= minListRate && growth < maxListHeapGrowth && len(problems) == 0,
		Note:     fmt.Sprintf("%d entries, %s in %s", n, fmtBytes(int64(size)), fmtDur(took)),
		Problems: problems,
		Metrics: map[string]float64{
			"bytes_per_second": rate, "heap_growth": float64(growth), "entries": float64(entries),
		},
	}
}

// heapLive reads the bytes of live and not yet swept heap objects.
func heapLive() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
