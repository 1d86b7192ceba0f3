package spool_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"testing"

	"jottacloudclient/syncer/spool"
)

// listing yields n path-like records of about 40-byte keys in random order,
// the same for the same seed, without holding them.
type listing struct {
	r        *rand.Rand
	key, val []byte
}

func newListing(seed uint64) *listing { return &listing{r: rand.New(rand.NewPCG(seed, 2))} }

func (l *listing) next() {
	x := l.r.Uint64()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], x)
	l.key = append(l.key[:0], "Pictures/"...)
	l.key = hex.AppendEncode(l.key, b[:2])
	l.key = append(l.key, '/')
	l.key = hex.AppendEncode(l.key, b[2:4])
	l.key = append(l.key, "/IMG_"...)
	l.key = hex.AppendEncode(l.key, b[:])
	l.key = append(l.key, ".jpg"...)
	binary.BigEndian.PutUint64(b[:], x*31)
	l.val = hex.AppendEncode(l.val[:0], b[:])
}

// sum is an order-independent checksum of records.
func sum(key, val []byte) uint64 {
	h := fnv.New64a()
	h.Write(key)
	h.Write([]byte{0})
	h.Write(val)
	return h.Sum64()
}

type heapWatch struct {
	base, peak uint64
}

func (w *heapWatch) sample() {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	w.peak = max(w.peak, ms.HeapInuse-min(ms.HeapInuse, w.base))
}

func TestMemoryStaysBounded(t *testing.T) {
	n, memLimit := 1_000_000, 4<<20
	if raceEnabled {
		n = 200_000
	}
	w := &heapWatch{}
	w.sample()
	w.base, w.peak = w.peak, 0

	s := spool.New(t.TempDir(), memLimit, pathCmp)
	defer s.Close()
	l := newListing(7)
	var in uint64
	for i := range n {
		l.next()
		in += sum(l.key, l.val)
		if err := s.Add(l.key, l.val); err != nil {
			t.Fatal(err)
		}
		if i%10_000 == 0 {
			w.sample()
		}
	}
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out uint64
	var prev []byte
	got := 0
	for it.Next() {
		if got > 0 && pathCmp(prev, it.Key()) > 0 {
			t.Fatalf("record %d: %q after %q", got, it.Key(), prev)
		}
		prev = append(prev[:0], it.Key()...)
		out += sum(it.Key(), it.Value())
		if got%10_000 == 0 {
			w.sample()
		}
		got++
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if got != n || out != in {
		t.Fatalf("got %d records (checksum %x), want %d (%x)", got, out, n, in)
	}
	t.Logf("%d records, %d run files, peak heap above baseline %.1f MiB (limit %d MiB)",
		n, len(spool.RunFiles(s)), float64(w.peak)/(1<<20), memLimit>>20)
	if w.peak > 3*uint64(memLimit) {
		t.Errorf("peak heap %d B above baseline, want at most 3 × %d", w.peak, memLimit)
	}
}

// BenchmarkSorter1M sorts 1,000,000 records of 40-byte keys and 24-byte
// values with an 8 MiB memory limit: in random order, and already in order.
func BenchmarkSorter1M(b *testing.B) {
	const n, memLimit = 1_000_000, 8 << 20
	for _, order := range []string{"random", "sorted"} {
		b.Run(order, func(b *testing.B) {
			key, val := bytes.Repeat([]byte("d/"), 20), bytes.Repeat([]byte("v"), 24)
			for b.Loop() {
				s := spool.New(b.TempDir(), memLimit, bytes.Compare)
				r := rand.New(rand.NewPCG(1, 1))
				for i := range n {
					x := uint64(i)
					if order == "random" {
						x = r.Uint64()
					}
					var xb [8]byte
					binary.BigEndian.PutUint64(xb[:], x)
					hex.Encode(key[24:], xb[:])
					if err := s.Add(key, val); err != nil {
						b.Fatal(err)
					}
				}
				it, err := s.Sort()
				if err != nil {
					b.Fatal(err)
				}
				for it.Next() {
				}
				if it.Err() != nil {
					b.Fatal(it.Err())
				}
				s.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
			b.ReportMetric(0, "ns/op")
		})
	}
}
