package restore

import (
	"errors"
	"runtime"
	"strings"
	"unicode/utf8"
)

// maxNameBytes is the longest file name most local file systems hold.
const maxNameBytes = 255

// windowsLookalikes maps the characters Windows forbids in names to the
// full-width look-alikes other clients (rclone, OneDrive) use, so a name
// stays readable and the mapping is listed for the user.
var windowsLookalikes = map[rune]rune{
	'<': '＜', '>': '＞', ':': '：', '"': '＂', '\\': '＼', '|': '｜', '?': '？', '*': '＊',
}

// LocalName is the name a remote file or folder gets on this computer: the
// same name wherever the file system can hold it; on Windows, characters it
// forbids become look-alikes (and the change is listed). An error says why
// a name cannot be restored here.
func LocalName(remote string) (string, error) { return localName(remote, runtime.GOOS) }

func localName(remote, goos string) (string, error) {
	switch {
	case remote == "" || remote == "." || remote == "..":
		return "", errors.New("the name is empty or reserved")
	case strings.ContainsAny(remote, "/\x00"):
		return "", errors.New("the name contains a slash or a NUL character, which no local file system allows")
	case !utf8.ValidString(remote):
		return "", errors.New("the name is not valid text")
	}
	name := remote
	if goos == "windows" {
		name = windowsName(remote)
	}
	if len(name) > maxNameBytes {
		return "", errors.New("the name is longer than the 255 bytes a local file name can hold")
	}
	return name, nil
}

// windowsName maps forbidden characters and control characters to
// look-alikes, and a trailing dot or space (which Windows drops) to its
// full-width form.
func windowsName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case windowsLookalikes[r] != 0:
			b.WriteRune(windowsLookalikes[r])
		case r < 0x20:
			b.WriteRune(0x2400 + r) // control pictures: ␀ ␁ …
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if n := len(out); n > 0 && (out[n-1] == '.' || out[n-1] == ' ') {
		if out[n-1] == '.' {
			out = out[:n-1] + "．"
		} else {
			out = out[:n-1] + "　"
		}
	}
	return out
}
