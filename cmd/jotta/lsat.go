package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"jottacloudclient/app/restore"
	"jottacloudclient/jotta"
)

// asOf prints the tree below remote as a restore --at would bring it back.
func (l *lister) asOf(ctx context.Context, remote, at string) error {
	t, err := restore.ParseTime(at, time.Now(), time.Local)
	if err != nil {
		return withCode(exitUsage, err)
	}
	cat, err := restore.Load(ctx, l.c, remote)
	if err != nil {
		return err
	}
	snap, err := cat.Snapshot(ctx, restore.When{Mode: restore.AsOf, At: t})
	if err != nil {
		return err
	}
	if len(snap.Files) == 0 {
		noteNothingYet(l.notes, remote, t, cat.Days(time.Local))
	}
	files := map[string]restore.File{}
	var paths []string
	for _, f := range snap.Files {
		files[f.Rel] = f
		paths = append(paths, f.Rel)
	}
	dirs := map[string]bool{}
	for _, d := range snap.Folders {
		dirs[d] = true
		paths = append(paths, d)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if dirs[p] {
			l.row(p, true, 0, "", time.Time{})
			continue
		}
		f := files[p]
		name := p
		if f.Trashed && l.long {
			name += "  (in the trash now)"
		}
		l.row(name, false, f.Size, f.MD5, f.Modified)
	}
	return nil
}

// versions prints the stored versions of the file remote, newest first.
func (l *lister) versions(ctx context.Context, remote string) error {
	vs, err := restore.Versions(ctx, l.c, remote)
	if errors.Is(err, jotta.ErrIsDir) {
		return withCode(exitUsage, fmt.Errorf("%s is a folder: --versions lists the versions of a file", remote))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(l.w, "%-8s  %-19s  %12s  %-32s  %s\n", "VERSION", "STORED (UTC)", "SIZE", "MD5", "MODIFIED (UTC)")
	for _, v := range vs {
		num := fmt.Sprint(v.Number)
		if v.Current {
			num += "*"
		}
		fmt.Fprintf(l.w, "%-8s  %-19s  %12d  %-32s  %s\n", num, lsTime(v.Stored), v.Size, v.MD5, lsTime(v.Modified))
	}
	return nil
}

func lsTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
