package app

import (
	"context"
	"fmt"

	"jottacloudclient/syncer"
)

// ConfirmDeletions carries out the deletions held back for a pair: one
// pass that may move them to JottaCloud's trash past the prune limit and
// the changed-filesystem guard (never when the local folder is empty or
// missing). It returns when that pass ended.
func (c *Controller) ConfirmDeletions(ctx context.Context, pairID string) error {
	e, p, err := c.enginePair(pairID)
	if err != nil {
		return err
	}
	c.logf("%s: moving the files gone from this folder to the JottaCloud trash, as confirmed", p.Local)
	res, err := e.RunPass(ctx, p, syncer.PassOptions{ForcePrune: true})
	if err != nil {
		return err
	}
	if res.Planned.PruneRefused != "" {
		return fmt.Errorf("%s", res.Planned.PruneRefused)
	}
	return nil
}

// KeepDeletions records that the remote copies held back for a pair stay
// in JottaCloud: they are never moved to the trash and not asked about
// again.
func (c *Controller) KeepDeletions(ctx context.Context, pairID string) error {
	e, p, err := c.enginePair(pairID)
	if err != nil {
		return err
	}
	b := &c.st
	b.mu.Lock()
	ps := b.pair(pairID)
	held := ps.Held
	paths := make([]string, 0, len(held))
	for _, h := range held {
		paths = append(paths, h.Path)
	}
	b.mu.Unlock()
	if err := e.KeepRemote(pairID, paths); err != nil {
		return err
	}
	b.mu.Lock()
	ps.Held, ps.HeldWhy = nil, ""
	b.mu.Unlock()
	c.logf("%s: keeping %d items in JottaCloud that are gone from this folder; they will not be asked about again", p.Local, len(paths))
	c.changed()
	return nil
}

// enginePair finds the running engine and its pair with this id.
func (c *Controller) enginePair(id string) (*syncer.Engine, syncer.Pair, error) {
	e := c.engine()
	if e == nil {
		return nil, syncer.Pair{}, ErrNotSignedIn
	}
	for _, p := range e.Pairs() {
		if p.ID == id {
			return e, p, nil
		}
	}
	return nil, syncer.Pair{}, fmt.Errorf("the folder is not being backed up now")
}
