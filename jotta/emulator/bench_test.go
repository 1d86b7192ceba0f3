package emulator_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

// seedTree puts files files spread over folders of 100 files each.
func seedTree(tb testing.TB, s *emulator.Server, files int) {
	tb.Helper()
	mod := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; i < files; i++ {
		p := fmt.Sprintf("/jfs/Jotta/Archive/tree/d%04d/f%06d.txt", i/100, i)
		if err := s.PutFile(context.Background(), p, []byte(strconv.Itoa(i)), mod); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestPutFileSeedsListStream(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	seedTree(t, e.run.Server, 250)
	r := e.jfs("GET", "Jotta/Archive/tree?mode=liststream")
	mustStatus(t, r, 200)
	doc := parseStream(t, r.body)
	if doc.stats.files != "250" || doc.stats.folders != "4" || len(doc.files) != 250 {
		t.Fatalf("stats %+v, %d files", doc.stats, len(doc.files))
	}
}

func BenchmarkListStream100k(b *testing.B) {
	e := newEnv(b, emulator.Options{})
	seedTree(b, e.run.Server, 100_000)
	req, _ := http.NewRequest("GET", e.url+"/jfs/"+e.user+"/Jotta/Archive?mode=liststream", nil)
	req.Header.Set("Authorization", "Bearer "+e.access)
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("liststream: %d %v", resp.StatusCode, err)
		}
		b.SetBytes(n)
	}
	b.ReportMetric(100_000, "files/op")
}

func BenchmarkFolderListing100k(b *testing.B) {
	e := newEnv(b, emulator.Options{})
	mod := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 100_000; i++ {
		if err := e.run.PutFile(context.Background(), fmt.Sprintf("/jfs/Jotta/Archive/flat/f%06d", i), []byte{byte(i)}, mod); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if r := e.jfs("GET", "Jotta/Archive/flat"); r.status != 200 {
			b.Fatal(r.status)
		}
	}
}

// bigData is size bytes of incompressible-looking content and its md5.
func bigData(size int64) ([]byte, string) {
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i+8 <= len(data); i += 8 {
		binary.LittleEndian.PutUint64(data[i:], rng.Uint64())
	}
	sum := md5.Sum(data)
	return data, hex.EncodeToString(sum[:])
}

func BenchmarkUpload(b *testing.B) {
	for _, size := range []int64{1 << 20, 64 << 20, 1 << 30} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			data, sum := bigData(size)
			b.SetBytes(size)
			for b.Loop() {
				b.StopTimer()
				e := newEnv(b, emulator.Options{}) // fresh store: memory stays bounded
				b.StartTimer()
				_, ar := e.allocate("/jfs/Jotta/Archive/big.bin", sum, size)
				if ar.State != "INCOMPLETE" {
					b.Fatalf("allocate: %+v", ar)
				}
				req, _ := http.NewRequest("POST", ar.UploadURL, bytes.NewReader(data))
				req.Header.Set("Authorization", "Bearer "+e.access)
				req.Header.Set("Content-Type", "application/octet-stream")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					b.Fatalf("upload: %d", resp.StatusCode)
				}
				b.StopTimer()
				e.run.Close()
				b.StartTimer()
			}
		})
	}
}

func BenchmarkAllocateDedup(b *testing.B) {
	e := newEnv(b, emulator.Options{})
	data := []byte("shared content")
	e.put("/jfs/Jotta/Archive/first.txt", data)
	sum := md5hex(data)
	i := 0
	for b.Loop() {
		i++
		if st, ar := e.allocate(fmt.Sprintf("/jfs/Jotta/Archive/dedup/%d.txt", i), sum, int64(len(data))); st != 200 || ar.State != "COMPLETED" {
			b.Fatalf("allocate: %d %+v", st, ar)
		}
	}
}

func BenchmarkDataDirPutFile(b *testing.B) {
	s, err := emulator.New(emulator.Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	mod := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		i++
		if err := s.PutFile(context.Background(), fmt.Sprintf("/jfs/Jotta/Archive/d%04d/f%06d", i/100, i), []byte(strconv.Itoa(i)), mod); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDataDirReload100k(b *testing.B) {
	dir := b.TempDir()
	s, err := emulator.New(emulator.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	seedTree(b, s, 100_000)
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := emulator.New(emulator.Options{DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
