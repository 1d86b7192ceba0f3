package syncer

import (
	"encoding/json"
	"fmt"
	"slices"

	"jottacloudclient/syncer/index"
)

// metaKept is the index key of the remote paths the user chose to keep
// although their local copies are gone.
const metaKept = "kept-remote"

// KeepRemote records the user's decision to keep these remote items
// (paths relative to the pair's remote folder, as in Plan.Held) although
// they are gone locally: later passes never trash them and stop asking.
// It takes effect from the next pass.
func (e *Engine) KeepRemote(id string, paths []string) error {
	ix, err := e.index(id)
	if err != nil {
		return err
	}
	kept, err := keptPaths(ix)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if !slices.Contains(kept, p) {
			kept = append(kept, p)
		}
	}
	slices.Sort(kept)
	b, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	if err := ix.SetMeta(metaKept, b); err != nil {
		return fmt.Errorf("remember the items to keep: %w", err)
	}
	return nil
}

// Kept returns the remote items the user chose to keep (see KeepRemote).
func (e *Engine) Kept(id string) ([]string, error) {
	ix, err := e.index(id)
	if err != nil {
		return nil, err
	}
	return keptPaths(ix)
}

func keptPaths(ix *index.Index) ([]string, error) {
	b, err := ix.Meta(metaKept)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	var kept []string
	if err := json.Unmarshal(b, &kept); err != nil {
		return nil, fmt.Errorf("read the items to keep: %w", err)
	}
	return kept, nil
}
