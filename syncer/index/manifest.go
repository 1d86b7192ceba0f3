package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
)

// The manifest is the file at the index path: which generation is current,
// how many records it holds and the meta values. It is small and replaced
// whole by rename, so it is always one version or the other.
//
//	magic | uvarint version | uvarint generation | uvarint count |
//	uvarint meta count | (uvarint len, key, uvarint len, value)* | CRC32-C
var manMagic = []byte("JCIDXMF1")

const (
	manVersion = 1
	maxManSize = 64 << 20
)

type manifest struct {
	gen   uint64
	count int
	meta  map[string][]byte
}

func (m manifest) clone() manifest {
	m.meta = maps.Clone(m.meta)
	if m.meta == nil {
		m.meta = map[string][]byte{}
	}
	return m
}

func (m manifest) encode() []byte {
	b := append([]byte(nil), manMagic...)
	b = binary.AppendUvarint(b, manVersion)
	b = binary.AppendUvarint(b, m.gen)
	b = binary.AppendUvarint(b, uint64(m.count))
	b = binary.AppendUvarint(b, uint64(len(m.meta)))
	for _, k := range slices.Sorted(maps.Keys(m.meta)) {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(m.meta[k])))
		b = append(b, m.meta[k]...)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagn))
}

// errNotManifest: the file at the index path is something else (the
// previous format, most likely).
var errNotManifest = errors.New("not an index manifest")

func readManifest(path string) (manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return manifest{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManSize))
	if err != nil {
		return manifest{}, err
	}
	if len(b) == 0 {
		return manifest{meta: map[string][]byte{}}, nil
	}
	if !bytes.HasPrefix(b, manMagic) {
		return manifest{}, errNotManifest
	}
	bad := func(what string) (manifest, error) {
		return manifest{}, fmt.Errorf("index: %s: manifest %s: %w", path, what, ErrDamaged)
	}
	if len(b) < len(manMagic)+4 {
		return bad("truncated")
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagn) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return bad("checksum mismatch")
	}
	d := varints{b: body, p: len(manMagic)}
	if d.uvarint() != manVersion || d.bad {
		return bad("of an unknown version")
	}
	m := manifest{gen: d.uvarint(), count: int(d.uvarint()), meta: map[string][]byte{}}
	for n := d.uvarint(); !d.bad && n > 0; n-- {
		k := d.bytes()
		v := d.bytes()
		m.meta[string(k)] = bytes.Clone(v)
	}
	if d.bad || d.p != len(body) || m.count < 0 {
		return bad("malformed")
	}
	return m, nil
}

// writeFileSync writes data to tmp, fsyncs it and renames it over path,
// then fsyncs the directory: path is the old content or the new, never a
// mix.
func writeFileSync(path, tmp string, data []byte) error {
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes renames and creations in dir durable. Windows has no
// directory fsync (NTFS journals metadata itself).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
