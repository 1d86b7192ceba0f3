package syncer

import (
	"strings"

	"jottacloudclient/internal/names"
)

// foldKey is how the server compares names: see names.Fold.
func foldKey(p string) string { return names.Fold(p) }

// servedBack reports whether the server can serve every name of a remote
// relative path back (read, move, trash); see names.Check.
func servedBack(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if names.Check(seg) != nil {
			return false
		}
	}
	return true
}
