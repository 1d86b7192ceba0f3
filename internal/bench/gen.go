package bench

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// genFile is one generated file.
type genFile struct {
	Rel  string // '/'-separated, relative to the generated root
	Size int64
	MD5  string // lowercase hex
}

// mixedSizes splits total bytes over n files with sizes spread
// log-uniformly over three orders of magnitude (a few KiB to a few MiB at
// 1 GiB in 2,000 files), deterministically for a seed.
func mixedSizes(total int64, n int, seed uint64) []int64 {
	if n <= 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := make([]float64, n)
	var sum float64
	for i := range w {
		w[i] = math.Exp(r.Float64() * math.Log(1000))
		sum += w[i]
	}
	sizes := make([]int64, n)
	var used int64
	for i := range sizes {
		sizes[i] = int64(float64(total) * w[i] / sum)
		used += sizes[i]
	}
	sizes[n-1] += total - used
	return sizes
}

// mixedRel names the i-th file of a mixed tree: 20 files per folder.
func mixedRel(i int) string {
	return fmt.Sprintf("g%03d/f%05d.bin", i/20, i)
}

// genMixed writes n files of random content totalling total bytes below
// dir and returns them with their md5.
func genMixed(dir string, total int64, n int, seed uint64) ([]genFile, error) {
	sizes := mixedSizes(total, n, seed)
	var key [32]byte
	copy(key[:], "jotta bench mixed content seed "+strconv.FormatUint(seed%10, 10))
	src := rand.NewChaCha8(key)
	out := make([]genFile, 0, n)
	for i, size := range sizes {
		rel := mixedRel(i)
		sum, err := writeFile(filepath.Join(dir, filepath.FromSlash(rel)), io.LimitReader(src, size))
		if err != nil {
			return nil, err
		}
		out = append(out, genFile{Rel: rel, Size: size, MD5: sum})
	}
	return out, nil
}

// writeFile creates path (and its parents) with the bytes of r and returns
// their md5.
func writeFile(path string, r io.Reader) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("generate data: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("generate data: %w", err)
	}
	h := md5.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 256<<10)
	_, err = io.Copy(w, r)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("generate %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// smallRel names the i-th file of a small-file tree: 100 files per leaf
// folder, 100 leaf folders per top folder.
func smallRel(i int) string {
	return fmt.Sprintf("a%02d/b%03d/f%06d.txt", i/10000, (i/100)%100, i)
}

// smallContent is the content of the i-th small file (a few dozen bytes).
func smallContent(i int) []byte {
	return fmt.Appendf(nil, "small file %d of the jotta benchmark\n", i)
}

// genSmall writes n small files in nested folders below dir.
func genSmall(dir string, n int) error {
	return genTree(dir, n, smallRel, smallContent)
}

// emptyRel names the i-th file of an empty-file tree: 1,000 per folder.
func emptyRel(i int) string {
	return fmt.Sprintf("e%04d/f%07d", i/1000, i)
}

// genEmpty writes n empty files below dir.
func genEmpty(dir string, n int) error {
	return genTree(dir, n, emptyRel, func(int) []byte { return nil })
}

func genTree(dir string, n int, rel func(int) string, content func(int) []byte) error {
	lastDir := ""
	for i := range n {
		p := filepath.Join(dir, filepath.FromSlash(rel(i)))
		if d := filepath.Dir(p); d != lastDir {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("generate data: %w", err)
			}
			lastDir = d
		}
		if err := os.WriteFile(p, content(i), 0o644); err != nil {
			return fmt.Errorf("generate data: %w", err)
		}
	}
	return nil
}

// treeKinds are the generated trees the server can seed by name.
var treeKinds = map[string]struct {
	rel     func(int) string
	content func(int) []byte
}{
	"small": {smallRel, smallContent},
	"empty": {emptyRel, func(int) []byte { return nil }},
}

// hashReader returns the lowercase hex md5 of r's bytes.
func hashReader(r io.Reader) (string, error) {
	h := md5.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
