package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// ErrDamaged means an index file failed its checks (checksum, framing,
// counts). The index cannot be trusted; Remove it and let the next pass
// rebuild it by hashing.
var ErrDamaged = errors.New("index file is damaged")

// A generation file is the magic followed by blocks; each block is
//
//	kind byte | payload length uint32 LE | payload | CRC32-C of all before
//
// Record blocks come first (their deltas restart at each block), then one
// bits block (bit i set: stream record i was confirmed uploaded), then the
// footer block, whose fixed size lets a reader find it from the end.
const (
	kindRecords = 'R'
	kindBits    = 'U'
	kindFooter  = 'F'

	blockHeader  = 5
	blockTrailer = 4
	blockTarget  = 64 << 10 // a record block is written once it holds this much
	maxBlock     = 64 << 20 // larger lengths are damage, not data
	footerLen    = blockHeader + 16 + blockTrailer
)

var (
	genMagic = []byte("JCIDXGN1")
	castagn  = crc32.MakeTable(crc32.Castagnoli)
)

// frame fills the header reserved at the start of buf and appends the CRC.
func frame(buf []byte, kind byte) []byte {
	buf[0] = kind
	binary.LittleEndian.PutUint32(buf[1:], uint32(len(buf)-blockHeader))
	return binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, castagn))
}

// blockWriter streams records into blocks of a generation file.
type blockWriter struct {
	w       io.Writer
	off     int64 // bytes written so far, including the magic
	buf     []byte
	c       codec
	count   int // records added
	inBlock int // records in buf
	last    string
	scratch []byte
}

func newBlockWriter(w io.Writer) (*blockWriter, error) {
	if _, err := w.Write(genMagic); err != nil {
		return nil, err
	}
	return &blockWriter{w: w, off: int64(len(genMagic)), buf: make([]byte, 0, blockTarget+4096)}, nil
}

func (bw *blockWriter) add(path string, r *Record) error {
	if bw.inBlock == 0 {
		bw.buf = bw.buf[:blockHeader]
		bw.c.reset()
	}
	bw.buf = bw.c.appendRecord(bw.buf, path, r)
	bw.count++
	bw.inBlock++
	bw.last = path
	if len(bw.buf) >= blockHeader+blockTarget {
		return bw.flush()
	}
	return nil
}

// flush writes the records held in memory as one block.
func (bw *blockWriter) flush() error {
	if bw.inBlock == 0 {
		return nil
	}
	bw.inBlock = 0
	return bw.write(kindRecords, bw.buf)
}

func (bw *blockWriter) write(kind byte, buf []byte) error {
	buf = frame(buf, kind)
	_, err := bw.w.Write(buf)
	bw.off += int64(len(buf))
	return err
}

// finish writes the last records, the bits block and the footer.
func (bw *blockWriter) finish(bits []byte) error {
	if err := bw.flush(); err != nil {
		return err
	}
	streamEnd := bw.off
	if n := (bw.count + 7) / 8; len(bits) > n {
		bits = bits[:n]
	}
	bw.scratch = append(append(bw.scratch[:0], make([]byte, blockHeader)...), bits...)
	if err := bw.write(kindBits, bw.scratch); err != nil {
		return err
	}
	bw.scratch = bw.scratch[:blockHeader]
	bw.scratch = binary.LittleEndian.AppendUint64(bw.scratch, uint64(streamEnd))
	bw.scratch = binary.LittleEndian.AppendUint64(bw.scratch, uint64(bw.count))
	return bw.write(kindFooter, bw.scratch)
}

// blockReader reads blocks sequentially.
type blockReader struct {
	r    *bufio.Reader
	name string
	off  int64
	end  int64 // stop here; -1: read to the end of the file
	buf  []byte
}

func damaged(name string, off int64, what string) error {
	return fmt.Errorf("index: %s at offset %d: %s: %w", name, off, what, ErrDamaged)
}

