package api

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// MaxNameBytes is the longest name the server stores in one path segment.
const MaxNameBytes = 255

// Reasons a name is refused before any request is made.
var (
	ErrNameEmpty       = errors.New("empty name")
	ErrNameDot         = errors.New(`"." and ".." cannot be stored`)
	ErrNameTooLong     = errors.New("name longer than 255 bytes")
	ErrNameInvalidUTF8 = errors.New("name is not valid UTF-8")
	ErrNameSlash       = errors.New(`name contains "/"`)
	ErrNameControl     = errors.New("name contains a NUL or control character that XML cannot carry")
)

// CheckName reports why the server would refuse name as a path segment, or
// nil.
func CheckName(name string) error {
	switch {
	case name == "":
		return ErrNameEmpty
	case name == "." || name == "..":
		return ErrNameDot
	case len(name) > MaxNameBytes:
		return ErrNameTooLong
	case !utf8.ValidString(name):
		return ErrNameInvalidUTF8
	case strings.ContainsRune(name, '/'):
		return ErrNameSlash
	}
	for _, r := range name {
		// XML 1.0 cannot represent these characters at all.
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return ErrNameControl
		}
	}
	return nil
}

// EscapeSegment escapes one path segment for a JFS URL. Everything outside
// the unreserved set [A-Za-z0-9-._~] is percent-encoded: the server decodes
// "+" in a path as a space, so it must travel as %2B, and ";" "," "#" "?"
// "%" are unsafe in servlet paths.
func EscapeSegment(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// EscapePath escapes each segment of a slash-separated path and keeps the
// slashes.
func EscapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = EscapeSegment(s)
	}
	return strings.Join(segs, "/")
}

// SplitPath splits a user-relative path "/<device>/<mountpoint>/a/b" into
// its segments, ignoring one leading and one trailing slash. It does not
// check the names; use CheckName on each.
func SplitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
