package emulator

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// lookup resolves [device, mountpoint, names…]. Caller holds s.mu.
func (s *Server) lookup(segs []string) (*node, *jfsError) {
	if len(segs) == 0 {
		return nil, nil
	}
	n := s.devices[fold(segs[0])]
	if n == nil {
		return nil, errf(http.StatusNotFound, excNoSuchPath, "Device %s does not exist", segs[0])
	}
	for i, name := range segs[1:] {
		c := n.child(name)
		if c == nil || (c.Kind == kindFile && i < len(segs)-2) {
			full := "/" + s.user + "/" + strings.Join(segs, "/")
			if i == 0 {
				return nil, errf(http.StatusNotFound, excNoSuchMount, "Mount point %s does not exist", full)
			}
			return nil, errf(http.StatusNotFound, excNoSuchPath, "Directory %s", full)
		}
		n = c
	}
	return n, nil
}

func isVirtualMount(segs []string) bool {
	if len(segs) != 2 || !strings.EqualFold(segs[0], "Jotta") {
		return false
	}
	switch strings.ToLower(segs[1]) {
	case "trash", "links", "latest":
		return true
	}
	return false
}

func (s *Server) jfsGet(w http.ResponseWriter, r *http.Request, segs []string, fault *Fault) {
	mode := r.URL.Query().Get("mode")
	switch mode {
	case "bin":
		s.download(w, r, segs, fault != nil && fault.IgnoreRange)
		return
	case "liststream":
		s.listStream(w, segs, fault != nil && fault.WrongStats)
		return
	case "", "list":
	default:
		writeXMLError(w, errf(http.StatusBadRequest, excInvalidArg, "Unsupported mode %s", mode))
		return
	}
	x, jerr := s.renderGet(segs, mode)
	if jerr != nil {
		writeXMLError(w, jerr)
		return
	}
	writeXML(w, http.StatusOK, x)
}

// renderGet builds the document for a plain GET (or mode=list) under the
// read lock; the caller writes it without holding the lock.
func (s *Server) renderGet(segs []string, mode string) (*xw, *jfsError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	x := s.newDoc()
	if len(segs) == 0 {
		s.renderUser(x)
		return x, nil
	}
	if isVirtualMount(segs) && mode == "" {
		jotta := s.devices["jotta"]
		if strings.EqualFold(segs[1], "trash") {
			s.renderTrash(x, jotta)
		} else {
			x.open("searchresult", rootAttrs()...)
			if !s.shapes.OmitEmptyLists {
				x.open("files")
				x.close("files")
			}
			x.empty("metadata", "first", "", "max", "", "total", "0", "num_folders", "0", "num_files", "0")
			x.close("searchresult")
		}
		return x, nil
	}
	n, jerr := s.lookup(segs)
	if jerr != nil {
		return nil, jerr
	}
	if mode == "list" {
		if n.Kind == kindFile || n.Kind == kindDevice {
			return nil, errf(http.StatusBadRequest, excInvalidArg, "mode=list needs a folder")
		}
		s.renderFileDirList(x, n)
		return x, nil
	}
	switch n.Kind {
	case kindDevice:
		s.renderDevice(x, n, true)
	case kindMount:
		s.renderMount(x, n, true)
	case kindFolder:
		s.renderFolder(x, n, true)
	case kindFile:
		s.renderFile(x, n, true, nil)
	}
	return x, nil
}

// renderFileDirList writes the old mode=list document: one flat list of
// folders, each with its own files.
func (s *Server) renderFileDirList(x *xw, dir *node) {
	x.open("filedirlist", rootAttrs()...)
	x.open("folders")
	var visit func(d *node)
	visit = func(d *node) {
		x.open("folder", "name", d.Name)
		x.pleaf("path", s.jfsPath(d.parent))
		x.pleaf("abspath", s.jfsPath(d.parent))
		kids := s.shapes.ordered(d)
		var files []*node
		for _, c := range kids {
			if c.Kind == kindFile && !c.trashed() {
				files = append(files, c)
			}
		}
		if len(files) > 0 || !s.shapes.OmitEmptyLists {
			x.open("files")
			for _, c := range files {
				s.renderFile(x, c, false, nil)
			}
			x.close("files")
		}
		x.close("folder")
		for _, c := range kids {
			if c.Kind != kindFile && !c.trashed() {
				visit(c)
			}
		}
	}
	visit(dir)
	x.close("folders")
	x.close("filedirlist")
}

// streamChunk is how much liststream output is gathered under the lock
// before it is written out without it.
const streamChunk = 256 << 10

