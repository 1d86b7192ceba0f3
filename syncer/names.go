package syncer

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// remoteName is the name a local name gets on the server: NFC-normalised.
// Local names stay byte-exact; only the remote side is normalised.
func remoteName(local string) string {
	if isASCII(local) {
		return local
	}
	return norm.NFC.String(local)
}

// foldKey is how the server compares names: case-insensitively. It is applied
// to NFC paths, so NFC/NFD twins and case-only twins share a key.
func foldKey(p string) string {
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

// FoldPath is the key under which the server would find path: NFC and
// lower case. MemRemote and adapters may use it to compare names the way the
// server does.
func FoldPath(p string) string { return foldKey(p) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NameProblem says why the server would reject a single path segment, or
// returns "" when the name is acceptable.
func NameProblem(name string) string { return nameProblem(name) }
