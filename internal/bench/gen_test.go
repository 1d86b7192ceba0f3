package bench

import (
	"io"
	"testing"
	"time"

	"jottacloudclient/jotta/api"
)

func TestMixedSizes(t *testing.T) {
	cases := []struct {
		name  string
		total int64
		n     int
	}{
		{"one file", 1000, 1},
		{"benchmark of record", 1 << 30, 2000},
		{"quick", 64 << 20, 200},
		{"more files than kilobytes", 4096, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sizes := mixedSizes(c.total, c.n, 1)
			if len(sizes) != c.n {
				t.Fatalf("got %d sizes, want %d", len(sizes), c.n)
			}
			var sum, lo, hi int64 = 0, c.total, 0
			for _, s := range sizes {
				if s < 0 {
					t.Fatalf("negative size %d", s)
				}
				sum += s
				lo, hi = min(lo, s), max(hi, s)
			}
			if sum != c.total {
				t.Errorf("sizes add up to %d, want %d", sum, c.total)
			}
			if c.n >= 200 && hi < 50*max(lo, 1) {
				t.Errorf("sizes are not mixed: smallest %d, largest %d", lo, hi)
			}
			again := mixedSizes(c.total, c.n, 1)
			for i := range sizes {
				if sizes[i] != again[i] {
					t.Fatalf("size %d differs between runs: %d and %d", i, sizes[i], again[i])
				}
			}
		})
	}
}

func TestListStreamDocument(t *testing.T) {
	cases := []struct {
		name    string
		entries int
		want    api.ListStats
	}{
		{"only a folder", 1, api.ListStats{Folders: 1}},
		{"one short folder", 999, api.ListStats{Folders: 1, Files: 998}},
		{"one full folder", 1000, api.ListStats{Folders: 1, Files: 999}},
		{"a full folder and a folder", 1001, api.ListStats{Folders: 2, Files: 999}},
		{"several folders", 2500, api.ListStats{Folders: 3, Files: 2497}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, size, st := listStream(c.entries)
			if st != c.want {
				t.Errorf("declared stats %+v, want %+v", st, c.want)
			}
			cr := &countReader{r: r}
			var n int
			got, err := api.DecodeListStream(cr, func(*api.ListEntry) error { n++; return nil })
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got != c.want || n != c.entries {
				t.Errorf("decoded %d entries and stats %+v, want %d and %+v", n, got, c.entries, c.want)
			}
			if _, err := io.Copy(io.Discard, cr); err != nil {
				t.Fatal(err)
			}
			if cr.n != size {
				t.Errorf("document has %d bytes, declared %d", cr.n, size)
			}
		})
	}
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestTreeNamesAreDistinct(t *testing.T) {
	for kind, k := range treeKinds {
		t.Run(kind, func(t *testing.T) {
			seen := map[string]int{}
			for i := range 25_000 {
				rel := k.rel(i)
				if j, dup := seen[rel]; dup {
					t.Fatalf("files %d and %d are both named %s", j, i, rel)
				}
				seen[rel] = i
			}
		})
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"bytes", fmtBytes(512), "512 B"},
		{"kibibytes", fmtBytes(1536), "1.5 KiB"},
		{"gibibyte", fmtBytes(1 << 30), "1.0 GiB"},
		{"milliseconds", fmtDur(250 * time.Millisecond), "250 ms"},
		{"seconds", fmtDur(1500 * time.Millisecond), "1.50 s"},
		{"long", fmtDur(65 * time.Second), "65.0 s"},
		{"rate", fmtRate(100<<20, 2*time.Second), "50 MiB/s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
}
