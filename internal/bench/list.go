package bench

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"

	"jottacloudclient/jotta/api"
)

// listFilesPerFolder is how many files follow each folder element.
const listFilesPerFolder = 999

// renderListStream writes a liststream document of n entries (folder and
// file elements, as the server sends them) and returns the counts.
func renderListStream(n int) ([]byte, api.ListStats) {
	var b bytes.Buffer
	b.Grow(n * 240)
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<liststream>\n")
	var st api.ListStats
	folder := ""
	for i := 0; i < n; i++ {
		if i%(listFilesPerFolder+1) == 0 {
			folder = "/Archive/bench/list/d" + strconv.Itoa(i/(listFilesPerFolder+1))
			b.WriteString("<folder><path>")
			b.WriteString(folder)
			b.WriteString("</path></folder>\n")
			st.Folders++
			continue
		}
		b.WriteString("<file><path>")
		b.WriteString(folder)
		b.WriteString("</path><filename>document-")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(".txt</filename><md5>")
		fmt.Fprintf(&b, "%032x", uint64(i)*0x9e3779b97f4a7c15)
		b.WriteString("</md5><size>")
		b.WriteString(strconv.Itoa(i * 37 % 1_000_000))
		b.WriteString("</size><modified>2026-03-02T09:30:00.123Z</modified><created>2026-03-02T09:30:00.123Z</created></file>\n")
		st.Files++
	}
	fmt.Fprintf(&b, "<stats><folders>%d</folders><files>%d</files></stats>\n</liststream>\n", st.Folders, st.Files)
	return b.Bytes(), st
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
	r.progress("rendering a liststream document of %d entries", n)
	doc, want := renderListStream(n)
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
	r.progress("decoding %s", fmtBytes(int64(len(doc))))
	var entries int64
	start := time.Now()
	got, err := api.DecodeListStream(bytes.NewReader(doc), func(e *api.ListEntry) error {
		entries++
		return ctx.Err()
	})
	took := time.Since(start)
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
	rate := float64(len(doc)) / took.Seconds()
	return Result{
		Measured: fmt.Sprintf("%.0f MB/s, heap +%s", rate/1e6, fmtBytes(growth)),
		Goal:     fmt.Sprintf("≥ %.0f MB/s, heap flat (< %s)", minListRate/1e6, fmtBytes(maxListHeapGrowth)),
		Met:      rate >= minListRate && growth < maxListHeapGrowth && len(problems) == 0,
		Note:     fmt.Sprintf("%d entries, %s in %s", n, fmtBytes(int64(len(doc))), fmtDur(took)),
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
