package emulator

import (
	"bytes"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"
)

// Shapes are documented ways in which the real service's replies vary
// (protocol notes §2, §3, §7) while meaning the same. A client must read
// every one of them alike; the emulator produces them on request so tests
// can prove it. The zero value is the emulator's plain shape: every folder
// announced by a <folder> before its files, byte-order sorting, one
// liststream element per line and indented documents, empty lists written
// out, lower-case md5s, and only Archive, Shared and Sync on the built-in
// device. Shapes only change how replies are written, never the state.
type Shapes struct {
	// Layout is the whitespace between elements.
	Layout Layout
	// FoldersAfterFiles writes each folder's <folder> element in a
	// liststream after its files, and <files> before <folders> in a
	// folder document.
	FoldersAfterFiles bool
	// ImplicitFolders leaves the <folder> element out of a liststream for
	// every folder that holds files: such a folder is known only as their
	// parent. <stats> then counts folders as a set, the rule rclone
	// checks.
	ImplicitFolders bool
	// CaseInsensitiveOrder sorts names as Java's
	// String.CASE_INSENSITIVE_ORDER does ("b" before "C").
	CaseInsensitiveOrder bool
	// OmitEmptyLists leaves out <folders>, <files> and <mountPoints> when
	// they would be empty.
	OmitEmptyLists bool
	// EmptyModified writes an empty <modified></modified> for a mount
	// point that holds nothing yet.
	EmptyModified bool
	// VirtualMountPoints lists the built-in device's views Latest and
	// Links among its mount points; they answer with <searchresult>.
	VirtualMountPoints bool
	// UpperCaseMD5 writes md5 values in upper case, as the server does for
	// a client that declared them so.
	UpperCaseMD5 bool
}

// Layout is how a reply's elements are spaced.
type Layout int

const (
	// LayoutLines indents documents and puts each liststream entry on a
	// line of its own.
	LayoutLines Layout = iota
	// LayoutCompact writes no whitespace between elements at all.
	LayoutCompact
	// LayoutIndented pretty-prints everything, liststream entries too,
	// with every child element on an indented line.
	LayoutIndented
)

// ShapesFromSeed picks a combination of shapes from a seed, the same one
// for the same seed. Seed 0 is the plain shape.
func ShapesFromSeed(seed uint64) Shapes {
	if seed == 0 {
		return Shapes{}
	}
	r := rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc909))
	return Shapes{
		Layout:               Layout(r.IntN(3)),
		FoldersAfterFiles:    r.IntN(2) == 1,
		ImplicitFolders:      r.IntN(2) == 1,
		CaseInsensitiveOrder: r.IntN(2) == 1,
		OmitEmptyLists:       r.IntN(2) == 1,
		EmptyModified:        r.IntN(2) == 1,
		VirtualMountPoints:   r.IntN(2) == 1,
		UpperCaseMD5:         r.IntN(2) == 1,
	}
}

// ShapeVariant is a named combination of shapes.
type ShapeVariant struct {
	Name   string
	Shapes Shapes
}

// ShapeVariants is a small set of combinations that together produce
// every shape at least once, each with a layout, for tests that run
// against "every shape" without running every combination.
func ShapeVariants() []ShapeVariant {
	return []ShapeVariant{
		{"plain", Shapes{}},
		{"compact, folders after files, upper-case md5", Shapes{Layout: LayoutCompact, FoldersAfterFiles: true, UpperCaseMD5: true, OmitEmptyLists: true}},
		{"indented, implicit folders, Java order", Shapes{Layout: LayoutIndented, ImplicitFolders: true, CaseInsensitiveOrder: true,
			EmptyModified: true, VirtualMountPoints: true}},
		{"everything, compact", Shapes{Layout: LayoutCompact, FoldersAfterFiles: true, ImplicitFolders: true, CaseInsensitiveOrder: true,
			OmitEmptyLists: true, EmptyModified: true, VirtualMountPoints: true, UpperCaseMD5: true}},
	}
}

// String names the shapes that are on, "plain" if none.
func (sh Shapes) String() string {
	var on []string
	switch sh.Layout {
	case LayoutCompact:
		on = append(on, "compact")
	case LayoutIndented:
		on = append(on, "indented")
	}
	for _, f := range []struct {
		on   bool
		name string
	}{
		{sh.FoldersAfterFiles, "folders after files"},
		{sh.ImplicitFolders, "implicit folders"},
		{sh.CaseInsensitiveOrder, "case-insensitive order"},
		{sh.OmitEmptyLists, "no empty lists"},
		{sh.EmptyModified, "empty modified"},
		{sh.VirtualMountPoints, "virtual mount points"},
		{sh.UpperCaseMD5, "upper-case md5"},
	} {
		if f.on {
			on = append(on, f.name)
		}
	}
	if len(on) == 0 {
		return "plain"
	}
	return strings.Join(on, ", ")
}

