package api

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"time"
)

// ListEntry is one element of a mode=liststream document. For a folder,
// Path is the folder's own path relative to the device
// ("/<mountpoint>/a/b"); for a file, Path is its parent folder's path and
// Name its file name. Times are the client-supplied ones.
type ListEntry struct {
	Folder   bool
	Path     string
	Name     string
	MD5      string
	Size     int64
	Modified time.Time
	Created  time.Time
}

// ListStats counts the folder and file elements of a liststream document.
type ListStats struct {
	Folders int64
	Files   int64
}

// Liststream failures. A caller that sees either must treat everything the
// callback received as an incomplete view of the tree.
var (
	// ErrListStreamMismatch: the trailing <stats> disagree with the
	// elements actually received.
	ErrListStreamMismatch = errors.New("liststream counts do not match the entries received")
	// ErrListStreamTruncated: the document ended before its <stats>.
	ErrListStreamTruncated = errors.New("liststream ended before its stats")
)

// maxFieldBytes bounds one text value, so a hostile stream cannot make the
// decoder's memory grow.
const maxFieldBytes = 1 << 20

// maxDepth bounds element nesting for the same reason.
const maxDepth = 256

// DecodeListStream reads a mode=liststream document incrementally and calls
// fn for every folder and file element, in document order, wherever they
// sit below the root element. A file whose folder has not been seen yet
// is preceded by a folder entry for it, so every folder holding files is
// reported even when the server sends no <folder> for it, and once only
// when its <folder> comes after its files. Memory
// grows with the number of folders (a hash each), not with the files.
// The *ListEntry passed to fn is reused: copy
// it to keep it. After the last entry the trailing <stats> are checked
// against the counts received; a mismatch or a missing <stats> is an error
// (ErrListStreamMismatch, ErrListStreamTruncated), and so is an error
// returned by fn, which stops the decoding.
func DecodeListStream(r io.Reader, fn func(*ListEntry) error) (ListStats, error) {
	s := &lsScanner{r: r, buf: make([]byte, 64<<10)}
	return s.run(fn)
}

// Fields of the liststream elements that are recognised.
const (
	fieldNone = iota
	fieldPath
	fieldFilename
	fieldMD5
	fieldSize
	fieldModified
	fieldCreated
	fieldStatFolders
	fieldStatFiles
	numFields
)

const (
	kindNone = iota
	kindFolder
	kindFile
	kindStats
)

// lsFields accumulates the raw text of one element's recognised children;
// both the scanner and the reference decoder in the tests fill it, and
// build turns it into a ListEntry.
type lsFields struct {
	kind   int
	val    [numFields][]byte
	seen   [numFields]bool
	path   string // interned last path
	entry  ListEntry
	parent ListEntry // an implicit parent folder, reported before its file
	stats  ListStats
	gotSt  bool
	// elements counts the <folder> and <file> elements received; distinct
	// counts folder paths once each, whether they came as a <folder> or
	// only as the parent of a file (the rule rclone applies).
	elements ListStats
	distinct int64
	folders  folderSet
}

// folderSet remembers the folder paths seen, as 64-bit hashes so memory
// stays small for trees with many folders, and whether each came as a
// <folder> element or only as a file's parent. Two paths sharing a hash
// (odds about n²/2⁶⁵) would make one folder look seen: the distinct count
// then falls short and a server counting that way gets a mismatch; at
// worst one implied folder goes unreported while its files still are.
type folderSet struct {
	seed maphash.Seed
	set  map[uint64]bool // true: a <folder> element was seen
	last string          // the file parent looked up last, to skip runs of files in one folder
	init bool
}

// note records the folder p, from a <folder> element if explicit, and
// reports whether it is new, and whether it had been seen only as a
// file's parent until now.
func (s *folderSet) note(p string, explicit bool) (isNew, wasImplied bool) {
	if s.set == nil {
		s.seed = maphash.MakeSeed()
		s.set = map[uint64]bool{}
	}
	if !explicit {
		if s.init && p == s.last {
			return false, false
		}
		s.last, s.init = p, true
	}
	h := maphash.String(s.seed, p)
	ex, ok := s.set[h]
	switch {
	case !ok:
		s.set[h] = explicit
		return true, false
	case explicit && !ex:
		s.set[h] = true
		return false, true
	}
	return false, false
}

func elementKind(name []byte) int {
	switch string(name) {
	case "folder":
		return kindFolder
	case "file":
		return kindFile
	case "stats":
		return kindStats
	}
	return kindNone
}

