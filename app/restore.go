package app

import (
	"context"
	"fmt"

	"jottacloudclient/app/restore"
)

// RestoreSource is what a restore of one folder pair starts from: what its
// remote folder holds, live and trashed, and where it came from.
type RestoreSource struct {
	Catalog *restore.Catalog
	Local   string // the pair's local folder, the "original place"
	Remote  string
}

// RestoreCatalog reads the remote folder of a pair for a restore.
func (c *Controller) RestoreCatalog(ctx context.Context, pairID string) (RestoreSource, error) {
	acct := c.account()
	if acct == nil {
		return RestoreSource{}, ErrNotSignedIn
	}
	p, ok := c.pairByID(pairID)
	if !ok {
		return RestoreSource{}, fmt.Errorf("there is no folder pair %q", pairID)
	}
	cat, err := restore.Load(ctx, acct.Client, p.Remote)
	if err != nil {
		return RestoreSource{}, err
	}
	return RestoreSource{Catalog: cat, Local: p.LocalPath(), Remote: p.Remote}, nil
}

// Restore writes snap below dest with the signed-in account.
func (c *Controller) Restore(ctx context.Context, snap *restore.Snapshot, dest string, opts restore.Options) (*restore.Result, error) {
	acct := c.account()
	if acct == nil {
		return nil, ErrNotSignedIn
	}
	if opts.Logger == nil {
		opts.Logger = c.log
	}
	return restore.Run(ctx, acct.Client, snap, dest, opts)
}
