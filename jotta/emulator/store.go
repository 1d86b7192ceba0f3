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

// memStore keeps everything in memory.
type memStore struct {
	mu    sync.RWMutex
	blobs map[string][]byte
	parts map[string][]byte
}

func newMemStore() *memStore {
	return &memStore{blobs: map[string][]byte{}, parts: map[string][]byte{}}
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
		m.blobs[key] = bytes.Clone(data)
	}
	return nil
}

func (m *memStore) openBlob(key string) (io.ReaderAt, int64, io.Closer, error) {
	m.mu.RLock()
	b, ok := m.blobs[key]
	m.mu.RUnlock()
	if !ok {
		if key == blobKey(emptyMD5, 0) {
			return bytes.NewReader(nil), 0, io.NopCloser(nil), nil
		}
		return nil, 0, nil, fmt.Errorf("open blob %s: %w", key, errNoContent)
	}
	return bytes.NewReader(b), int64(len(b)), io.NopCloser(nil), nil
}

func (m *memStore) partSize(id string) int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.parts[id]))
}

func (m *memStore) appendPart(id string, r io.Reader) (int64, error) {
	m.mu.RLock()
	buf := m.parts[id]
	m.mu.RUnlock()
	w := bytes.NewBuffer(buf)
	n, err := w.ReadFrom(r)
	m.mu.Lock()
	m.parts[id] = w.Bytes()
	m.mu.Unlock()
	return n, err
}

func (m *memStore) openPart(id string) (io.Reader, io.Closer, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return bytes.NewReader(m.parts[id]), io.NopCloser(nil), nil
}

func (m *memStore) commitPart(id, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.blobs[key]; !ok {
		m.blobs[key] = m.parts[id]
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
