package desktop

import (
	"context"

	"jottacloudclient/app/restore"
	"jottacloudclient/app/settings"
)

var _ settings.Restorer = (*controllerBackend)(nil)

func (b *controllerBackend) RestoreSource(ctx context.Context, pairID string) (settings.RestoreSource, error) {
	src, err := b.c.RestoreCatalog(ctx, pairID)
	if err != nil {
		return settings.RestoreSource{}, err
	}
	return settings.RestoreSource{Catalog: src.Catalog, Local: src.Local}, nil
}

func (b *controllerBackend) Restore(ctx context.Context, snap *restore.Snapshot, dest string, opts restore.Options) (*restore.Result, error) {
	return b.c.Restore(ctx, snap, dest, opts)
}
