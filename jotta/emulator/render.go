package emulator

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Rendering of the JFS XML documents (§3). Callers hold s.mu.

func (s *Server) newDoc() *xw {
	b := &bytes.Buffer{}
	x := &xw{b: b, compact: s.shapes.Layout == LayoutCompact}
	b.WriteString(strings.TrimSuffix(xmlHeader, "\n"))
	x.nl()
	return x
}

func rootAttrs(kv ...string) []string {
	return append(kv, "time", fmtJotta(time.Now()), "host", hostName)
}

func writeXML(w http.ResponseWriter, status int, x *xw) {
	w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(x.b.Bytes())
}

// jfsPath is "/<user>" + the node's device path.
func (s *Server) jfsPath(n *node) string {
	if n == nil {
		return "/" + s.user
	}
	return "/" + s.user + n.pathFromDevice()
}

func (s *Server) renderUser(x *xw) {
	x.open("user", rootAttrs()...)
	x.leaf("username", s.user)
	x.leaf("account-type", s.accountType())
	x.leaf("locked", "false")
	x.leaf("capacity", i64(s.quotaOrUnlimited()))
	x.leaf("max-devices", "-1")
	x.leaf("max-mobile-devices", "-1")
	x.leaf("usage", i64(s.usage))
	x.leaf("read-locked", "false")
	x.leaf("write-locked", btoa(s.overQuota()))
	x.leaf("quota-write-locked", btoa(s.overQuota()))
	x.leaf("enable-sync", "true")
	x.leaf("enable-foldershare", "true")
	x.open("devices")
	devs := make([]*node, 0, len(s.devices))
	for _, d := range s.devices {
		devs = append(devs, d)
	}
	s.shapes.sortNodes(devs)
	for _, d := range devs {
		x.open("device")
		x.pleaf("name", d.Name)
		x.pleaf("display_name", d.Name)
		x.leaf("type", d.DevType)
		x.leaf("sid", d.SID)
		x.leaf("size", i64(d.size))
		x.leaf("modified", fmtJotta(d.Modified))
		x.close("device")
	}
	x.close("devices")
	x.close("user")
}

func (s *Server) renderDevice(x *xw, d *node, withMounts bool) {
	x.open("device", rootAttrs()...)
	x.pleaf("name", d.Name)
	x.pleaf("display_name", d.Name)
	x.leaf("type", d.DevType)
	x.leaf("sid", d.SID)
	x.leaf("size", i64(d.size))
	x.leaf("modified", fmtJotta(d.Modified))
	x.leaf("user", s.user)
	if withMounts {
		mps := s.deviceMountPoints(d)
		if len(mps) > 0 || !s.shapes.OmitEmptyLists {
			x.open("mountPoints")
			for _, mp := range mps {
				x.open("mountPoint")
				x.pleaf("name", mp.Name)
				x.leaf("size", i64(mp.size))
				x.leaf("modified", s.shapes.mountModified(mp))
				if mp.trashed() {
					x.leaf("deleted", fmtJotta(mp.Deleted))
					x.pleaf("abspath", s.jfsPath(d))
				}
				x.close("mountPoint")
			}
			x.close("mountPoints")
		}
		x.empty("metadata", "first", "", "max", "", "total", itoa(len(mps)), "num_mountpoints", itoa(len(mps)))
	}
	x.close("device")
}

// deviceMountPoints are the mount points a device document lists, in
// the shapes' order; with VirtualMountPoints the built-in device's views
// come along as empty mount points.
func (s *Server) deviceMountPoints(d *node) []*node {
	mps := s.shapes.ordered(d)
	if !s.shapes.VirtualMountPoints || d.DevType != "JOTTA" {
		return mps
	}
	for _, name := range virtualMountPoints {
		if d.child(name) == nil {
			mps = append(mps, &node{Kind: kindMount, Name: name, parent: d})
		}
	}
	s.shapes.sortNodes(mps)
	return mps
}

// renderChildren writes the folders/files lists and the metadata trailer.
func (s *Server) renderChildren(x *xw, dir *node) {
	var folders, files []*node
	for _, c := range s.shapes.ordered(dir) {
		if c.Kind == kindFile {
			files = append(files, c)
		} else {
			folders = append(folders, c)
		}
	}
	writeFolders := func() {
		if len(folders) == 0 && s.shapes.OmitEmptyLists {
			return
		}
		x.open("folders")
		for _, c := range folders {
			if c.trashed() {
				x.open("folder", "name", c.Name, "deleted", fmtJotta(c.Deleted))
				x.pleaf("abspath", s.jfsPath(dir))
				x.close("folder")
			} else {
				x.empty("folder", "name", c.Name)
			}
		}
		x.close("folders")
	}
	writeFiles := func() {
		if len(files) == 0 && s.shapes.OmitEmptyLists {
			return
		}
		x.open("files")
		for _, c := range files {
			s.renderFile(x, c, false, nil)
		}
		x.close("files")
	}
	if s.shapes.FoldersAfterFiles {
		writeFiles()
		writeFolders()
	} else {
		writeFolders()
		writeFiles()
	}
	nf, nd := len(files), len(folders)
	x.empty("metadata", "first", "", "max", "", "total", itoa(nf+nd), "num_folders", itoa(nd), "num_files", itoa(nf))
}

