package emulator

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Device types the server knows.
var deviceTypes = map[string]bool{
	"WORKSTATION": true, "LAPTOP": true, "IMAC": true, "MACBOOK": true, "IPAD": true,
	"ANDROID": true, "IPHONE": true, "WINDOWS_PHONE": true,
}

// commands in the order they are looked for.
var commands = []string{"mkDir", "dlDir", "dl", "rmDir", "rm", "mvDir", "mv", "cp", "cphash", "restore", "type"}

// nowSec is the server clock (see SetClock) at second precision: the time
// stamped on revisions and trash marks.
func (s *Server) nowSec() time.Time { return s.clock().UTC().Truncate(time.Second) }

// clock reads the server's clock.
func (s *Server) clock() time.Time {
	if f := s.clockFn.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// SetClock makes the server stamp revisions ("updated") and trash marks
// ("deleted") with now() instead of the real time, so tests can replay a
// history over several days. nil restores the real clock. Token lifetimes
// keep the real time.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		s.clockFn.Store(nil)
		return
	}
	s.clockFn.Store(&now)
}

// command picks the command parameter of a mutation.
func command(params url.Values) (cmd, value string) {
	for _, c := range commands {
		if vs, ok := params[c]; ok {
			v := ""
			if len(vs) > 0 {
				v = vs[0]
			}
			if v == "false" {
				continue
			}
			return c, v
		}
	}
	return "", ""
}

var errMissingCommand = errf(http.StatusInternalServerError, excServer,
	"POST Request is missing multipart content or don't dont have any command parameters")

// jfsPost serves JFS mutations: POST with a command query parameter.
func (s *Server) jfsPost(w http.ResponseWriter, r *http.Request, segs []string, slash bool) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	params := r.URL.Query()
	switch {
	case ct == "application/octet-stream" || strings.HasPrefix(ct, "multipart/"):
		// The real server routes this as a legacy upload and ignores any
		// command; the emulator does not implement legacy uploads.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		if r.Header.Get("JMd5") == "" {
			writeXMLError(w, &jfsError{status: http.StatusBadRequest, class: "Upload without md5 no longer supported. Use header JMd5."})
			return
		}
		writeXMLError(w, errf(http.StatusNotFound, excNoSuchFile, "legacy upload is not served here; use /files/v1/allocate"))
		return
	case ct == "application/x-www-form-urlencoded":
		// A servlet merges form body fields into the parameters.
		if err := r.ParseForm(); err == nil {
			params = r.Form
		}
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	}
	cmd, val := command(params)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.commit()
	switch len(segs) {
	case 0:
		writeXMLError(w, errMissingCommand)
	case 1:
		s.postDevice(w, segs[0], cmd, val)
	case 2:
		s.postMount(w, segs, cmd)
	default:
		s.postNode(w, r, segs, slash, cmd, val)
	}
}

func (s *Server) postDevice(w http.ResponseWriter, name, cmd, val string) {
	dev := s.devices[fold(name)]
	x := s.newDoc()
	switch cmd {
	case "type":
		t := strings.ToUpper(val)
		if !deviceTypes[t] {
			writeXMLError(w, errf(http.StatusBadRequest, excInvalidArg, "Unknown device type %s", val))
			return
		}
		if dev == nil {
			dev = s.newNode(nil, kindDevice, name)
			dev.DevType = t
		}
		s.renderDevice(x, dev, false)
		writeXML(w, http.StatusCreated, x)
	case "rm":
		if dev == nil {
			writeXMLError(w, errf(http.StatusNotFound, excNoSuchPath, "Device %s does not exist", name))
			return
		}
		if dev.DevType == "JOTTA" {
			writeXMLError(w, errf(http.StatusForbidden, excAccessDenied, "The built-in device cannot be deleted"))
			return
		}
		s.removeNode(dev)
		s.renderUser(x)
		writeXML(w, http.StatusOK, x)
	case "":
		writeXMLError(w, errMissingCommand)
	default:
		writeXMLError(w, errf(http.StatusNotFound, excNoSuchPath, "Command %s does not apply to a device", cmd))
	}
}

