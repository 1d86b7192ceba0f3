package emulator

import (
	"crypto/md5"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// session is an allocated, unfinished upload of one file revision.
type session struct {
	ID        string    `json:"id"`
	FileID    uint64    `json:"file"`
	Rev       int       `json:"rev"`
	Size      int64     `json:"size"`
	MD5       string    `json:"md5"`
	Path      string    `json:"path"`
	Created   time.Time `json:"created"`
	Modified  time.Time `json:"modified"`
	HashState []byte    `json:"hash,omitempty"` // md5 state after HashLen bytes
	HashLen   int64     `json:"hash_len"`

	busy bool
	hash hash.Hash
}

// dropSession forgets an upload session and its received bytes. Caller
// holds s.mu.
func (s *Server) dropSession(id string) {
	if _, ok := s.sessions[id]; !ok {
		return
	}
	delete(s.sessions, id)
	s.dirtySess[id] = nil
	if err := s.content.deletePart(id); err != nil {
		s.log.Warn("emulator could not delete an upload part", "err", err)
	}
}

// addRev adds r to file f, keeping usage, history and sessions consistent.
// Caller holds s.mu.
func (s *Server) addRev(f *node, r *revision) {
	var dropped []*revision
	s.changeRevs(f, func() { dropped = f.addRevision(r) })
	for _, d := range dropped {
		if d.UploadID != "" {
			s.dropSession(d.UploadID)
		}
	}
	// An older unfinished attempt can no longer be resumed.
	for _, old := range f.Revs[1:] {
		if old.UploadID != "" {
			s.dropSession(old.UploadID)
			old.UploadID = ""
		}
	}
}

type allocateRequest struct {
	Path            string          `json:"path"`
	Bytes           *int64          `json:"bytes"`
	MD5             string          `json:"md5"`
	Created         json.RawMessage `json:"created"`
	Modified        json.RawMessage `json:"modified"`
	ConflictHandler string          `json:"conflict_handler"`
}

type allocateReply struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	State     string `json:"state"`
	UploadID  string `json:"upload_id"`
	UploadURL string `json:"upload_url"`
	Bytes     int64  `json:"bytes"`
	ResumePos int64  `json:"resume_pos"`
}

var md5Hex = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)

// parseAPITime accepts an RFC 3339 string or integer Unix milliseconds;
// absent or unreadable values become now.
func parseAPITime(raw json.RawMessage, now time.Time) time.Time {
	if len(raw) == 0 || string(raw) == "null" {
		return now
	}
	var ms int64
	if err := json.Unmarshal(raw, &ms); err == nil {
		return time.UnixMilli(ms).UTC().Truncate(time.Second)
	}
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
			return t.UTC().Truncate(time.Second)
		}
	}
	return now
}

// allocPath turns an allocate path into [device, mountpoint, names…].
func allocPath(p string) ([]string, *jfsError) {
	segs, jerr := splitAbsPath(p)
	if jerr != nil {
		return nil, jerr
	}
	if len(segs) > 0 && segs[0] == "jfs" && strings.HasPrefix(p, "/jfs/") {
		segs = segs[1:]
	} else {
		segs = append([]string{"Jotta"}, segs...)
	}
	if len(segs) < 3 {
		return nil, errf(http.StatusBadRequest, excInvalidArg, "path %q must name a file below a mount point", p)
	}
	return segs, nil
}

func writeJerrAsAPI(w http.ResponseWriter, e *jfsError) {
	id := e.class
	if i := strings.LastIndexByte(id, '.'); i >= 0 {
		id = id[i+1:]
	}
	writeAPIError(w, e.status, id, e.Error())
}

