package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
// fn for every folder and file element, in document order. Memory stays
// flat in the size of the tree. The *ListEntry passed to fn is reused: copy
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
	stats  ListStats
	gotSt  bool
	counts ListStats
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
	if f.kind == kindFolder {
		f.counts.Folders++
	} else {
		f.counts.Files++
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
	}
	f.kind = kindNone
	return fn(e)
}

// end checks the stats once the document is complete.
func (f *lsFields) end() (ListStats, error) {
	if !f.gotSt {
		return f.counts, ErrListStreamTruncated
	}
	if f.stats != f.counts {
		return f.counts, fmt.Errorf("%w: stats say %d folders and %d files, received %d and %d",
			ErrListStreamMismatch, f.stats.Folders, f.stats.Files, f.counts.Folders, f.counts.Files)
	}
	return f.counts, nil
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

// lsScanner is a small streaming XML tokenizer that understands just enough
// XML for liststream: elements, character data with the predefined and
// numeric entities, CDATA, comments, processing instructions and
// directives. Attributes are skipped.
type lsScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	rerr     error

	stack []byte // element names, concatenated
	ends  []int  // end offset of each name in stack
	text  []byte // decoded text of the current field
	raw   []byte // pending undecoded character data
	name  []byte
	f     lsFields
	field int // field being collected, fieldNone if none
}

