package syncer

import "context"

// SelectedFile is a local file the engine backs up.
type SelectedFile struct {
	Rel    string // local relative path, byte-exact, '/'-separated
	Remote string // its path below the pair's remote folder (NFC)
	Abs    string // absolute local path
	Size   int64
}

// Select walks the pair's local folder with exactly the rules of a pass
// (global and pair excludes, .jottaignore files, hidden files, symbolic
// links, special files, names the server refuses, name collisions) and
// returns the files a pass would back up and the items it would report as
// problems. It reads no file content and needs no index.
func Select(ctx context.Context, p Pair, globalExcludes []string) ([]SelectedFile, []Problem, error) {
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	var out []SelectedFile
	w, err := walk(ctx, p, globalExcludes, func(f localFile) error {
		out = append(out, SelectedFile{Rel: f.rel, Remote: f.remote, Abs: f.path(p.Local), Size: f.size})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, w.problems, nil
}