// handleAllocate serves POST /files/v1/allocate.
func (s *Server) handleAllocate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeAPIError(w, http.StatusMethodNotAllowed, "MethodNotAllowedException", "use POST")
		return
	}
	var req allocateRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidArgumentException", "request body must be JSON: "+err.Error())
		return
	}
	switch {
	case req.Path == "":
		writeAPIError(w, http.StatusBadRequest, "InvalidArgumentException", "path is required")
		return
	case req.Bytes == nil || *req.Bytes < 0:
		writeAPIError(w, http.StatusBadRequest, "InvalidArgumentException", "bytes is required and must not be negative")
		return
	case !md5Hex.MatchString(req.MD5):
		writeAPIError(w, http.StatusBadRequest, "InvalidArgumentException", "md5 must be 32 hex digits")
		return
	}
	segs, jerr := allocPath(req.Path)
	if jerr != nil {
		writeJerrAsAPI(w, jerr)
		return
	}
	size := *req.Bytes
	now := s.nowSec()
	created, modified := parseAPITime(req.Created, now), parseAPITime(req.Modified, now)
	name := segs[len(segs)-1]

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.commit()
	mp, jerr := s.mountFor(segs, true)
	if jerr != nil {
		writeJerrAsAPI(w, jerr)
		return
	}
	reply := allocateReply{Name: name, Path: "/jfs/" + strings.Join(segs, "/"), Bytes: size, UploadID: randomHex(16)}
	f := func() *node {
		p, err := s.lookupBelow(mp, segs[2:len(segs)-1])
		if err != nil {
			return nil
		}
		return p.child(name)
	}()
	if f != nil && f.Kind != kindFile {
		writeAPIError(w, http.StatusConflict, "UniqueFileException", "a folder exists at "+reply.Path)
		return
	}
	key := blobKey(req.MD5, size)
	switch {
	case f != nil && f.current() != nil && strings.EqualFold(f.current().MD5, req.MD5) && f.current().Size == size:
		cur := f.current()
		cur.Created, cur.Modified = created, modified
		s.markDirty(f)
		s.revive(f)
		reply.State, reply.ResumePos = stateCompleted, size
	case s.content.hasBlob(key):
		if f == nil {
			parent, jerr := s.ensureDirs(mp, segs[2:len(segs)-1])
			if jerr != nil {
				writeJerrAsAPI(w, jerr)
				return
			}
			f = s.newNode(parent, kindFile, name)
		}
		s.addRev(f, &revision{State: stateCompleted, Created: created, Modified: modified, Updated: now,
			Size: size, MD5: req.MD5, Mime: mimeOf(name)})
		s.revive(f)
		reply.State, reply.ResumePos = stateCompleted, size
	case f != nil && f.latest() != nil && f.latest().State == stateIncomplete && f.latest().UploadID != "" &&
		strings.EqualFold(f.latest().MD5, req.MD5) && f.latest().Size == size && s.sessions[f.latest().UploadID] != nil:
		lat := f.latest()
		reply.State, reply.UploadID, reply.ResumePos = stateIncomplete, lat.UploadID, s.content.partSize(lat.UploadID)
	default:
		if s.wouldExceed(size) {
			writeAPIError(w, 460, "QuotaExceededException", "Out of quota: the account is write locked")
			return
		}
		if f == nil {
			parent, jerr := s.ensureDirs(mp, segs[2:len(segs)-1])
			if jerr != nil {
				writeJerrAsAPI(w, jerr)
				return
			}
			f = s.newNode(parent, kindFile, name)
		}
		rev := &revision{State: stateIncomplete, Created: created, Modified: modified, Updated: now,
			Size: size, MD5: req.MD5, Mime: mimeOf(name), UploadID: reply.UploadID}
		s.addRev(f, rev)
		ss := &session{ID: reply.UploadID, FileID: f.ID, Rev: rev.Number, Size: size, MD5: req.MD5,
			Path: reply.Path, Created: created, Modified: modified, hash: md5.New()}
		s.sessions[ss.ID] = ss
		s.dirtySess[ss.ID] = ss
		reply.State = stateIncomplete
	}
	reply.UploadURL = s.baseURL + "/files/v1/upload/" + reply.UploadID
	writeJSON(w, http.StatusOK, reply)
}