func (s *Server) postMount(w http.ResponseWriter, segs []string, cmd string) {
	dev := s.devices[fold(segs[0])]
	if dev == nil {
		writeXMLError(w, errf(http.StatusNotFound, excNoSuchPath, "Device %s does not exist", segs[0]))
		return
	}
	if isVirtualMount(segs) {
		writeXMLError(w, errf(http.StatusBadRequest, excInvalidArg, "%s is a virtual mount point", segs[1]))
		return
	}
	mp := dev.child(segs[1])
	x := s.newDoc()
	switch cmd {
	case "", "mkDir":
		status := http.StatusOK
		if mp == nil {
			mp = s.newNode(dev, kindMount, segs[1])
			if cmd == "" {
				status = http.StatusCreated
			}
		} else if mp.trashed() {
			mp.Deleted = time.Time{}
			s.markDirty(mp)
		}
		s.renderMount(x, mp, false)
		writeXML(w, status, x)
	case "rm":
		if mp == nil {
			writeXMLError(w, errf(http.StatusNotFound, excNoSuchMount, "Mount point /%s/%s/%s does not exist", s.user, segs[0], segs[1]))
			return
		}
		s.removeNode(mp)
		s.renderDevice(x, dev, true)
		writeXML(w, http.StatusOK, x)
	case "dl":
		if mp == nil {
			writeXMLError(w, errf(http.StatusNotFound, excNoSuchMount, "Mount point /%s/%s/%s does not exist", s.user, segs[0], segs[1]))
			return
		}
		s.trash(mp, s.nowSec())
		s.renderMount(x, mp, false)
		writeXML(w, http.StatusOK, x)
	default:
		writeXMLError(w, errf(http.StatusNotFound, excNoSuchMount, "Command %s does not apply to a mount point", cmd))
	}
}

// trash marks n and its live descendants deleted.
func (s *Server) trash(n *node, at time.Time) {
	n.walk(func(x *node) {
		if !x.trashed() {
			x.Deleted = at
			s.markDirty(x)
		}
	})
}

// revive clears the deleted mark of n and its ancestors.
func (s *Server) revive(n *node) {
	for x := n; x != nil; x = x.parent {
		if x.trashed() {
			x.Deleted = time.Time{}
			s.markDirty(x)
		}
	}
}

// ensureDirs walks names below parent, creating (or reviving) folders.
func (s *Server) ensureDirs(parent *node, names []string) (*node, *jfsError) {
	n := parent
	for _, name := range names {
		c := n.child(name)
		switch {
		case c == nil:
			c = s.newNode(n, kindFolder, name)
		case c.Kind == kindFile:
			return nil, errf(http.StatusConflict, excUniqueFile, "%s is a file", s.jfsPath(c))
		case c.trashed():
			c.Deleted = time.Time{}
			s.markDirty(c)
		}
		n = c
	}
	return n, nil
}

// mountFor finds device and mount point of segs; with create, a missing
// mount point is made.
func (s *Server) mountFor(segs []string, create bool) (*node, *jfsError) {
	dev := s.devices[fold(segs[0])]
	if dev == nil {
		return nil, errf(http.StatusNotFound, excNoSuchPath, "Device %s does not exist", segs[0])
	}
	if isVirtualMount(segs[:2]) {
		return nil, errf(http.StatusBadRequest, excInvalidArg, "%s is a virtual mount point", segs[1])
	}
	mp := dev.child(segs[1])
	if mp == nil {
		if !create {
			return nil, errf(http.StatusNotFound, excNoSuchMount, "Mount point /%s/%s/%s does not exist", s.user, segs[0], segs[1])
		}
		mp = s.newNode(dev, kindMount, segs[1])
	}
	return mp, nil
}

// destination parses a mv/cp/mvDir target "/<user>/<dev>/<mp>/…".
func (s *Server) destination(v string) ([]string, *jfsError) {
	segs, jerr := splitAbsPath(v)
	if jerr != nil {
		return nil, jerr
	}
	if len(segs) < 4 {
		return nil, errf(http.StatusBadRequest, excInvalidArg, "Destination %s is not a path below a mount point", v)
	}
	if !strings.EqualFold(segs[0], s.user) {
		return nil, errf(http.StatusBadRequest, excUsernameNF, "Username not found in url!")
	}
	return segs[1:], nil
}