func fieldOf(kind int, name []byte) int {
	switch kind {
	case kindFolder:
		if string(name) == "path" {
			return fieldPath
		}
	case kindFile:
		switch string(name) {
		case "path":
			return fieldPath
		case "filename":
			return fieldFilename
		case "md5":
			return fieldMD5
		case "size":
			return fieldSize
		case "modified":
			return fieldModified
		case "created":
			return fieldCreated
		}
	case kindStats:
		switch string(name) {
		case "folders":
			return fieldStatFolders
		case "files":
			return fieldStatFiles
		}
	}
	return fieldNone
}

func (f *lsFields) begin(kind int) {
	f.kind = kind
	for i := range f.val {
		f.val[i] = f.val[i][:0]
		f.seen[i] = false
	}
}

// set stores the text of a completed child field (the last one wins).
func (f *lsFields) set(field int, text []byte) {
	f.val[field] = append(f.val[field][:0], text...)
	f.seen[field] = true
}

// finish completes the element begun last and reports it to fn.
func (f *lsFields) finish(fn func(*ListEntry) error) error {
	switch f.kind {
	case kindStats:
		var err error
		if f.stats.Folders, err = parseCount(f.val[fieldStatFolders]); err != nil {
			return fmt.Errorf("liststream stats folders: %w", err)
		}
		if f.stats.Files, err = parseCount(f.val[fieldStatFiles]); err != nil {
			return fmt.Errorf("liststream stats files: %w", err)
		}
		f.gotSt = true
		f.kind = kindNone
		return nil
	case kindFolder, kindFile:
	default:
		return nil
	}
	e := &f.entry
	*e = ListEntry{Folder: f.kind == kindFolder}
	p := f.val[fieldPath]
	if string(p) != f.path {
		f.path = string(p)
	}
	e.Path = f.path
	isNew, wasImplied := f.folders.note(f.path, e.Folder)
	if isNew {
		f.distinct++
	}
	f.kind = kindNone
	if e.Folder {
		f.elements.Folders++
		if wasImplied {
			return nil // reported already, before its first file
		}
		return fn(e)
	}
	f.elements.Files++
	e.Name = string(f.val[fieldFilename])
	e.MD5 = normalizeMD5(f.val[fieldMD5])
	var err error
	if e.Size, err = parseCount(f.val[fieldSize]); err != nil {
		return fmt.Errorf("liststream file %q size: %w", e.Name, err)
	}
	if e.Modified, err = parseTimeBytes(f.val[fieldModified]); err != nil {
		return fmt.Errorf("liststream file %q modified: %w", e.Name, err)
	}
	if e.Created, err = parseTimeBytes(f.val[fieldCreated]); err != nil {
		return fmt.Errorf("liststream file %q created: %w", e.Name, err)
	}
	if isNew {
		// A folder known only through its files is reported before them.
		f.parent = ListEntry{Folder: true, Path: f.path}
		if err := fn(&f.parent); err != nil {
			return err
		}
	}
	return fn(e)
}

// counts is what was received: the <folder> and <file> elements.
func (f *lsFields) counts() ListStats { return f.elements }

// end checks the stats once the document is complete. The folder count
// may count the <folder> elements, or every distinct folder including the
// parents of files that came without one (the rule rclone applies). Any
// other count, or a file count that differs, is a mismatch. On success
// the stats are returned as the server counted them.
func (f *lsFields) end() (ListStats, error) {
	if !f.gotSt {
		return f.counts(), ErrListStreamTruncated
	}
	folders := f.stats.Folders == f.elements.Folders || f.stats.Folders == f.distinct
	if !folders || f.stats.Files != f.elements.Files {
		return f.counts(), fmt.Errorf("%w: stats say %d folders and %d files, received %d folder elements (%d distinct folders) and %d files",
			ErrListStreamMismatch, f.stats.Folders, f.stats.Files, f.elements.Folders, f.distinct, f.elements.Files)
	}
	return f.stats, nil
}

func parseCount(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, nil
	}
	var n int64
	if len(b) <= 18 {
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("not a count: %q", b)
			}
			n = n*10 + int64(c-'0')
		}
		return n, nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a count: %q", b)
	}
	return n, nil
}

func normalizeMD5(b []byte) string {
	b = bytes.TrimSpace(b)
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			return strings.ToLower(string(b))
		}
	}
	return string(b)
}

// parseTimeBytes parses RFC 3339 with optional fraction and "Z" without
// allocating, and falls back to ParseTime for anything else.
func parseTimeBytes(b []byte) (time.Time, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return time.Time{}, nil
	}
	if t, ok := fastRFC3339(b); ok {
		return t, nil
	}
	return ParseTime(string(b))
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func fastRFC3339(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	nsec := 0
	rest := b[19 : len(b)-1]
	if len(rest) > 0 {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 {
			return time.Time{}, false
		}
		frac, ok := digits(rest[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(rest) - 1; i < 9; i++ {
			frac *= 10
		}
		nsec = frac
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
