package syncer

import (
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

func (s *identitySet) key(id identity) uint64 { return maphash.Comparable(s.seed, id) }

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
			s.sums = append(s.sums, s.key(recordIdentity(rec)))
		}
	}
	slices.Sort(s.sums)
	return s
}