// virtualMountPoints are the built-in device's views listed with the
// VirtualMountPoints shape.
var virtualMountPoints = []string{"Latest", "Links"}

// ordered returns n's children in the order the shapes ask for.
func (sh Shapes) ordered(n *node) []*node {
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	sh.sortNodes(out)
	return out
}

func (sh Shapes) sortNodes(l []*node) {
	sort.Slice(l, func(i, j int) bool { return sh.less(l[i].Name, l[j].Name) })
}

// less orders names byte-wise, or like String.CASE_INSENSITIVE_ORDER:
// character by character after upper- then lower-casing, shorter first;
// names equal that way fall back to byte order.
func (sh Shapes) less(a, b string) bool {
	if !sh.CaseInsensitiveOrder {
		return a < b
	}
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		ca := unicode.ToLower(unicode.ToUpper(ra[i]))
		cb := unicode.ToLower(unicode.ToUpper(rb[i]))
		if ca != cb {
			return ca < cb
		}
	}
	if len(ra) != len(rb) {
		return len(ra) < len(rb)
	}
	return a < b
}

// md5 writes an md5 value in the shape's case.
func (sh Shapes) md5(v string) string {
	if sh.UpperCaseMD5 {
		return strings.ToUpper(v)
	}
	return v
}

// mountModified is a mount point's <modified>: empty while it holds
// nothing, with EmptyModified.
func (sh Shapes) mountModified(mp *node) string {
	if sh.EmptyModified && len(mp.children) == 0 {
		return ""
	}
	return fmtJotta(mp.Modified)
}

// streamWriter writes a liststream document in the server's shapes.
type streamWriter struct {
	s  *Server
	b  *bytes.Buffer
	x  *xw
	nl bool // a line break after each entry (LayoutLines)
}

func (s *Server) newStreamWriter() *streamWriter {
	b := &bytes.Buffer{}
	layout := s.shapes.Layout
	// LayoutLines writes each entry compactly on a line of its own.
	sw := &streamWriter{s: s, b: b, x: &xw{b: b, compact: layout != LayoutIndented}, nl: layout == LayoutLines}
	b.WriteString(strings.TrimSuffix(xmlHeader, "\n"))
	sw.lineEnd()
	b.WriteString("<liststream>")
	sw.lineEnd()
	sw.x.depth = 1
	return sw
}

func (sw *streamWriter) lineEnd() {
	if sw.s.shapes.Layout != LayoutCompact {
		sw.b.WriteByte('\n')
	}
}

func (sw *streamWriter) entryEnd() {
	if sw.nl {
		sw.b.WriteByte('\n')
	}
}

// dir writes the folder d and its live files.
func (sw *streamWriter) dir(d *node, files []*node) {
	sh := sw.s.shapes
	mpath := d.pathFromMount()
	announce := !sh.ImplicitFolders || len(files) == 0
	if announce && !sh.FoldersAfterFiles {
		sw.folder(mpath)
	}
	for _, c := range files {
		cur := c.current()
		x := sw.x
		x.open("file")
		x.pleaf("path", mpath)
		x.pleaf("filename", c.Name)
		x.leaf("md5", sh.md5(cur.MD5))
		x.leaf("size", i64(cur.Size))
		x.leaf("modified", fmtStream(cur.Modified))
		x.leaf("created", fmtStream(cur.Created))
		x.close("file")
		sw.entryEnd()
	}
	if announce && sh.FoldersAfterFiles {
		sw.folder(mpath)
	}
}

func (sw *streamWriter) folder(mpath string) {
	sw.x.open("folder")
	sw.x.pleaf("path", mpath)
	sw.x.close("folder")
	sw.entryEnd()
}

// end writes the stats and closes the document.
func (sw *streamWriter) end(folders, files int) {
	x := sw.x
	x.open("stats")
	x.leaf("folders", itoa(folders))
	x.leaf("files", itoa(files))
	x.close("stats")
	sw.entryEnd()
	sw.b.WriteString("</liststream>")
	sw.lineEnd()
}
