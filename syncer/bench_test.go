package syncer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// BenchmarkUnchangedRescan measures a pass over 100,000 files that are all
// backed up already: the walk and the index check dominate. It reports the
// bytes hashed (must be 0) and listing requests (must be 1) per pass.
func BenchmarkUnchangedRescan(b *testing.B) {
	const dirs, perDir = 1000, 100
	local := b.TempDir()
	buf := make([]byte, 0, 64)
	for d := range dirs {
		dir := filepath.Join(local, fmt.Sprintf("d%02d", d/100), fmt.Sprintf("s%03d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range perDir {
			buf = strconv.AppendInt(append(buf[:0], "content "...), int64(d*perDir+f), 10)
			if err := os.WriteFile(filepath.Join(dir, "file"+strconv.Itoa(f)+".txt"), buf, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	mem := syncertest.NewMemRemote()
	e := newEngine(b, mem, syncer.Options{})
	p := pairFor(local)
	ctx := context.Background()
	first, err := e.RunPass(ctx, p, syncer.PassOptions{})
	if err != nil || first.Counters.FilesUploaded+first.Counters.FilesDeduplicated != dirs*perDir {
		b.Fatalf("initial pass: %v %+v", err, first.Counters)
	}
	b.ResetTimer()
	var hashed, lists int64
	for b.Loop() {
		res, err := e.RunPass(ctx, p, syncer.PassOptions{})
		if err != nil {
			b.Fatal(err)
		}
		hashed += res.Counters.BytesHashed
		lists += res.Counters.ListRequests
		if res.Counters.FilesSeen != dirs*perDir || res.Counters.BytesUploaded != 0 {
			b.Fatalf("unexpected work: %+v", res.Counters)
		}
	}
	b.ReportMetric(float64(hashed)/float64(b.N), "bytes-hashed/op")
	b.ReportMetric(float64(lists)/float64(b.N), "list-requests/op")
}
