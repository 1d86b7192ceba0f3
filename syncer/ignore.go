package syncer

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// IgnoreFileName is the per-directory exclude file, in gitignore syntax.
const IgnoreFileName = ".jottaignore"

// RestoreTempDirName is the hidden folder a restore keeps its partial
// downloads in, below the folder it restores into. It is never backed up
// (and a remote copy of it is never pruned).
const RestoreTempDirName = ".jotta-restore"

// parsePatterns turns gitignore lines into patterns scoped to domain (the
// directory components they apply below). Blank lines and comments are
// skipped.
func parsePatterns(lines []string, domain []string) []gitignore.Pattern {
	var ps []gitignore.Pattern
	for _, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(l, domain))
	}
	return ps
}

func splitLines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// excluded applies patterns in increasing priority (later wins), as git does.
func excluded(ps []gitignore.Pattern, path []string, isDir bool) bool {
	for i := len(ps) - 1; i >= 0; i-- {
		if m := ps[i].Match(path, isDir); m != gitignore.NoMatch {
			return m == gitignore.Exclude
		}
	}
	return false
}
