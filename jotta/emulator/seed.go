package emulator

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// SeedRevision describes one revision for PutRevision.
type SeedRevision struct {
	State    string    // "COMPLETED" (default), "INCOMPLETE" or "CORRUPT"
	Data     []byte    // COMPLETED: the content; INCOMPLETE: the bytes received so far
	MD5      string    // declared md5, stored verbatim (e.g. uppercase); default: md5 of Data
	Size     int64     // declared size; default len(Data)
	Created  time.Time // zero: an empty <created/>
	Modified time.Time // zero: an empty <modified/>
}

// PutFile stores data at path (allocate form: "/jfs/<device>/<mountpoint>/…",
// or "/<mountpoint>/…" for device Jotta) as a new COMPLETED revision,
// without HTTP. Missing folders and mount points are created; the device
// must exist. It seeds tests and benchmarks.
func (s *Server) PutFile(ctx context.Context, path string, data []byte, modified time.Time) error {
	return s.PutRevision(ctx, path, SeedRevision{Data: data, Created: modified, Modified: modified})
}

// PutRevision adds one revision to the file at path (created with its
// folders if missing), for pre-seeding states a client must cope with:
// an INCOMPLETE upload (resumable through allocate with the declared md5
// and size), a CORRUPT attempt on top of a good file, an uppercase md5,
// empty timestamps.
func (s *Server) PutRevision(ctx context.Context, path string, rev SeedRevision) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	segs, jerr := allocPath(path)
	if jerr != nil {
		return fmt.Errorf("seed %s: %w", path, jerr)
	}
	sum := md5.Sum(rev.Data)
	actual := hex.EncodeToString(sum[:])
	if rev.State == "" {
		rev.State = stateCompleted
	}
	if rev.MD5 == "" {
		rev.MD5 = actual
	}
	if rev.Size == 0 {
		rev.Size = int64(len(rev.Data))
	}
	switch rev.State {
	case stateCompleted:
		if !strings.EqualFold(rev.MD5, actual) || rev.Size != int64(len(rev.Data)) {
			return fmt.Errorf("seed %s: a COMPLETED revision needs md5 and size matching its data", path)
		}
		if err := s.content.putBlob(blobKey(actual, rev.Size), rev.Data); err != nil {
			return fmt.Errorf("seed %s: %w", path, err)
		}
	case stateIncomplete:
		if int64(len(rev.Data)) >= rev.Size {
			return fmt.Errorf("seed %s: an INCOMPLETE revision needs fewer bytes than its declared size", path)
		}
	case stateCorrupt:
	default:
		return fmt.Errorf("seed %s: unknown state %q: use COMPLETED, INCOMPLETE or CORRUPT", path, rev.State)
	}
	name := segs[len(segs)-1]
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.commit()
	mp, jerr := s.mountFor(segs, true)
	if jerr != nil {
		return fmt.Errorf("seed %s: %w", path, jerr)
	}
	parent, jerr := s.ensureDirs(mp, segs[2:len(segs)-1])
	if jerr != nil {
		return fmt.Errorf("seed %s: %w", path, jerr)
	}
	f := parent.child(name)
	if f == nil {
		f = s.newNode(parent, kindFile, name)
	} else if f.Kind != kindFile {
		return fmt.Errorf("seed %s: a folder is in the way", path)
	}
	r := &revision{State: rev.State, Created: rev.Created.UTC().Truncate(time.Second),
		Modified: rev.Modified.UTC().Truncate(time.Second), Updated: s.nowSec(),
		Size: rev.Size, MD5: rev.MD5, Mime: mimeOf(name)}
	if rev.Created.IsZero() {
		r.Created = time.Time{}
	}
	if rev.Modified.IsZero() {
		r.Modified = time.Time{}
	}
	if rev.State == stateIncomplete {
		r.UploadID = randomHex(16)
		if _, err := s.content.appendPart(r.UploadID, bytes.NewReader(rev.Data)); err != nil {
			return fmt.Errorf("seed %s: %w", path, err)
		}
	}
	s.addRev(f, r)
	if rev.State == stateIncomplete {
		ss := &session{ID: r.UploadID, FileID: f.ID, Rev: r.Number, Size: rev.Size, MD5: rev.MD5,
			Path: "/jfs/" + strings.Join(segs, "/"), Created: r.Created, Modified: r.Modified}
		s.sessions[ss.ID] = ss
		s.dirtySess[ss.ID] = ss
	}
	if rev.State == stateCompleted {
		s.revive(f)
	}
	return nil
}
