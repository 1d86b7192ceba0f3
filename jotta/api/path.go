package api

import (
	"strings"

	"jottacloudclient/internal/names"
)

// MaxNameBytes is the longest name the server stores in one path segment.
const MaxNameBytes = names.MaxBytes

// Reasons a name is refused before any request is made; the rules live in
// package names.
var (
	ErrNameEmpty       = names.ErrEmpty
	ErrNameDot         = names.ErrDot
	ErrNameTooLong     = names.ErrTooLong
	ErrNameInvalidUTF8 = names.ErrInvalidUTF8
	ErrNameSlash       = names.ErrSlash
	ErrNameControl     = names.ErrControl
	ErrNamePercent     = names.ErrPercent
)

// CheckName reports why the server would refuse name as a path segment,
// or could not serve it back, or nil.
func CheckName(name string) error { return names.Check(name) }

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
