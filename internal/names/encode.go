package names

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// quote introduces an escaped character in both encodings: "‛" and a
// character stands for that character, "‛" and two upper-case hex digits
// for a byte that is not UTF-8.
const quote = '\u201B'

// System describes the local file system a name lives on.
type System struct {
	// Windows file systems forbid \ : * ? " < > |, control characters and a
	// trailing space or dot; restore maps them to look-alikes and backup
	// maps those back.
	Windows bool
	// IgnoresForm file systems (macOS) treat the NFC and NFD forms of a
	// name as the same name, so names are stored as plain NFC.
	IgnoresForm bool
}

// Here is the system this program runs on.
var Here = System{Windows: runtime.GOOS == "windows", IgnoresForm: runtime.GOOS == "darwin"}

// ToRemote returns the remote name for one local name (a single path
// segment), or why the service cannot hold it so that it comes back
// unchanged: ErrTooLong, ErrForm, ErrDot, ErrEmpty or ErrSlash.
func (s System) ToRemote(local string) (string, error) {
	switch {
	case local == "":
		return "", ErrEmpty
	case local == "." || local == "..":
		return "", ErrDot
	case strings.ContainsRune(local, '/'):
		return "", ErrSlash
	}
	remote := s.encode(local)
	if err := Check(remote); err != nil {
		return "", err
	}
	if !norm.NFC.IsNormalString(remote) {
		return "", ErrForm
	}
	return remote, nil
}

// encode maps a local name without checking the result.
func (s System) encode(local string) string {
	name := local
	if s.Windows {
		name = windows.decode(name)
	}
	keepForm := !s.IgnoresForm
	if !keepForm && utf8.ValidString(name) {
		name = norm.NFC.String(name)
	}
	return service.encode(name, keepForm && !norm.NFC.IsNormalString(name))
}

// ToLocal returns the local name for one remote name. mapped is true when
// the name had to differ from the one the backup stored because this file
// system forbids some of its characters; such names are listed to the
// user.
func (s System) ToLocal(remote string) (local string, mapped bool) {
	name := service.decode(remote)
	if !s.Windows {
		return name, false
	}
	local = windows.encode(name, false)
	return local, local != name
}

// RemotePath maps a '/'-separated local relative path segment by segment.
func (s System) RemotePath(local string) (string, error) {
	segs := strings.Split(local, "/")
	for i, seg := range segs {
		r, err := s.ToRemote(seg)
		if err != nil {
			return "", &Error{Name: seg, Err: err}
		}
		segs[i] = r
	}
	return strings.Join(segs, "/"), nil
}

// LocalPath maps a '/'-separated remote relative path segment by segment;
// mapped is true when any segment was mapped for this file system.
func (s System) LocalPath(remote string) (local string, mapped bool) {
	segs := strings.Split(remote, "/")
	for i, seg := range segs {
		l, m := s.ToLocal(seg)
		segs[i] = l
		mapped = mapped || m
	}
	return strings.Join(segs, "/"), mapped
}

// ToRemote is Here.ToRemote.
func ToRemote(local string) (string, error) { return Here.ToRemote(local) }

// Error is a name that cannot be stored, with the reason.
type Error struct {
	Name string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%q: %v", e.Name, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// coder is one reversible encoding: characters one side cannot hold are
// replaced by look-alikes, and a literal look-alike or quote is quoted.
type coder struct {
	// look returns the look-alike for r, if r must be replaced; last is
	// true for the final character of the name.
	look func(r rune, last bool) (rune, bool)
	// unlook is the inverse of look.
	unlook func(r rune, last bool) (rune, bool)
	// bytes stores bytes that are not UTF-8 as quote + two hex digits,
	// and characters that NFC would replace as quote + "U" + six.
	bytes bool
}

const hexDigits = "0123456789ABCDEF"

// encode applies the coder to s. With markForm, a quote goes before every
// character that NFC would join to the previous one, so the name keeps
// its Unicode form through a normalising service.
func (c coder) encode(s string, markForm bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		last := i+n == len(s)
		switch _, special := c.unlook(r, last); {
		case r == utf8.RuneError && n == 1 && c.bytes:
			b.WriteRune(quote)
			b.WriteByte(hexDigits[s[i]>>4])
			b.WriteByte(hexDigits[s[i]&15])
		case r == quote && last:
			b.WriteRune(r) // a quote at the end stands for itself
		case r == quote || special:
			b.WriteRune(quote)
			b.WriteRune(r)
		default:
			if l, ok := c.look(r, last); ok {
				b.WriteRune(l)
			} else {
				switch {
				case !markForm:
				case c.bytes && !norm.NFC.IsNormalString(s[i:i+n]):
					// NFC replaces this character by another one
					// (U+212B ANGSTROM SIGN by U+00C5): keep its number.
					fmt.Fprintf(&b, "%cU%06X", quote, r)
					i += n
					continue
				case !norm.NFC.PropertiesString(s[i:]).BoundaryBefore():
					b.WriteRune(quote)
				}
				b.WriteString(s[i : i+n])
			}
		}
		i += n
	}
	return b.String()
}

