package spool

import "encoding/binary"

// A record is encoded the same way in the memory buffer and in run files:
// uvarint key length, uvarint value length, key bytes, value bytes.

// appendRecord appends the encoding of key and value to b.
func appendRecord(b, key, value []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = binary.AppendUvarint(b, uint64(len(value)))
	b = append(b, key...)
	return append(b, value...)
}

// recordSize is the encoded size of a record.
func recordSize(key, value []byte) int {
	return uvarintLen(uint64(len(key))) + uvarintLen(uint64(len(value))) + len(key) + len(value)
}

// decodeRecord decodes the record at the start of b, which the Sorter wrote
// itself (the memory buffer is trusted).
func decodeRecord(b []byte) (key, value []byte) {
	if k, v := int(b[0]), int(b[1]); k < 0x80 && v < 0x80 { // both lengths in one byte
		return b[2 : 2+k : 2+k], b[2+k : 2+k+v : 2+k+v]
	}
	kl, n := binary.Uvarint(b)
	b = b[n:]
	vl, n := binary.Uvarint(b)
	b = b[n:]
	return b[:kl:kl], b[kl : kl+vl : kl+vl]
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
