package jotta_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
	"jottacloudclient/jotta/emulator"
)

// BenchmarkUpload measures upload throughput to the emulator on loopback;
// every iteration stores new content (no deduplication).
func BenchmarkUpload(b *testing.B) {
	for _, size := range []int{1 << 20, 16 << 20} {
		b.Run(fmt.Sprintf("size=%dMiB", size>>20), func(b *testing.B) {
			e := newEnv(b, emulator.Options{DataDir: b.TempDir()})
			data := randomBytes(size, 99)
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				b.StopTimer()
				// Change the first bytes so the content is new each time.
				copy(data, fmt.Sprintf("%016d", i))
				sum := md5hex(data)
				b.StartTimer()
				if _, err := e.client.Upload(ctx, fmt.Sprintf("/Jotta/Archive/bench/%d.bin", i), bytes.NewReader(data), jotta.UploadMeta{Size: int64(size), MD5: sum, Created: t0, Modified: t0}, jotta.UploadOptions{}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkListStreamEmulator lists a 2,000-file tree through the client.
func BenchmarkListStreamEmulator(b *testing.B) {
	e := newEnv(b, emulator.Options{})
	ctx := context.Background()
	for i := range 2_000 {
		data := []byte(fmt.Sprintf("file %d", i))
		if _, err := e.client.Upload(ctx, fmt.Sprintf("/Jotta/Archive/tree/d%02d/f%05d.txt", i%50, i), bytes.NewReader(data), jotta.UploadMeta{Size: int64(len(data)), MD5: md5hex(data), Created: t0, Modified: t0}, jotta.UploadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		st, err := e.client.ListStream(ctx, "/Jotta/Archive/tree", func(*api.ListEntry) error { return nil })
		if err != nil || st.Files != 2_000 {
			b.Fatal(st, err)
		}
	}
}