func (s *Server) postNode(w http.ResponseWriter, r *http.Request, segs []string, slash bool, cmd, val string) {
	full := "/" + s.user + "/" + strings.Join(segs, "/")
	if cmd == "mkDir" {
		mp, jerr := s.mountFor(segs, true)
		if jerr == nil {
			var dir *node
			if dir, jerr = s.ensureDirs(mp, segs[2:]); jerr == nil {
				x := s.newDoc()
				s.renderFolder(x, dir, false)
				writeXML(w, http.StatusOK, x)
				return
			}
		}
		writeXMLError(w, jerr)
		return
	}
	if cmd == "" || cmd == "restore" || cmd == "type" {
		writeXMLError(w, errMissingCommand)
		return
	}
	if cmd == "cphash" {
		s.cphash(w, r, segs)
		return
	}
	n, jerr := s.lookup(segs)
	if jerr != nil {
		if cmd == "dl" && jerr.class != excNoSuchMount {
			// Trashing a missing file succeeds.
			x := s.newDoc()
			x.open("file", rootAttrs("name", segs[len(segs)-1], "deleted", fmtJotta(s.nowSec()))...)
			x.pleaf("path", "/"+s.user+"/"+strings.Join(segs[:len(segs)-1], "/"))
			x.close("file")
			writeXML(w, http.StatusOK, x)
			return
		}
		writeXMLError(w, jerr)
		return
	}
	isFile := n.Kind == kindFile
	switch cmd {
	case "dl", "rm", "mv", "cp":
		if !isFile {
			writeXMLError(w, errf(http.StatusNotFound, excNoSuchFile, "File %s does not exist", full))
			return
		}
	case "dlDir", "rmDir", "mvDir":
		if isFile || (cmd == "mvDir" && !slash) {
			writeXMLError(w, errf(http.StatusNotFound, excNoSuchPath, "Directory %s does not exist", full))
			return
		}
	}
	x := s.newDoc()
	switch cmd {
	case "dl":
		s.trash(n, s.nowSec())
		s.renderFile(x, n, true, nil)
	case "dlDir":
		s.trash(n, s.nowSec())
		s.renderFolder(x, n, false)
	case "rm":
		s.removeNode(n)
		w.WriteHeader(http.StatusOK)
		return
	case "rmDir":
		s.renderFolder(x, n, false)
		s.removeNode(n)
	case "mv", "cp", "mvDir":
		out, jerr := s.moveOrCopy(n, cmd, val)
		if jerr != nil {
			writeXMLError(w, jerr)
			return
		}
		if out.Kind == kindFile {
			s.renderFile(x, out, true, nil)
		} else {
			s.renderFolder(x, out, false)
		}
	default:
		writeXMLError(w, errMissingCommand)
		return
	}
	writeXML(w, http.StatusOK, x)
}

// moveOrCopy implements mv, cp and mvDir of n to the absolute
// destination val.
func (s *Server) moveOrCopy(n *node, cmd, val string) (*node, *jfsError) {
	dsegs, jerr := s.destination(val)
	if jerr != nil {
		return nil, jerr
	}
	mp, jerr := s.mountFor(dsegs, false)
	if jerr != nil {
		return nil, jerr
	}
	parent, jerr := s.ensureDirs(mp, dsegs[2:len(dsegs)-1])
	if jerr != nil {
		return nil, jerr
	}
	name := dsegs[len(dsegs)-1]
	dest := parent.child(name)
	if cmd == "mvDir" {
		for x := parent; x != nil; x = x.parent {
			if x == n {
				return nil, errf(http.StatusBadRequest, excInvalidArg, "Cannot move %s into itself", s.jfsPath(n))
			}
		}
	}
	if dest == n {
		// rename in place (e.g. a change of case)
		if cmd != "cp" {
			s.attach(n, parent, name)
		}
		return n, nil
	}
	if dest != nil {
		switch {
		case dest.Kind != kindFile || n.Kind != kindFile:
			if dest.trashed() && dest.Kind == n.Kind {
				s.removeNode(dest)
				dest = nil
				break
			}
			return nil, errf(http.StatusConflict, excUniqueFile, "%s already exists", s.jfsPath(dest))
		case cmd == "mv" && dest.trashed():
			s.removeNode(dest)
			dest = nil
		}
	}
	if cmd == "mvDir" || (cmd == "mv" && dest == nil) {
		s.attach(n, parent, name)
		return n, nil
	}
	src := n.current()
	if src == nil {
		return nil, errf(http.StatusNotFound, excNoSuchFile, "File %s has no completed revision", s.jfsPath(n))
	}
	if dest == nil {
		dest = s.newNode(parent, kindFile, name)
	}
	// Copy (or move onto an existing file): a new revision on the target,
	// which keeps its trashed state.
	cp := *src
	cp.UploadID = ""
	cp.Updated = s.nowSec()
	s.addRev(dest, &cp)
	if cmd == "mv" {
		s.removeNode(n)
	}
	return dest, nil
}

