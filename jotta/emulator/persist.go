package emulator

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketNodes    = []byte("nodes")
	bucketSessions = []byte("sessions")
	bucketMeta     = []byte("meta")
)

// meta is the small per-account record.
type meta struct {
	User   string `json:"user"`
	NextID uint64 `json:"next_id"`
	Quota  int64  `json:"quota"`
}

// open loads (or creates) the state kept in dir. Each mutation later
// rewrites only the records it touched.
func (s *Server) open(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create emulator data directory: %w", err)
	}
	store, err := newDiskStore(dir)
	if err != nil {
		return err
	}
	s.content = store
	db, err := bolt.Open(filepath.Join(dir, "state.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return fmt.Errorf("open emulator state in %s (is another emulator using it?): %w", dir, err)
	}
	// Durability comes from Close (Sync); an emulator need not fsync
	// every request.
	db.NoSync = true
	s.db = db
	fresh := true
	err = db.View(func(tx *bolt.Tx) error {
		mb := tx.Bucket(bucketMeta)
		if mb == nil {
			return nil
		}
		fresh = false
		var m meta
		if err := json.Unmarshal(mb.Get([]byte("meta")), &m); err != nil {
			return fmt.Errorf("decode meta: %w", err)
		}
		if s.user == "" {
			s.user = m.User
		} else if s.user != m.User {
			return fmt.Errorf("data directory belongs to user %q, not %q: use another directory or drop the user option", m.User, s.user)
		}
		s.nextID = m.NextID
		if s.quota == 0 {
			s.quota = m.Quota
		}
		if raw := mb.Get([]byte("auth")); raw != nil {
			if err := json.Unmarshal(raw, s.auth); err != nil {
				return fmt.Errorf("decode sessions: %w", err)
			}
			s.auth.reindex()
		}
		if err := tx.Bucket(bucketNodes).ForEach(func(k, v []byte) error {
			n := &node{}
			if err := json.Unmarshal(v, n); err != nil {
				return fmt.Errorf("decode node %x: %w", k, err)
			}
			s.nodes[n.ID] = n
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			ss := &session{}
			if err := json.Unmarshal(v, ss); err != nil {
				return fmt.Errorf("decode upload session %s: %w", k, err)
			}
			s.sessions[ss.ID] = ss
			return nil
		})
	})
	if err != nil {
		db.Close()
		s.db = nil
		return fmt.Errorf("load emulator state: %w", err)
	}
	if fresh {
		if s.user == "" {
			s.user = randomHex(12)
		}
		s.initJotta()
		s.metaDirty = true
		s.authDirty = true
		s.commit()
		return nil
	}
	s.link()
	return nil
}

// link rebuilds parent/child pointers and sizes after loading.
func (s *Server) link() {
	for _, n := range s.nodes {
		if n.Kind == kindDevice {
			s.devices[fold(n.Name)] = n
			continue
		}
		p := s.nodes[n.ParentID]
		if p == nil {
			s.log.Warn("emulator state has an orphan node; dropping it", "id", n.ID)
			delete(s.nodes, n.ID)
			s.removed[n.ID] = struct{}{}
			continue
		}
		n.parent = p
		if p.children == nil {
			p.children = map[string]*node{}
		}
		p.children[fold(n.Name)] = n
	}
	for _, n := range s.nodes {
		if n.Kind == kindFile {
			s.addSize(n, n.currentSize())
		}
	}
}

func idKey(id uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], id)
	return b[:]
}

// commit writes what changed since the last commit. Callers hold s.mu.
func (s *Server) commit() {
	if s.db == nil {
		clear(s.dirty)
		clear(s.removed)
		clear(s.dirtySess)
		s.authDirty, s.metaDirty = false, false
		return
	}
	if len(s.dirty) == 0 && len(s.removed) == 0 && len(s.dirtySess) == 0 && !s.authDirty && !s.metaDirty {
		return
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		nb, err := tx.CreateBucketIfNotExists(bucketNodes)
		if err != nil {
			return err
		}
		sb, err := tx.CreateBucketIfNotExists(bucketSessions)
		if err != nil {
			return err
		}
		mb, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		for id := range s.removed {
			if err := nb.Delete(idKey(id)); err != nil {
				return err
			}
		}
		for id, n := range s.dirty {
			raw, err := json.Marshal(n)
			if err != nil {
				return err
			}
			if err := nb.Put(idKey(id), raw); err != nil {
				return err
			}
		}
		for id, ss := range s.dirtySess {
			if ss == nil {
				if err := sb.Delete([]byte(id)); err != nil {
					return err
				}
				continue
			}
			raw, err := json.Marshal(ss)
			if err != nil {
				return err
			}
			if err := sb.Put([]byte(id), raw); err != nil {
				return err
			}
		}
		if s.authDirty {
			s.auth.prune(time.Now())
			raw, err := json.Marshal(s.auth)
			if err != nil {
				return err
			}
			if err := mb.Put([]byte("auth"), raw); err != nil {
				return err
			}
		}
		raw, err := json.Marshal(meta{User: s.user, NextID: s.nextID, Quota: s.quota})
		if err != nil {
			return err
		}
		return mb.Put([]byte("meta"), raw)
	})
	if err != nil {
		s.log.Error("emulator could not persist its state", "err", err)
	}
	clear(s.dirty)
	clear(s.removed)
	clear(s.dirtySess)
	s.authDirty, s.metaDirty = false, false
}
