package emulator

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxNameBytes is the longest name segment the server stores.
const maxNameBytes = 255

// percentEscape spots a literal %XX left in a name after decoding; the
// real server decodes twice and rejects such names.
var percentEscape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

// decodeSegment decodes one raw path segment the way the real server
// does: '+' is a space, %XX escapes are decoded, and the result must be a
// valid, storable name.
func decodeSegment(raw string) (string, *jfsError) {
	name, err := url.PathUnescape(strings.ReplaceAll(raw, "+", " "))
	if err != nil {
		return "", errf(http.StatusBadRequest, excIllegalArg, "Unable to validate decoded path")
	}
	if err := checkName(name); err != nil {
		return "", err
	}
	if percentEscape.MatchString(name) {
		return "", &jfsError{status: http.StatusBadRequest, class: "Bad request"}
	}
	return name, nil
}

// checkName validates a decoded name.
func checkName(name string) *jfsError {
	switch {
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		return errf(http.StatusBadRequest, excIllegalArg, "Unable to validate decoded path")
	case len(name) > maxNameBytes:
		return errf(http.StatusBadRequest, excInvalidArg, "JFS file names may not be longer than %d characters", maxNameBytes)
	case name == "" || name == "." || name == ".." || strings.Contains(name, "/"):
		return errf(http.StatusBadRequest, excInvalidArg, "Invalid name %q", name)
	}
	return nil
}

// decodeJFSPath splits the escaped path after "/jfs" into decoded
// segments and reports whether it ended in a slash.
func decodeJFSPath(escaped string) (segs []string, trailingSlash bool, jerr *jfsError) {
	rest, ok := strings.CutPrefix(escaped, "/jfs")
	if !ok || (rest != "" && rest[0] != '/') {
		return nil, false, errf(http.StatusNotFound, excNoSuchPath, "Not a JFS path")
	}
	trailingSlash = strings.HasSuffix(rest, "/") && len(rest) > 1
	for _, raw := range strings.Split(rest, "/") {
		if raw == "" {
			continue
		}
		name, err := decodeSegment(raw)
		if err != nil {
			return nil, false, err
		}
		segs = append(segs, name)
	}
	return segs, trailingSlash, nil
}

// splitAbsPath splits an already decoded absolute path ("/a/b/c") into
// validated names.
func splitAbsPath(p string) ([]string, *jfsError) {
	var segs []string
	for _, name := range strings.Split(p, "/") {
		if name == "" {
			continue
		}
		if err := checkName(name); err != nil {
			return nil, err
		}
		segs = append(segs, name)
	}
	return segs, nil
}