// listStream writes mode=liststream: a <folder> for the directory and
// each live sub-folder (parents first, each followed by its live
// COMPLETED files), then <stats>. The shapes may move each <folder> after
// its files, leave it out for folders that hold files (then <stats>
// counts folders as a set, as rclone does), change the order and the
// layout. The document is written as it is produced; the state lock is
// released while a chunk goes out.
func (s *Server) listStream(w http.ResponseWriter, segs []string, wrongStats bool) {
	s.mu.RLock()
	locked := true
	defer func() {
		if locked {
			s.mu.RUnlock()
		}
	}()
	n, jerr := s.lookup(segs)
	if jerr == nil && n == nil {
		jerr = errf(http.StatusBadRequest, excInvalidArg, "liststream needs a folder")
	}
	if jerr == nil && (n.Kind == kindFile || n.Kind == kindDevice) {
		jerr = errf(http.StatusBadRequest, excInvalidArg, "liststream needs a folder")
	}
	if jerr == nil && n.trashed() {
		jerr = errf(http.StatusNotFound, excNoSuchPath, "Directory %s", s.jfsPath(n))
	}
	if jerr != nil {
		writeXMLError(w, jerr)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	sw := s.newStreamWriter()
	var nFolders, nFiles int
	stack := [][]*node{{n}}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		if len(top) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		d := top[0]
		stack[len(stack)-1] = top[1:]
		if d.trashed() {
			continue
		}
		nFolders++
		var sub, files []*node
		for _, c := range s.shapes.ordered(d) {
			switch {
			case c.Kind != kindFile:
				sub = append(sub, c)
			case !c.trashed() && c.current() != nil:
				files = append(files, c)
			}
		}
		nFiles += len(files)
		sw.dir(d, files)
		if len(sub) > 0 {
			stack = append(stack, sub)
		}
		if sw.b.Len() >= streamChunk {
			s.mu.RUnlock()
			locked = false
			_, err := w.Write(sw.b.Bytes())
			sw.b.Reset()
			if err != nil {
				return
			}
			s.mu.RLock()
			locked = true
		}
	}
	s.mu.RUnlock()
	locked = false
	if wrongStats {
		nFiles++
	}
	sw.end(nFolders, nFiles)
	_, _ = w.Write(sw.b.Bytes())
}

// download serves ?mode=bin with optional Range and revision.
func (s *Server) download(w http.ResponseWriter, r *http.Request, segs []string, ignoreRange bool) {
	s.mu.RLock()
	n, jerr := s.lookup(segs)
	if jerr == nil && (n == nil || n.Kind != kindFile) {
		jerr = errf(http.StatusNotFound, excNoSuchFile, "%s is not a file", "/"+s.user+"/"+strings.Join(segs, "/"))
	}
	var rev *revision
	if jerr == nil {
		if v := r.URL.Query().Get("revision"); v != "" {
			num, err := strconv.Atoi(v)
			if err != nil {
				jerr = errf(http.StatusBadRequest, excInvalidArg, "Invalid revision %s", v)
			} else if rev = n.revisionNumber(num); rev == nil || rev.State != stateCompleted {
				jerr = errf(http.StatusNotFound, excNoSuchFile, "Revision %d of %s does not exist", num, s.jfsPath(n))
			}
		} else if rev = n.current(); rev == nil {
			jerr = errf(http.StatusNotFound, excNoSuchFile, "File %s has no completed revision", s.jfsPath(n))
		}
	}
	var key, mimeType string
	if jerr == nil {
		key, mimeType = blobKey(rev.MD5, rev.Size), rev.Mime
	}
	s.mu.RUnlock()
	if jerr != nil {
		writeXMLError(w, jerr)
		return
	}
	ra, size, closer, err := s.content.openBlob(key)
	if err != nil {
		s.log.Error("emulator lost file content", "err", err)
		writeXMLError(w, errf(http.StatusInternalServerError, excServer, "content unavailable"))
		return
	}
	defer closer.Close()
	rangeHdr := r.Header.Get("Range")
	if ignoreRange {
		rangeHdr = ""
	}
	start, end, partial, rerr := parseRange(rangeHdr, size)
	if rerr != nil {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		writeXMLError(w, rerr)
		return
	}
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", mimeType)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", i64(end-start))
	status := http.StatusOK
	if partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end-1, size))
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	sent, _ := io.Copy(w, io.NewSectionReader(ra, start, end-start))
	s.stats.add(func(st *Stats) { st.DownloadBytes += sent })
}

// parseRange reads a single-range Range header. It returns the half-open
// interval [start,end) and whether the reply is partial.
func parseRange(h string, size int64) (start, end int64, partial bool, jerr *jfsError) {
	if h == "" {
		return 0, size, false, nil
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok {
		return 0, size, false, nil // unknown unit: ignored, as HTTP allows
	}
	bad := errf(http.StatusRequestedRangeNotSatisfiable, excRange, "Requested range %s not satisfiable for size %d", spec, size)
	if strings.Contains(spec, ",") {
		return 0, 0, false, bad
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, 0, false, bad
	}
	if a == "" { // suffix range
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 || size == 0 {
			return 0, 0, false, bad
		}
		return max(0, size-n), size, true, nil
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first < 0 || first >= size {
		return 0, 0, false, bad
	}
	last := size - 1
	if b != "" {
		last, err = strconv.ParseInt(b, 10, 64)
		if err != nil || last < first {
			return 0, 0, false, bad
		}
		last = min(last, size-1)
	}
	return first, last + 1, true, nil
}