func (s *Server) renderMount(x *xw, mp *node, withChildren bool) {
	x.open("mountPoint", rootAttrs()...)
	x.pleaf("name", mp.Name)
	x.pleaf("path", s.jfsPath(mp.parent))
	x.pleaf("abspath", s.jfsPath(mp.parent))
	x.leaf("size", i64(mp.size))
	x.leaf("modified", s.shapes.mountModified(mp))
	x.leaf("device", mp.parent.Name)
	x.leaf("user", s.user)
	if withChildren {
		s.renderChildren(x, mp)
	}
	x.close("mountPoint")
}

func (s *Server) renderFolder(x *xw, f *node, withChildren bool) {
	x.open("folder", rootAttrs("name", f.Name, "deleted", fmtJotta(f.Deleted))...)
	x.pleaf("path", s.jfsPath(f.parent))
	x.pleaf("abspath", s.jfsPath(f.parent))
	if withChildren {
		s.renderChildren(x, f)
	}
	x.close("folder")
}

// renderFile writes a file element. direct: a GET of the file itself
// (root attributes, path, revision history, received size of an
// INCOMPLETE revision). extra are additional attributes.
func (s *Server) renderFile(x *xw, f *node, direct bool, extra []string) {
	kv := append([]string{"name", f.Name, "uuid", f.UUID, "deleted", fmtJotta(f.Deleted)}, extra...)
	if direct {
		kv = rootAttrs(kv...)
	}
	x.open("file", kv...)
	if direct {
		x.pleaf("path", s.jfsPath(f.parent))
	}
	if direct || f.trashed() {
		x.pleaf("abspath", s.jfsPath(f.parent))
	}
	if c := f.current(); c != nil {
		s.renderRevision(x, "currentRevision", c, direct)
	}
	if l := f.latest(); l != nil {
		s.renderRevision(x, "latestRevision", l, direct)
	}
	if direct {
		if old := f.older(); len(old) > 0 {
			x.open("revisions")
			for _, r := range old {
				s.renderRevision(x, "revision", r, direct)
			}
			x.close("revisions")
		}
	}
	x.close("file")
}

func (s *Server) renderRevision(x *xw, tag string, r *revision, direct bool) {
	x.open(tag)
	x.leaf("number", itoa(r.Number))
	x.leaf("state", r.State)
	x.leaf("created", fmtJotta(r.Created))
	x.leaf("modified", fmtJotta(r.Modified))
	m := r.Mime
	if m == "" {
		m = "application/octet-stream"
	}
	x.leaf("mime", m)
	x.leaf("mstyle", mstyleOf(m))
	switch {
	case r.State == stateCompleted:
		x.leaf("size", i64(r.Size))
	case r.State == stateIncomplete && direct:
		x.leaf("size", i64(s.received(r)))
	}
	x.leaf("md5", s.shapes.md5(r.MD5))
	x.leaf("updated", fmtJotta(r.Updated))
	x.close(tag)
}

// received is how many bytes an INCOMPLETE revision has so far.
func (s *Server) received(r *revision) int64 {
	if r.UploadID == "" {
		return 0
	}
	if _, ok := s.sessions[r.UploadID]; !ok {
		return 0
	}
	return s.content.partSize(r.UploadID)
}

// renderTrash writes the virtual Jotta/Trash mount point: every trashed
// item whose parent is not itself trashed.
func (s *Server) renderTrash(x *xw, jotta *node) {
	var folders, files []*node
	for _, d := range s.devices {
		for _, mp := range d.children {
			mp.walk(func(n *node) {
				if n.Kind == kindMount || !n.trashed() || n.parent.trashed() {
					return
				}
				if n.Kind == kindFile {
					files = append(files, n)
				} else {
					folders = append(folders, n)
				}
			})
		}
	}
	byName := func(l []*node) {
		sort.Slice(l, func(i, j int) bool {
			if l[i].Name != l[j].Name {
				return l[i].Name < l[j].Name
			}
			return l[i].ID < l[j].ID
		})
	}
	byName(folders)
	byName(files)
	x.open("mountPoint", rootAttrs()...)
	x.pleaf("name", "Trash")
	x.pleaf("path", s.jfsPath(jotta))
	x.pleaf("abspath", s.jfsPath(jotta))
	x.leaf("size", "")
	x.leaf("modified", "")
	x.leaf("device", jotta.Name)
	x.leaf("user", s.user)
	x.open("folders")
	for _, f := range folders {
		x.open("folder", "name", f.Name, "deleted", fmtJotta(f.Deleted), "contextType", "TRASH")
		x.pleaf("abspath", s.jfsPath(f.parent))
		x.close("folder")
	}
	x.close("folders")
	x.open("files")
	for _, f := range files {
		s.renderFile(x, f, false, []string{"contextType", "TRASH"})
	}
	x.close("files")
	x.empty("metadata", "first", "", "max", "", "total", itoa(len(folders)+len(files)),
		"num_folders", itoa(len(folders)), "num_files", itoa(len(files)))
	x.close("mountPoint")
}
