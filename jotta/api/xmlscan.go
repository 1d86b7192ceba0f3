package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

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
	// entryDepth is the depth of the <folder>, <file> or <stats> element
	// being read, 0 outside one. Such elements count at any depth below
	// the root, so wrappers around them do not matter; inside one, only
	// its direct children are fields, and nothing nested starts another.
	entryDepth int
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

// readErr reports a document that ended early; a read error (a dropped
// connection) is a truncation too.
func (s *lsScanner) readErr() error {
	if s.rerr == io.EOF {
		return fmt.Errorf("liststream: unexpected end of document: %w", ErrListStreamTruncated)
	}
	return fmt.Errorf("liststream: %w: %w", ErrListStreamTruncated, s.rerr)
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
					return s.f.counts(), s.readErr()
				}
				if s.depth() > 0 || !sawRoot {
					return s.f.counts(), fmt.Errorf("liststream: unexpected end of document: %w", ErrListStreamTruncated)
				}
				return s.f.end()
			}
			i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
			if i < 0 {
				if collect {
					s.raw = append(s.raw, s.buf[s.pos:s.end]...)
					if len(s.raw) > maxFieldBytes {
						return s.f.counts(), errors.New("liststream: value too long")
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
				return s.f.counts(), err
			}
			s.raw = s.raw[:0]
			if len(s.text) > maxFieldBytes {
				return s.f.counts(), errors.New("liststream: value too long")
			}
		}
		c, ok := s.getc()
		if !ok {
			return s.f.counts(), s.readErr()
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
			return s.f.counts(), err
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// startTag reads "<name attrs…>" or "<name …/>"; first is the byte after '<'.
func (s *lsScanner) startTag(first byte, fn func(*ListEntry) error) error {
	s.name = append(s.name[:0], first)
	// Fast path: the whole tag is in the buffer and has no quoted values.
	rest := s.buf[s.pos:s.end]
	if i := bytes.IndexByte(rest, '>'); i >= 0 {
		tag := rest[:i]
		if bytes.IndexByte(tag, '"') < 0 && bytes.IndexByte(tag, '\'') < 0 {
			j := 0
			for j < len(tag) && !isSpace(tag[j]) && tag[j] != '/' {
				j++
			}
			s.name = append(s.name, tag[:j]...)
			s.pos += i + 1
			return s.pushElement(i > 0 && tag[i-1] == '/', fn)
		}
	}
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
	return s.pushElement(prev == '/' && quote == 0, fn)
}

// pushElement opens the element named s.name.
func (s *lsScanner) pushElement(selfClosing bool, fn func(*ListEntry) error) error {
	if s.depth() >= maxDepth {
		return errors.New("liststream: elements nested too deeply")
	}
	s.stack = append(s.stack, s.name...)
	s.ends = append(s.ends, len(s.stack))
	switch d := s.depth(); {
	case s.entryDepth == 0 && d >= 2:
		if k := elementKind(s.name); k != kindNone {
			s.f.begin(k)
			s.entryDepth = d
		}
	case d == s.entryDepth+1:
		s.field = fieldOf(s.f.kind, s.name)
		s.text = s.text[:0]
	}
	if selfClosing {
		return s.closeElement(fn)
	}
	return nil
}

func (s *lsScanner) endTag(fn func(*ListEntry) error) error {
	var name []byte
	if i := bytes.IndexByte(s.buf[s.pos:s.end], '>'); i >= 0 {
		name = s.buf[s.pos : s.pos+i]
		s.pos += i + 1
	} else {
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
		name = s.name
	}
	for len(name) > 0 && isSpace(name[len(name)-1]) {
		name = name[:len(name)-1]
	}
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
	case s.entryDepth == 0:
	case d == s.entryDepth+1 && s.field != fieldNone:
		s.f.set(s.field, s.text)
		s.field = fieldNone
	case d == s.entryDepth:
		s.entryDepth = 0
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
	// Like encoding/xml, the first byte after "<!" (already read) is taken
	// as it is: it neither opens a quote nor ends the directive.
	depth := 1
	var quote byte
	for {
		if c, ok = s.getc(); !ok {
			return s.readErr()
		}
	handle:
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			depth--
			if depth == 0 {
				return nil
			}
		case c == '<':
			// "<!--" starts a comment, whose content does not count;
			// anything else nests.
			for _, want := range []byte("!--") {
				if c, ok = s.getc(); !ok {
					return s.readErr()
				}
				if c != want {
					depth++
					goto handle
				}
			}
			if err := s.skipUntil("-->"); err != nil {
				return err
			}
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
