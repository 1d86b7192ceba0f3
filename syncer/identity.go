package syncer

import (
	"encoding/binary"
	"hash/maphash"
	"slices"

	"jottacloudclient/syncer/index"
)

// identitySet holds a hash of the identity of every hashed record of an
// index, sorted: 8 bytes a record, built only when a pass finds a file
// with no record at its path. A hash collision only makes a file wait
// until the walk is over.
type identitySet struct {
	seed maphash.Seed
	sums []uint64
}

func (s *identitySet) key(id identity) uint64 {
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], id.inode)
	binary.LittleEndian.PutUint64(b[8:], uint64(id.size))
	binary.LittleEndian.PutUint64(b[16:], uint64(id.mtime))
	return maphash.Bytes(s.seed, b[:])
}

func (s *identitySet) has(id identity) bool {
	_, ok := slices.BinarySearch(s.sums, s.key(id))
	return ok
}

// buildIdentitySet reads the index once; an unreadable index gives an
// empty set (files are then hashed, never wrongly borrowed).
func buildIdentitySet(ix *index.Index) *identitySet {
	s := &identitySet{seed: maphash.MakeSeed()}
	cur, err := ix.Cursor()
	if err != nil {
		return s
	}
	defer cur.Close()
	for cur.Next() {
		if rec := cur.Record(); rec.Hashed && rec.Inode != 0 {
			s.sums = append(s.sums, s.key(identity{rec.Inode, rec.Size, rec.ModTime}))
		}
	}
	slices.Sort(s.sums)
	return s
}
