package emulator

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"time"
)

// PutFile stores data at path (allocate form: "/jfs/<device>/<mountpoint>/…",
// or "/<mountpoint>/…" for device Jotta) as a new COMPLETED revision,
// without HTTP. Missing folders and mount points are created; the device
// must exist. It seeds tests and benchmarks.
func (s *Server) PutFile(path string, data []byte, modified time.Time) error {
	segs, jerr := allocPath(path)
	if jerr != nil {
		return fmt.Errorf("put %s: %w", path, jerr)
	}
	sum := md5.Sum(data)
	md5hex := hex.EncodeToString(sum[:])
	size := int64(len(data))
	if err := s.content.putBlob(blobKey(md5hex, size), data); err != nil {
		return fmt.Errorf("put %s: %w", path, err)
	}
	modified = modified.UTC().Truncate(time.Second)
	name := segs[len(segs)-1]
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.commit()
	mp, jerr := s.mountFor(segs, true)
	if jerr != nil {
		return fmt.Errorf("put %s: %w", path, jerr)
	}
	parent, jerr := s.ensureDirs(mp, segs[2:len(segs)-1])
	if jerr != nil {
		return fmt.Errorf("put %s: %w", path, jerr)
	}
	f := parent.child(name)
	if f == nil {
		f = s.newNode(parent, kindFile, name)
	} else if f.Kind != kindFile {
		return fmt.Errorf("put %s: a folder is in the way", path)
	}
	s.addRev(f, &revision{State: stateCompleted, Created: modified, Modified: modified, Updated: nowSec(),
		Size: size, MD5: md5hex, Mime: mimeOf(name)})
	s.revive(f)
	return nil
}