// cphash makes the file match (JMd5, JSize) from content the server
// already has, or answers 404.
func (s *Server) cphash(w http.ResponseWriter, r *http.Request, segs []string) {
	md5 := strings.TrimSpace(r.Header.Get("JMd5"))
	size, err := strconv.ParseInt(strings.TrimSpace(r.Header.Get("JSize")), 10, 64)
	if md5 == "" || err != nil || size < 0 {
		writeXMLError(w, errf(http.StatusBadRequest, excInvalidArg, "cphash needs the headers JMd5 and JSize"))
		return
	}
	if v := r.URL.Query().Get("cphash"); len(v) == 32 {
		md5 = v // older clients pass the md5 as the value
	}
	now := s.nowSec()
	created := parseJottaTime(r.Header.Get("JCreated"), now)
	modified := parseJottaTime(r.Header.Get("JModified"), now)
	mp, jerr := s.mountFor(segs, false)
	if jerr != nil {
		writeXMLError(w, jerr)
		return
	}
	name := segs[len(segs)-1]
	var f *node
	if parent, perr := s.lookupBelow(mp, segs[2:len(segs)-1]); perr == nil {
		f = parent.child(name)
	}
	if f != nil && f.Kind != kindFile {
		writeXMLError(w, errf(http.StatusNotFound, excNoSuchFile, "%s is a folder", s.jfsPath(f)))
		return
	}
	if f != nil {
		if cur := f.current(); cur != nil && strings.EqualFold(cur.MD5, md5) && cur.Size == size {
			cur.Created, cur.Modified = created, modified
			s.revive(f)
			s.markDirty(f)
			x := s.newDoc()
			s.renderFile(x, f, true, nil)
			writeXML(w, http.StatusOK, x)
			return
		}
	}
	if !s.content.hasBlob(blobKey(md5, size)) {
		writeXMLError(w, errf(http.StatusNotFound, excNoSuchFile, "Cannot dedup %s: content unknown", "/"+s.user+"/"+strings.Join(segs, "/")))
		return
	}
	if f == nil {
		parent, jerr := s.ensureDirs(mp, segs[2:len(segs)-1])
		if jerr != nil {
			writeXMLError(w, jerr)
			return
		}
		f = s.newNode(parent, kindFile, name)
	}
	s.addRev(f, &revision{State: stateCompleted, Created: created, Modified: modified, Updated: now,
		Size: size, MD5: md5, Mime: mimeOf(name)})
	s.revive(f)
	x := s.newDoc()
	s.renderFile(x, f, true, nil)
	writeXML(w, http.StatusOK, x)
}

// lookupBelow resolves folder names below dir without creating any.
func (s *Server) lookupBelow(dir *node, names []string) (*node, *jfsError) {
	n := dir
	for _, name := range names {
		c := n.child(name)
		if c == nil || c.Kind == kindFile {
			return nil, errf(http.StatusNotFound, excNoSuchPath, "Directory %s/%s", s.jfsPath(n), name)
		}
		n = c
	}
	return n, nil
}