// next returns the next block's kind and payload (valid until the next
// call), or io.EOF at the end.
func (b *blockReader) next() (byte, []byte, error) {
	if b.end >= 0 && b.off >= b.end {
		return 0, nil, io.EOF
	}
	if cap(b.buf) < blockHeader {
		b.buf = make([]byte, blockHeader, blockTarget+4096)
	}
	hdr := b.buf[:blockHeader]
	if _, err := io.ReadFull(b.r, hdr); err != nil {
		if err == io.EOF && b.end < 0 {
			return 0, nil, io.EOF
		}
		return 0, nil, damaged(b.name, b.off, "truncated block header")
	}
	n := int(binary.LittleEndian.Uint32(hdr[1:]))
	if n > maxBlock {
		return 0, nil, damaged(b.name, b.off, "block too long")
	}
	total := blockHeader + n + blockTrailer
	if cap(b.buf) < total {
		nb := make([]byte, total)
		copy(nb, hdr)
		b.buf = nb
	}
	b.buf = b.buf[:total]
	if _, err := io.ReadFull(b.r, b.buf[blockHeader:]); err != nil {
		return 0, nil, damaged(b.name, b.off, "truncated block")
	}
	want := binary.LittleEndian.Uint32(b.buf[total-blockTrailer:])
	if crc32.Checksum(b.buf[:total-blockTrailer], castagn) != want {
		return 0, nil, damaged(b.name, b.off, "checksum mismatch")
	}
	b.off += int64(total)
	if b.end >= 0 && b.off > b.end {
		return 0, nil, damaged(b.name, b.off, "block crosses the end of the records")
	}
	return b.buf[0], b.buf[blockHeader : total-blockTrailer], nil
}

// footer is what a complete generation file says about itself.
type footer struct {
	streamEnd int64
	count     int
	bits      []byte
}

// readFooter checks the magic and reads the footer and bits of a complete
// generation file.
func readFooter(f *os.File) (footer, error) {
	name := f.Name()
	st, err := f.Stat()
	if err != nil {
		return footer{}, err
	}
	size := st.Size()
	var magic [8]byte
	if size < int64(len(genMagic))+footerLen {
		return footer{}, damaged(name, 0, "file too short")
	}
	if _, err := f.ReadAt(magic[:], 0); err != nil {
		return footer{}, err
	}
	if string(magic[:]) != string(genMagic) {
		return footer{}, damaged(name, 0, "not an index generation")
	}
	fb := make([]byte, footerLen)
	if _, err := f.ReadAt(fb, size-footerLen); err != nil {
		return footer{}, err
	}
	if fb[0] != kindFooter || binary.LittleEndian.Uint32(fb[1:]) != 16 ||
		crc32.Checksum(fb[:footerLen-blockTrailer], castagn) != binary.LittleEndian.Uint32(fb[footerLen-blockTrailer:]) {
		return footer{}, damaged(name, size-footerLen, "no valid footer")
	}
	ft := footer{
		streamEnd: int64(binary.LittleEndian.Uint64(fb[blockHeader:])),
		count:     int(binary.LittleEndian.Uint64(fb[blockHeader+8:])),
	}
	if ft.streamEnd < int64(len(genMagic)) || ft.streamEnd > size-footerLen-blockHeader-blockTrailer || ft.count < 0 {
		return footer{}, damaged(name, size-footerLen, "footer out of range")
	}
	br := blockReader{r: bufio.NewReader(io.NewSectionReader(f, ft.streamEnd, size-footerLen-ft.streamEnd)), name: name, off: ft.streamEnd, end: size - footerLen}
	kind, payload, err := br.next()
	if err != nil {
		return footer{}, err
	}
	if kind != kindBits || br.off != size-footerLen {
		return footer{}, damaged(name, ft.streamEnd, "no bits block")
	}
	ft.bits = append([]byte(nil), payload...)
	return ft, nil
}
