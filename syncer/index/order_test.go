package index_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"jottacloudclient/syncer/index"
)

func TestComparePaths(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"a", "a", 0},
		{"", "", 0},
		{"", "a", -1},
		{"a", "a/x", -1},
		{"a/x", "a/y/z", -1},
		{"a/y/z", "a-b", -1},
		{"a-b", "a.c", -1},
		{"a.c", "b", -1},
		{"a/x", "a-b", -1},
		{"a b", "a/b", 1},
		{"a/b", "a!", -1},
		{"dir/file", "dir.txt", -1},
		{"e0123/f0123456", "e0123/f0123457", -1},
		{"e0123/f9", "e01230", -1},
		{"ä/x", "a/x", 1},
		{"a\x01", "a/", 1},
	} {
		if got := index.ComparePaths(tc.a, tc.b); got != tc.want {
			t.Errorf("ComparePaths(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := index.ComparePaths(tc.b, tc.a); got != -tc.want {
			t.Errorf("ComparePaths(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

// Sorting by ComparePaths equals sorting with '/' replaced by "\x00" (a
// byte no path holds).
func TestComparePathsIsByteOrderWithSlashLowest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("/ab-. !~0\xc3\xa4\x7f")
	paths := make([]string, 3000)
	for i := range paths {
		b := make([]byte, 1+rng.IntN(8))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		paths[i] = string(b)
	}
	got := slices.Clone(paths)
	slices.SortFunc(got, index.ComparePaths)
	want := slices.Clone(paths)
	slices.SortFunc(want, func(a, b string) int {
		return strings.Compare(strings.ReplaceAll(a, "/", "\x00"), strings.ReplaceAll(b, "/", "\x00"))
	})
	if !slices.Equal(got, want) {
		t.Fatal("ComparePaths order differs from byte order with '/' lowest")
	}
}

func TestComparePathsDoesNotAllocate(t *testing.T) {
	a, b := strings.Repeat("x/", 50)+"a", strings.Repeat("x/", 50)+"b"
	if n := testing.AllocsPerRun(100, func() { index.ComparePaths(a, b) }); n != 0 {
		t.Fatalf("%v allocations per call", n)
	}
}
