package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"jottacloudclient/syncer"
)

// treeState is a generated tree backed up by one engine.
type treeState struct {
	root     string // the pair's local folder
	stateDir string
	pair     syncer.Pair
	sess     *session
	engine   *syncer.Engine
	files    []genFile
	closed   bool
}

func (t *treeState) close() {
	if !t.closed {
		_ = t.engine.Close()
		t.closed = true
	}
}

// newTree signs in and builds an engine (without watching) for the pair
// id over root.
func (r *runner) newTree(ctx context.Context, id, root string) (*treeState, error) {
	sess, err := r.session(ctx)
	if err != nil {
		return nil, err
	}
	stateDir := filepath.Join(r.dir, "state-"+id)
	eng, err := sess.newEngine(stateDir, true, r.log)
	if err != nil {
		return nil, err
	}
	return &treeState{root: root, stateDir: stateDir, pair: benchPair(id, root), sess: sess, engine: eng}, nil
}

// pass runs one pass and turns its failures into problems.
func (t *treeState) pass(ctx context.Context) (*syncer.PassResult, []string, error) {
	res, err := t.engine.RunPass(ctx, t.pair, syncer.PassOptions{})
	if err != nil {
		return res, nil, err
	}
	return res, passProblems(res), nil
}

// passProblems lists what went wrong in a pass that ran.
func passProblems(res *syncer.PassResult) []string {
	var out []string
	if !res.Complete {
		out = append(out, "the pass did not complete")
	}
	for i, p := range res.Problems {
		if i == 5 {
			out = append(out, fmt.Sprintf("… and %d more file problems", len(res.Problems)-5))
			break
		}
		out = append(out, fmt.Sprintf("%s: %s", p.Path, p.Reason))
	}
	return out
}

// remoteFiles lists the files below root on the server by relative path.
func remoteFiles(ctx context.Context, s *session, root string) (map[string]syncer.Entry, error) {
	out := map[string]syncer.Entry{}
	err := s.remote.List(ctx, root, func(e syncer.Entry) error {
		if !e.Dir {
			out[e.Path] = e
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	return out, nil
}

// verifyFiles checks that every file is on the server below root, at
// prefix+Rel, with its size and md5.
func verifyFiles(remote map[string]syncer.Entry, prefix string, files []genFile) []string {
	var out []string
	bad := 0
	for _, f := range files {
		e, ok := remote[prefix+f.Rel]
		var why string
		switch {
		case !ok:
			why = "missing on the server"
		case e.Size != f.Size:
			why = fmt.Sprintf("server size %d, local %d", e.Size, f.Size)
		case !strings.EqualFold(e.MD5, f.MD5):
			why = fmt.Sprintf("server md5 %s, local %s", e.MD5, f.MD5)
		default:
			continue
		}
		bad++
		if bad <= 5 {
			out = append(out, prefix+f.Rel+": "+why)
		}
	}
	if bad > 5 {
		out = append(out, fmt.Sprintf("… %d files wrong or missing in all", bad))
	}
	return out
}
