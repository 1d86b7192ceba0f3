package index

import (
	"encoding/binary"
	"errors"
)

// Record is what the index knows about one local file.
type Record struct {
	Size    int64
	ModTime int64 // Unix nanoseconds
	Inode   uint64
	Ctime   int64    // Unix nanoseconds; 0 where the platform has none
	MD5     [16]byte // valid when Hashed
	Hashed  bool
	// Uploaded: the server confirmed MD5 and Size for this path.
	Uploaded bool
}

// SameStat reports whether the file still looks as it did when hashed: all
// four stat fields equal.
func (r Record) SameStat(size, mtime int64, inode uint64, ctime int64) bool {
	return r.Size == size && r.ModTime == mtime && r.Inode == inode && r.Ctime == ctime
}

// Record encoding, inside a block (the deltas restart at each block):
//
//	uvarint shared prefix length with the previous path
//	uvarint suffix length, suffix bytes
//	flags byte
//	uvarint size
//	varint  mtime - previous mtime
//	varint  ctime - mtime          (absent when flagCtimeZero or flagCtimeSame)
//	varint  inode - previous inode (two's complement difference)
//	md5[16]                        (present when flagMD5)
const (
	flagHashed = 1 << iota
	flagUploaded
	flagMD5
	flagCtimeZero
	flagCtimeSame
)

// codec is the delta state shared by consecutive records of one block.
type codec struct {
	path  []byte // decoder: the current path
	prev  string // encoder: the previous path
	mtime int64
	inode uint64
}

func (c *codec) reset() {
	c.path, c.prev, c.mtime, c.inode = c.path[:0], "", 0, 0
}

func sharedPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// appendRecord encodes one record after the previous one of the block.
func (c *codec) appendRecord(dst []byte, path string, r *Record) []byte {
	shared := sharedPrefix(c.prev, path)
	dst = binary.AppendUvarint(dst, uint64(shared))
	dst = binary.AppendUvarint(dst, uint64(len(path)-shared))
	dst = append(dst, path[shared:]...)
	var f byte
	if r.Hashed {
		f |= flagHashed
	}
	if r.Uploaded {
		f |= flagUploaded
	}
	if r.MD5 != ([16]byte{}) {
		f |= flagMD5
	}
	switch r.Ctime {
	case 0:
		f |= flagCtimeZero
	case r.ModTime:
		f |= flagCtimeSame
	}
	dst = append(dst, f)
	dst = binary.AppendUvarint(dst, uint64(r.Size))
	dst = binary.AppendVarint(dst, r.ModTime-c.mtime)
	if f&(flagCtimeZero|flagCtimeSame) == 0 {
		dst = binary.AppendVarint(dst, r.Ctime-r.ModTime)
	}
	dst = binary.AppendVarint(dst, int64(r.Inode-c.inode))
	if f&flagMD5 != 0 {
		dst = append(dst, r.MD5[:]...)
	}
	c.prev, c.mtime, c.inode = path, r.ModTime, r.Inode
	return dst
}

var errRecord = errors.New("malformed record")

// decodeRecord decodes the record at the start of b into c.path and r and
// returns its length.
func (c *codec) decodeRecord(b []byte, r *Record) (int, error) {
	d := varints{b: b}
	shared, suffix := d.uvarint(), d.uvarint()
	if d.bad || shared > uint64(len(c.path)) || suffix > uint64(len(b)-d.p) {
		return 0, errRecord
	}
	c.path = append(c.path[:shared], b[d.p:d.p+int(suffix)]...)
	d.p += int(suffix)
	if d.p >= len(b) {
		return 0, errRecord
	}
	f := b[d.p]
	d.p++
	*r = Record{Hashed: f&flagHashed != 0, Uploaded: f&flagUploaded != 0}
	r.Size = int64(d.uvarint())
	r.ModTime = c.mtime + d.varint()
	switch {
	case f&flagCtimeZero != 0:
	case f&flagCtimeSame != 0:
		r.Ctime = r.ModTime
	default:
		r.Ctime = r.ModTime + d.varint()
	}
	r.Inode = c.inode + uint64(d.varint())
	if d.bad {
		return 0, errRecord
	}
	if f&flagMD5 != 0 {
		if len(b)-d.p < 16 {
			return 0, errRecord
		}
		copy(r.MD5[:], b[d.p:d.p+16])
		d.p += 16
	}
	c.mtime, c.inode = r.ModTime, r.Inode
	return d.p, nil
}

// varints reads varints from b at p; a malformed one sets bad and reads
// as 0 from then on.
type varints struct {
	b   []byte
	p   int
	bad bool
}

func (d *varints) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.p:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.p += n
	return v
}

// varint undoes binary.AppendVarint's zigzag encoding.
func (d *varints) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// bytes reads a uvarint length and that many bytes.
func (d *varints) bytes() []byte {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)-d.p) {
		d.bad = true
		return nil
	}
	v := d.b[d.p : d.p+int(n) : d.p+int(n)]
	d.p += int(n)
	return v
}
