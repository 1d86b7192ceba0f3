package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// emptyMD5 is the md5 of zero bytes.
const emptyMD5 = "d41d8cd98f00b204e9800998ecf8427e"

// blobKey names content by md5 and size; the dedup key.
func blobKey(md5 string, size int64) string {
	return fmt.Sprintf("%s-%d", strings.ToLower(md5), size)
}

// contentStore keeps finished blobs and the received prefix of unfinished
// uploads ("parts").
type contentStore interface {
	hasBlob(key string) bool
	putBlob(key string, data []byte) error
	openBlob(key string) (io.ReaderAt, int64, io.Closer, error)
	partSize(id string) int64
	// appendPart copies r to the end of part id and returns how many bytes
	// it stored, even when reading r failed.
	appendPart(id string, r io.Reader) (int64, error)
	openPart(id string) (io.Reader, io.Closer, error)
	// commitPart turns part id into blob key (dropping it if the blob exists).
	commitPart(id, key string) error
	deletePart(id string) error
}

var errNoContent = errors.New("content not stored")

// memStore keeps everything in memory, as lists of fixed-size chunks so
// that growing a large upload never copies what was already received.
type memStore struct {
	mu    sync.RWMutex
	blobs map[string]*chunks
	parts map[string]*chunks
}

// chunkSize is the unit memStore allocates in.
const chunkSize = 1 << 20

// chunks is an append-only byte sequence.
type chunks struct {
	bufs [][]byte
	size int64
}

// ReadAt implements io.ReaderAt.
func (c *chunks) ReadAt(p []byte, off int64) (int, error) {
	if off >= c.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && off < c.size {
		b := c.bufs[off/chunkSize][off%chunkSize:]
		k := copy(p[n:], b)
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readFrom appends r to c.
func (c *chunks) readFrom(r io.Reader) (int64, error) {
	var total int64
	for {
		if len(c.bufs) == 0 || len(c.bufs[len(c.bufs)-1]) == chunkSize {
			c.bufs = append(c.bufs, make([]byte, 0, chunkSize))
		}
		last := c.bufs[len(c.bufs)-1]
		n, err := r.Read(last[len(last):chunkSize])
		c.bufs[len(c.bufs)-1] = last[:len(last)+n]
		c.size += int64(n)
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

func newMemStore() *memStore {
	return &memStore{blobs: map[string]*chunks{}, parts: map[string]*chunks{}}
}

func (m *memStore) hasBlob(key string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.blobs[key]
	return ok || key == blobKey(emptyMD5, 0)
}

func (m *memStore) putBlob(key string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.blobs[key]; !ok {
		c := &chunks{}
		_, _ = c.readFrom(bytes.NewReader(data)) // a bytes.Reader fails only with io.EOF
		m.blobs[key] = c
	}
	return nil
}

func (m *memStore) openBlob(key string) (io.ReaderAt, int64, io.Closer, error) {
	m.mu.RLock()
	c, ok := m.blobs[key]
	m.mu.RUnlock()
	if !ok {
		if key == blobKey(emptyMD5, 0) {
			return bytes.NewReader(nil), 0, io.NopCloser(nil), nil
		}
		return nil, 0, nil, fmt.Errorf("open blob %s: %w", key, errNoContent)
	}
	return c, c.size, io.NopCloser(nil), nil
}

func (m *memStore) partSize(id string) int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if c := m.parts[id]; c != nil {
		return c.size
	}
	return 0
}

// appendPart may run without the lock on c: one upload session writes a
// part at a time, and readers ask partSize only between writes.
func (m *memStore) appendPart(id string, r io.Reader) (int64, error) {
	m.mu.Lock()
	c := m.parts[id]
	if c == nil {
		c = &chunks{}
		m.parts[id] = c
	}
	m.mu.Unlock()
	grown := &chunks{bufs: c.bufs, size: c.size}
	n, err := grown.readFrom(r)
	m.mu.Lock()
	if m.parts[id] == c {
		m.parts[id] = grown
	}
	m.mu.Unlock()
	return n, err
}

func (m *memStore) openPart(id string) (io.Reader, io.Closer, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := m.parts[id]
	if c == nil {
		return bytes.NewReader(nil), io.NopCloser(nil), nil
	}
	return io.NewSectionReader(c, 0, c.size), io.NopCloser(nil), nil
}

func (m *memStore) commitPart(id, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.blobs[key]; !ok {
		c := m.parts[id]
		if c == nil {
			c = &chunks{}
		}
		m.blobs[key] = c
	}
	delete(m.parts, id)
	return nil
}

func (m *memStore) deletePart(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.parts, id)
	return nil
}

// diskStore keeps blobs as files named md5-size and parts as files named
// by upload id.
type diskStore struct {
	blobDir, partDir string
}

func newDiskStore(dir string) (*diskStore, error) {
	d := &diskStore{blobDir: filepath.Join(dir, "blobs"), partDir: filepath.Join(dir, "parts")}
	for _, p := range []string{d.blobDir, d.partDir} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, fmt.Errorf("create content directory: %w", err)
		}
	}
	return d, nil
}

func (d *diskStore) hasBlob(key string) bool {
	if key == blobKey(emptyMD5, 0) {
		return true
	}
	_, err := os.Stat(filepath.Join(d.blobDir, key))
	return err == nil
}

func (d *diskStore) putBlob(key string, data []byte) error {
	if d.hasBlob(key) && key != blobKey(emptyMD5, 0) {
		return nil
	}
	tmp, err := os.CreateTemp(d.partDir, "seed-*")
	if err != nil {
		return fmt.Errorf("store blob: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("store blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("store blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.blobDir, key)); err != nil {
		return fmt.Errorf("store blob: %w", err)
	}
	return nil
}

func (d *diskStore) openBlob(key string) (io.ReaderAt, int64, io.Closer, error) {
	f, err := os.Open(filepath.Join(d.blobDir, key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && key == blobKey(emptyMD5, 0) {
			return bytes.NewReader(nil), 0, io.NopCloser(nil), nil
		}
		return nil, 0, nil, fmt.Errorf("open blob %s: %w", key, errNoContent)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, fmt.Errorf("stat blob %s: %w", key, err)
	}
	return f, st.Size(), f, nil
}

func (d *diskStore) partSize(id string) int64 {
	st, err := os.Stat(filepath.Join(d.partDir, id))
	if err != nil {
		return 0
	}
	return st.Size()
}

func (d *diskStore) appendPart(id string, r io.Reader) (int64, error) {
	f, err := os.OpenFile(filepath.Join(d.partDir, id), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("open upload part: %w", err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close upload part: %w", cerr)
	}
	return n, err
}

func (d *diskStore) openPart(id string) (io.Reader, io.Closer, error) {
	f, err := os.Open(filepath.Join(d.partDir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return bytes.NewReader(nil), io.NopCloser(nil), nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open upload part: %w", err)
	}
	return f, f, nil
}

func (d *diskStore) commitPart(id, key string) error {
	src := filepath.Join(d.partDir, id)
	if d.hasBlob(key) {
		return d.deletePart(id)
	}
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		// zero-byte upload: nothing was ever appended
		if err := os.WriteFile(src, nil, 0o600); err != nil {
			return fmt.Errorf("create empty blob: %w", err)
		}
	}
	if err := os.Rename(src, filepath.Join(d.blobDir, key)); err != nil {
		return fmt.Errorf("store blob: %w", err)
	}
	return nil
}

func (d *diskStore) deletePart(id string) error {
	err := os.Remove(filepath.Join(d.partDir, id))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete upload part: %w", err)
	}
	return nil
}
