package emulator

import (
	"strings"
	"time"
)

// kind says what a node of the namespace is.
type kind uint8

const (
	kindDevice kind = iota + 1
	kindMount
	kindFolder
	kindFile
)

// Revision states as the server spells them.
const (
	stateCompleted  = "COMPLETED"
	stateIncomplete = "INCOMPLETE"
	stateCorrupt    = "CORRUPT"
)

// maxRevisions is how many revisions of one file the server keeps.
const maxRevisions = 5

// revision is one upload attempt of a file.
type revision struct {
	Number   int       `json:"n"`
	State    string    `json:"s"`
	Created  time.Time `json:"c"`
	Modified time.Time `json:"m"`
	Updated  time.Time `json:"u"`
	Size     int64     `json:"z"`
	MD5      string    `json:"h"`
	Mime     string    `json:"t,omitempty"`
	UploadID string    `json:"up,omitempty"` // the session of an INCOMPLETE revision
}

// node is a device, mount point, folder or file. Devices hang off the
// user (parent 0); everything else has a parent node.
type node struct {
	ID       uint64      `json:"id"`
	ParentID uint64      `json:"p"`
	Kind     kind        `json:"k"`
	Name     string      `json:"name"`
	Deleted  time.Time   `json:"del,omitzero"`
	DevType  string      `json:"type,omitempty"`
	SID      string      `json:"sid,omitempty"`
	Modified time.Time   `json:"mod,omitzero"`
	UUID     string      `json:"uuid,omitempty"`
	Revs     []*revision `json:"revs,omitempty"` // newest first
	NextRev  int         `json:"next,omitempty"`

	parent   *node
	children map[string]*node // by folded name
	size     int64            // bytes of current revisions in this subtree
}

// fold is the case-insensitive key of a name.
func fold(name string) string { return strings.ToLower(name) }

func (n *node) trashed() bool { return !n.Deleted.IsZero() }

func (n *node) child(name string) *node {
	if n.children == nil {
		return nil
	}
	return n.children[fold(name)]
}

// current is the newest COMPLETED revision, or nil.
func (n *node) current() *revision {
	for _, r := range n.Revs {
		if r.State == stateCompleted {
			return r
		}
	}
	return nil
}

// latest is a non-COMPLETED revision newer than current, or nil.
func (n *node) latest() *revision {
	if len(n.Revs) > 0 && n.Revs[0].State != stateCompleted {
		return n.Revs[0]
	}
	return nil
}

// older are the revisions other than current and latest, newest first.
func (n *node) older() []*revision {
	cur, lat := n.current(), n.latest()
	var out []*revision
	for _, r := range n.Revs {
		if r != cur && r != lat {
			out = append(out, r)
		}
	}
	return out
}

// revisionNumber finds revision number num.
func (n *node) revisionNumber(num int) *revision {
	for _, r := range n.Revs {
		if r.Number == num {
			return r
		}
	}
	return nil
}

// addRevision puts r on top and trims the history to maxRevisions, never
// dropping the current or the newest revision. It returns the revisions
// that were dropped.
func (n *node) addRevision(r *revision) []*revision {
	n.NextRev++
	r.Number = n.NextRev
	n.Revs = append([]*revision{r}, n.Revs...)
	var dropped []*revision
	for len(n.Revs) > maxRevisions {
		cur := n.current()
		idx := -1
		for i := len(n.Revs) - 1; i > 0; i-- {
			if n.Revs[i] != cur {
				idx = i
				break
			}
		}
		if idx < 0 {
			break
		}
		dropped = append(dropped, n.Revs[idx])
		n.Revs = append(n.Revs[:idx], n.Revs[idx+1:]...)
	}
	return dropped
}

// currentSize is what the file counts toward usage.
func (n *node) currentSize() int64 {
	if n.Kind != kindFile {
		return 0
	}
	if c := n.current(); c != nil {
		return c.Size
	}
	return 0
}

// pathFromDevice is "/<device>/<mp>/…/<name>".
func (n *node) pathFromDevice() string {
	var parts []string
	for x := n; x != nil; x = x.parent {
		parts = append(parts, x.Name)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

// pathFromMount is "/<mp>/…/<name>" (liststream convention).
func (n *node) pathFromMount() string {
	p := n.pathFromDevice()
	if i := strings.IndexByte(p[1:], '/'); i >= 0 {
		return p[i+1:]
	}
	return "/"
}

// walk calls fn for n and every descendant, parents first.
func (n *node) walk(fn func(*node)) {
	fn(n)
	for _, c := range n.children {
		c.walk(fn)
	}
}