func (s *lsScanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	for {
		n, err := s.r.Read(s.buf)
		s.pos, s.end = 0, n
		if err != nil {
			s.rerr = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
}

func (s *lsScanner) readErr() error {
	if s.rerr == io.EOF {
		return fmt.Errorf("liststream: unexpected end of document: %w", ErrListStreamTruncated)
	}
	return fmt.Errorf("liststream: %w", s.rerr)
}

func (s *lsScanner) getc() (byte, bool) {
	if s.pos == s.end && !s.fill() {
		return 0, false
	}
	c := s.buf[s.pos]
	s.pos++
	return c, true
}

func (s *lsScanner) depth() int { return len(s.ends) }

func (s *lsScanner) collecting() bool { return s.field != fieldNone }

func (s *lsScanner) run(fn func(*ListEntry) error) (ListStats, error) {
	sawRoot := false
	for {
		// Character data up to the next '<'.
		collect := s.collecting()
		for {
			if s.pos == s.end && !s.fill() {
				if s.rerr != io.EOF {
					return s.f.counts, s.readErr()
				}
				if s.depth() > 0 || !sawRoot {
					return s.f.counts, fmt.Errorf("liststream: unexpected end of document: %w", ErrListStreamTruncated)
				}
				return s.f.end()
			}
			i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
			if i < 0 {
				if collect {
					s.raw = append(s.raw, s.buf[s.pos:s.end]...)
					if len(s.raw) > maxFieldBytes {
						return s.f.counts, errors.New("liststream: value too long")
					}
				}
				s.pos = s.end
				continue
			}
			if collect {
				s.raw = append(s.raw, s.buf[s.pos:s.pos+i]...)
			}
			s.pos += i + 1
			break
		}
		if len(s.raw) > 0 {
			var err error
			if s.text, err = appendCharData(s.text, s.raw); err != nil {
				return s.f.counts, err
			}
			s.raw = s.raw[:0]
			if len(s.text) > maxFieldBytes {
				return s.f.counts, errors.New("liststream: value too long")
			}
		}
		c, ok := s.getc()
		if !ok {
			return s.f.counts, s.readErr()
		}
		var err error
		switch c {
		case '/':
			err = s.endTag(fn)
		case '?':
			err = s.skipUntil("?>")
		case '!':
			err = s.bang()
		default:
			sawRoot = true
			err = s.startTag(c, fn)
		}
		if err != nil {
			return s.f.counts, err
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// startTag reads "<name attrs…>" or "<name …/>"; first is the byte after '<'.
func (s *lsScanner) startTag(first byte, fn func(*ListEntry) error) error {
	s.name = append(s.name[:0], first)
	c := first
	var ok bool
	for {
		if c, ok = s.getc(); !ok {
			return s.readErr()
		}
		if isSpace(c) || c == '/' || c == '>' {
			break
		}
		s.name = append(s.name, c)
	}
	// Skip attributes, honouring quotes.
	var quote byte
	prev := byte(0)
	for c != '>' || quote != 0 {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		}
		prev = c
		if c, ok = s.getc(); !ok {
			return s.readErr()
		}
	}
	selfClosing := prev == '/' && quote == 0
	if s.depth() >= maxDepth {
		return errors.New("liststream: elements nested too deeply")
	}
	s.stack = append(s.stack, s.name...)
	s.ends = append(s.ends, len(s.stack))
	switch d := s.depth(); {
	case d == 2:
		s.f.begin(elementKind(s.name))
	case d == 3 && s.f.kind != kindNone:
		s.field = fieldOf(s.f.kind, s.name)
		s.text = s.text[:0]
	}
	if selfClosing {
		return s.closeElement(fn)
	}
	return nil
}

func (s *lsScanner) endTag(fn func(*ListEntry) error) error {
	s.name = s.name[:0]
	for {
		c, ok := s.getc()
		if !ok {
			return s.readErr()
		}
		if c == '>' {
			break
		}
		s.name = append(s.name, c)
	}
	name := bytes.TrimRight(s.name, " \t\r\n")
	if s.depth() == 0 {
		return fmt.Errorf("liststream: unexpected end element </%s>", name)
	}
	start := 0
	if n := len(s.ends); n > 1 {
		start = s.ends[n-2]
	}
	if !bytes.Equal(s.stack[start:], name) {
		return fmt.Errorf("liststream: element <%s> closed by </%s>", s.stack[start:], name)
	}
	return s.closeElement(fn)
}

// closeElement pops the innermost element and completes fields and entries.
func (s *lsScanner) closeElement(fn func(*ListEntry) error) error {
	d := s.depth()
	switch {
	case d == 3 && s.field != fieldNone:
		s.f.set(s.field, s.text)
		s.field = fieldNone
	case d == 2:
		if err := s.f.finish(fn); err != nil {
			return err
		}
	}
	s.ends = s.ends[:d-1]
	if d > 1 {
		s.stack = s.stack[:s.ends[d-2]]
	} else {
		s.stack = s.stack[:0]
	}
	return nil
}

// bang handles "<!": comments, CDATA sections and directives.
func (s *lsScanner) bang() error {
	c, ok := s.getc()
	if !ok {
		return s.readErr()
	}
	switch c {
	case '-':
		if c, ok = s.getc(); !ok {
			return s.readErr()
		}
		if c != '-' {
			return errors.New("liststream: malformed comment")
		}
		return s.skipUntil("-->")
	case '[':
		for _, want := range []byte("CDATA[") {
			if c, ok = s.getc(); !ok {
				return s.readErr()
			}
			if c != want {
				return errors.New("liststream: malformed CDATA section")
			}
		}
		return s.cdata()
	}
	// A directive such as <!DOCTYPE …>, possibly with an internal subset.
	depth := 1
	var quote byte
	for {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<':
			depth++
		case c == '>':
			depth--
			if depth == 0 {
				return nil
			}
		}
		if c, ok = s.getc(); !ok {
			return s.readErr()
		}
	}
}

// cdata reads a CDATA section's content, normalising line ends like
// encoding/xml does.
func (s *lsScanner) cdata() error {
	collect := s.collecting()
	var b0, b1 byte
	for {
		c, ok := s.getc()
		if !ok {
			return s.readErr()
		}
		if b0 == ']' && b1 == ']' && c == '>' {
			if collect {
				s.text = s.text[:len(s.text)-2]
			}
			return nil
		}
		if collect {
			switch {
			case c == '\r':
				s.text = append(s.text, '\n')
			case b1 == '\r' && c == '\n':
			default:
				s.text = append(s.text, c)
			}
			if len(s.text) > maxFieldBytes {
				return errors.New("liststream: value too long")
			}
		}
		b0, b1 = b1, c
	}
}

func (s *lsScanner) skipUntil(seq string) error {
	var last [4]byte // the most recent bytes, newest at the end
	n := len(seq)
	for {
		c, ok := s.getc()
		if !ok {
			return s.readErr()
		}
		copy(last[:], last[1:])
		last[3] = c
		if string(last[4-n:]) == seq {
			return nil
		}
	}
}

// appendCharData decodes one run of character data: the predefined and
// numeric entities, and "\r\n" or "\r" to "\n", as encoding/xml does.
func appendCharData(dst, raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return append(dst, raw...), nil
	}
	var b1 byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '&' {
			semi := bytes.IndexByte(raw[i+1:], ';')
			if semi < 0 {
				return dst, errors.New("liststream: unterminated character entity")
			}
			ent := raw[i+1 : i+1+semi]
			r, ok := decodeEntity(ent)
			if !ok {
				return dst, fmt.Errorf("liststream: invalid character entity &%s;", ent)
			}
			dst = utf8.AppendRune(dst, r)
			i += 1 + semi
			b1 = 0
			continue
		}
		switch {
		case c == '\r':
			dst = append(dst, '\n')
		case b1 == '\r' && c == '\n':
		default:
			dst = append(dst, c)
		}
		b1 = c
	}
	return dst, nil
}

func decodeEntity(ent []byte) (rune, bool) {
	switch string(ent) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	base, num := 10, ent[1:]
	if num[0] == 'x' {
		base, num = 16, num[1:]
	}
	n, err := strconv.ParseUint(string(num), base, 64)
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}