var (
	rangeRe        = regexp.MustCompile(`^bytes=(\d+)-(\d*)$`)
	contentRangeRe = regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+|\*)$`)
)

// uploadRange reads Range / Content-Range: the half-open interval of the
// file the body carries.
func uploadRange(h http.Header, size int64) (start, end int64, status int, msg string) {
	if cr := strings.TrimSpace(h.Get("Content-Range")); cr != "" {
		m := contentRangeRe.FindStringSubmatch(cr)
		if m == nil {
			return 0, 0, http.StatusBadRequest, "malformed Content-Range " + cr
		}
		a, _ := strconv.ParseInt(m[1], 10, 64)
		b, _ := strconv.ParseInt(m[2], 10, 64)
		if m[3] != "*" {
			if total, _ := strconv.ParseInt(m[3], 10, 64); total != size {
				return 0, 0, http.StatusBadRequest, fmt.Sprintf("Content-Range total %d differs from the allocated %d bytes", total, size)
			}
		}
		if b < a || b >= size {
			return 0, 0, http.StatusRequestedRangeNotSatisfiable, "Content-Range " + cr + " outside the file"
		}
		return a, b + 1, 0, ""
	}
	if rg := strings.TrimSpace(h.Get("Range")); rg != "" {
		m := rangeRe.FindStringSubmatch(rg)
		if m == nil {
			return 0, 0, http.StatusBadRequest, "malformed Range " + rg
		}
		a, _ := strconv.ParseInt(m[1], 10, 64)
		if m[2] == "" {
			return a, size, 0, ""
		}
		b, _ := strconv.ParseInt(m[2], 10, 64)
		if b < a || b >= size {
			return 0, 0, http.StatusRequestedRangeNotSatisfiable, "Range " + rg + " outside the file"
		}
		return a, b + 1, 0, ""
	}
	return 0, size, 0, ""
}

// restoreHash brings the session's running md5 up to the stored prefix.
// The session is busy (owned by the caller) and s.mu is not held, so it
// only reads the persisted fields; the caller updates them under s.mu.
func (s *Server) restoreHash(ss *session, received int64) error {
	if ss.hash != nil && ss.HashLen == received {
		return nil
	}
	ss.hash = nil
	h := md5.New()
	if len(ss.HashState) > 0 && ss.HashLen == received {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(ss.HashState); err == nil {
			ss.hash = h
			return nil
		}
	}
	rd, closer, err := s.content.openPart(ss.ID)
	if err != nil {
		return err
	}
	defer closer.Close()
	n, err := io.Copy(h, rd)
	if err != nil {
		return fmt.Errorf("rehash upload part: %w", err)
	}
	if n != received {
		return fmt.Errorf("upload part changed while rehashing")
	}
	ss.hash = h
	return nil
}

var errBodyTooLong = errors.New("body longer than the range")

// countingHashWriter feeds the running md5.
type countingHashWriter struct {
	r io.Reader
	h hash.Hash
}

func (c *countingHashWriter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.h.Write(p[:n])
	}
	return n, err
}

type uploadReply struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	ContentID string `json:"content_id"`
	Bytes     int64  `json:"bytes"`
	MD5       string `json:"md5"`
	Created   int64  `json:"created"`
	Modified  int64  `json:"modified"`
}

// handleUpload serves POST <upload_url>.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request, id string, fault *Fault) {
	if r.Method != http.MethodPost {
		writeAPIError(w, http.StatusMethodNotAllowed, "MethodNotAllowedException", "use POST")
		return
	}
	s.mu.Lock()
	ss := s.sessions[id]
	var f *node
	var rev *revision
	if ss != nil {
		f = s.nodes[ss.FileID]
		if f != nil {
			rev = f.revisionNumber(ss.Rev)
		}
		if rev == nil || rev.UploadID != id {
			s.dropSession(id)
			s.commit()
			ss = nil
		}
	}
	if ss == nil {
		s.mu.Unlock()
		writeAPIError(w, http.StatusNotFound, "NoSuchUploadException", "unknown or finished upload; allocate again")
		return
	}
	if ss.busy {
		s.mu.Unlock()
		writeAPIError(w, http.StatusConflict, "UploadInProgressException", "another request is uploading to this URL")
		return
	}
	received := s.content.partSize(id)
	start, end, status, msg := uploadRange(r.Header, ss.Size)
	if status == 0 && start != received {
		status, msg = http.StatusRequestedRangeNotSatisfiable, fmt.Sprintf("upload must continue at byte %d, not %d", received, start)
	}
	if status == 0 && r.ContentLength > end-start {
		status, msg = http.StatusBadRequest, fmt.Sprintf("body of %d bytes is longer than the range of %d", r.ContentLength, end-start)
	}
	if status == 0 && s.wouldExceed(ss.Size) {
		status, msg = 460, "Out of quota: the account is write locked"
	}
	if status != 0 {
		s.mu.Unlock()
		errID := "InvalidArgumentException"
		switch status {
		case http.StatusRequestedRangeNotSatisfiable:
			errID = "RequestedRangeNotSatisfiedException"
		case 460:
			errID = "QuotaExceededException"
		}
		writeAPIError(w, status, errID, msg)
		return
	}
	ss.busy = true
	s.mu.Unlock()

	herr := s.restoreHash(ss, received)
	want := end - start
	drop := fault != nil && fault.DropAfterBytes != 0
	limit := want
	if drop {
		limit = min(limit, max(0, fault.DropAfterBytes))
	}
	var n int64
	var rerr error
	if herr == nil {
		n, rerr = s.content.appendPart(id, &countingHashWriter{r: io.LimitReader(r.Body, limit), h: ss.hash})
		if rerr == nil && n == want && !drop {
			var one [1]byte
			if k, _ := r.Body.Read(one[:]); k > 0 {
				rerr = errBodyTooLong
			}
		}
	}
	s.stats.add(func(st *Stats) { st.UploadBytes += n })

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.commit()
	ss.busy = false
	if herr != nil {
		s.log.Error("emulator could not resume an upload", "err", herr)
		writeAPIError(w, http.StatusInternalServerError, "ServerException", "upload state unreadable")
		return
	}
	ss.HashLen = received + n
	if st, err := ss.hash.(encoding.BinaryMarshaler).MarshalBinary(); err == nil {
		ss.HashState = st
	}
	if s.sessions[id] == ss {
		s.dirtySess[id] = ss
	}
	if s.sessions[id] != ss || s.nodes[ss.FileID] != f || f.revisionNumber(ss.Rev) != rev {
		// superseded while the body was in flight
		writeAPIError(w, http.StatusConflict, "UploadSupersededException", "the upload was replaced; allocate again")
		return
	}
	total := received + n
	if drop && total < ss.Size {
		hangUp(w)
		return
	}
	if errors.Is(rerr, errBodyTooLong) {
		writeAPIError(w, http.StatusBadRequest, "InvalidArgumentException", "body longer than the range; the bytes within it were kept")
		return
	}
	if rerr != nil {
		// The connection broke or the body was malformed; the prefix stays.
		writeAPIError(w, http.StatusBadRequest, "IncompleteUploadOpenApiException", "upload body could not be read")
		return
	}
	if total < ss.Size {
		writeAPIError(w, 420, "IncompleteUploadOpenApiException", "Incomplete upload")
		return
	}
	sum := hex.EncodeToString(ss.hash.Sum(nil))
	if (fault != nil && fault.CorruptMD5) || !strings.EqualFold(sum, ss.MD5) {
		s.changeRevs(f, func() {
			rev.State = stateCorrupt
			rev.UploadID = ""
			rev.Updated = s.nowSec()
		})
		s.dropSession(id)
		if drop {
			hangUp(w)
			return
		}
		writeAPIError(w, http.StatusBadRequest, "CorruptUploadOpenApiException", "Corrupt upload: the received bytes do not match the md5")
		return
	}
	key := blobKey(ss.MD5, ss.Size)
	if err := s.content.commitPart(id, key); err != nil {
		s.log.Error("emulator could not store an upload", "err", err)
		writeAPIError(w, http.StatusInternalServerError, "ServerException", "could not store the upload")
		return
	}
	delete(s.sessions, id)
	s.dirtySess[id] = nil
	s.changeRevs(f, func() {
		rev.State = stateCompleted
		rev.UploadID = ""
		rev.Updated = s.nowSec()
	})
	s.revive(f)
	if drop {
		hangUp(w)
		return
	}
	reply := uploadReply{
		Name: f.Name, Path: ss.Path, ContentID: key, Bytes: ss.Size, MD5: rev.MD5,
		Created: rev.Created.UnixMilli(), Modified: rev.Modified.UnixMilli(),
	}
	var shape UploadReplyShape
	if fault != nil {
		shape = fault.UploadReply
	}
	if s.shapes.UpperCaseMD5 {
		reply.MD5 = strings.ToUpper(reply.MD5)
	}
	writeUploadReply(w, reply, shape)
}

// writeUploadReply answers a completed upload in the given shape.
func writeUploadReply(w http.ResponseWriter, r uploadReply, shape UploadReplyShape) {
	switch shape {
	case UploadReplyMinimal:
		writeJSON(w, http.StatusCreated, map[string]string{"path": r.Path, "content_id": r.ContentID})
	case UploadReplyWithState:
		writeJSON(w, http.StatusOK, map[string]any{"path": r.Path, "content_id": r.ContentID, "state": stateCompleted,
			"bytes": r.Bytes, "md5": strings.ToUpper(r.MD5), "modified": r.Modified})
	case UploadReplyNotJSON:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "OK\n")
	case UploadReplyWrongMD5:
		r.MD5 = strings.Repeat("0", 32)
		writeJSON(w, http.StatusCreated, r)
	default:
		writeJSON(w, http.StatusCreated, r)
	}
}

// handlePurgeTrash serves POST /files/v1/purge_trash.
func (s *Server) handlePurgeTrash(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeAPIError(w, http.StatusMethodNotAllowed, "MethodNotAllowedException", "use POST")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.commit()
	var top []*node
	for _, d := range s.devices {
		for _, mp := range d.children {
			mp.walk(func(n *node) {
				if n.trashed() && (n.parent == nil || !n.parent.trashed()) {
					top = append(top, n)
				}
			})
		}
	}
	var folders, files int
	for _, n := range top {
		fo, fi := s.removeNode(n)
		folders += fo
		files += fi
	}
	writeJSON(w, http.StatusOK, map[string]int{"folders": folders, "files": files})
}
