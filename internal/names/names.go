package names

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxBytes is the longest name the service stores in one path segment.
// The service counts characters; counting bytes is stricter and matches
// the local file systems' limit, so a name that fits comes back too.
const MaxBytes = 255

// Reasons the service would refuse a remote name or could not serve it
// back. Encode never produces a name with the last three.
var (
	ErrEmpty       = errors.New("empty name")
	ErrDot         = errors.New(`"." and ".." cannot be stored`)
	ErrTooLong     = errors.New("name longer than 255 bytes")
	ErrInvalidUTF8 = errors.New("name is not valid UTF-8")
	ErrSlash       = errors.New(`name contains "/"`)
	ErrControl     = errors.New("name contains a NUL or control character that XML cannot carry")
	ErrPercent     = errors.New("name contains a %XX sequence, which JottaCloud decodes a second time and then refuses")
)

// ErrForm means a local name holds a character that NFC replaces by
// another one (such as U+212B ANGSTROM SIGN), so it could not come back
// under the same bytes.
var ErrForm = errors.New("name holds a character that JottaCloud stores in another Unicode form")

// Check reports why the service would refuse name as one segment of a
// remote path, or could not serve it back (read, move, trash, download),
// or returns nil.
func Check(name string) error {
	switch {
	case name == "":
		return ErrEmpty
	case name == "." || name == "..":
		return ErrDot
	case len(name) > MaxBytes:
		return ErrTooLong
	case !utf8.ValidString(name):
		return ErrInvalidUTF8
	case strings.ContainsRune(name, '/'):
		return ErrSlash
	}
	for _, r := range name {
		// XML 1.0 cannot represent these characters at all.
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return ErrControl
		}
	}
	if hasPercentEscape(name) {
		return ErrPercent
	}
	return nil
}

// hasPercentEscape reports whether name holds "%" and two hex digits.
func hasPercentEscape(name string) bool {
	for i := 0; i+2 < len(name); i++ {
		if name[i] == '%' && isHex(name[i+1]) && isHex(name[i+2]) {
			return true
		}
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Fold is the key under which the service finds a remote path (a name or
// a '/'-separated path): NFC and lower case. Two paths with the same key
// cannot both exist remotely.
func Fold(p string) string {
	if isASCII(p) {
		for i := 0; i < len(p); i++ {
			if c := p[i]; 'A' <= c && c <= 'Z' {
				return strings.ToLower(p)
			}
		}
		return p
	}
	return strings.ToLower(norm.NFC.String(p))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