// decode is the inverse of encode. It accepts any string: a quote at the
// end stands for itself.
func (c coder) decode(s string) string {
	if !strings.ContainsRune(s, quote) && !c.anyLook(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		rest := s[i+n:]
		switch {
		case r == quote && c.bytes && len(rest) >= 2 && upperHex(rest[0]) && upperHex(rest[1]):
			b.WriteByte(unhex(rest[0])<<4 | unhex(rest[1]))
			i += n + 2
			continue
		case r == quote && c.bytes && len(rest) >= 7 && rest[0] == 'U' && allUpperHex(rest[1:7]):
			v, _ := strconv.ParseUint(rest[1:7], 16, 32)
			b.WriteRune(rune(v))
			i += n + 7
			continue
		case r == quote && rest != "":
			_, m := utf8.DecodeRuneInString(rest)
			b.WriteString(rest[:m])
			i += n + m
			continue
		}
		if o, ok := c.unlook(r, i+n == len(s)); ok {
			b.WriteRune(o)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// anyLook reports whether s holds a look-alike the decoder would replace.
func (c coder) anyLook(s string) bool {
	for i, r := range s {
		if _, ok := c.unlook(r, i+utf8.RuneLen(r) == len(s)); ok {
			return true
		}
	}
	return false
}

func allUpperHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !upperHex(s[i]) {
			return false
		}
	}
	return true
}

func upperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}

// Control characters become the Unicode control pictures.
const (
	ctlPicture = '\u2400' // ␀; ␁ … ␟ follow
	delPicture = '\u2421' // ␡
)

func controlLook(r rune) (rune, bool) {
	switch {
	case r < 0x20:
		return ctlPicture + r, true
	case r == 0x7F:
		return delPicture, true
	}
	return 0, false
}

func controlUnlook(r rune) (rune, bool) {
	switch {
	case ctlPicture <= r && r < ctlPicture+0x20:
		return r - ctlPicture, true
	case r == delPicture:
		return 0x7F, true
	}
	return 0, false
}

// service is the encoding between a local name and the name JottaCloud
// stores: "%" (which the service decodes a second time), control
// characters and bytes that are not UTF-8.
var service = coder{
	look: func(r rune, _ bool) (rune, bool) {
		if r == '%' {
			return '\uFF05', true
		}
		return controlLook(r)
	},
	unlook: func(r rune, _ bool) (rune, bool) {
		if r == '\uFF05' {
			return '%', true
		}
		return controlUnlook(r)
	},
	bytes: true,
}

// Look-alikes for a trailing space or dot on Windows.
const (
	spacePicture = '\u2420' // ␠
	fullStop     = '\uFF0E' // ．
)

// windows is the encoding between a name and what a Windows file system
// can hold: the reserved characters become their full-width forms (ASCII
// + 0xFEE0), control characters their pictures, a trailing space or dot
// a look-alike.
var windows = coder{
	look: func(r rune, last bool) (rune, bool) {
		switch {
		case strings.ContainsRune(`\:*?"<>|`, r):
			return r + 0xFEE0, true
		case last && r == ' ':
			return spacePicture, true
		case last && r == '.':
			return fullStop, true
		}
		return controlLook(r)
	},
	unlook: func(r rune, last bool) (rune, bool) {
		switch {
		case r >= 0xFEE0 && strings.ContainsRune(`\:*?"<>|`, r-0xFEE0):
			return r - 0xFEE0, true
		case last && r == spacePicture:
			return ' ', true
		case last && r == fullStop:
			return '.', true
		}
		return controlUnlook(r)
	},
}
