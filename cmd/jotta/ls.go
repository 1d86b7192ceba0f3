package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
)

// lsFlags are the options of jotta ls.
type lsFlags struct {
	recursive bool
	long      bool
	trash     bool
	at        string
	versions  bool
}

func newLsCmd(g *globals) *cobra.Command {
	var f lsFlags
	cmd := &cobra.Command{
		Use:   "ls [REMOTE]",
		Short: "List a remote folder, a device or the trash",
		Long: `List what is stored at REMOTE: "/" lists the devices, "/<device>" its mount
points, "/<device>/<mountpoint>/…" a folder (folders end in "/"). -R lists the
whole tree below REMOTE with one streamed request; -l adds size, md5 and the
modification time (UTC); --trash lists the trash instead of REMOTE, each item
with the folder it came from (with -l, the time shown is when it was
trashed).

--at TIME lists the whole tree below REMOTE as a restore with --at would
bring it back: each file as it was at TIME (a date, an RFC 3339 time or
"3 days ago"), files trashed since included. --versions lists the stored
versions of the file REMOTE, newest first, with when each was stored; a
version's number can be seen in 'jotta restore --json' output.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.trash && len(args) > 0 {
				return withCode(exitUsage, errors.New("--trash lists the whole trash: give no REMOTE"))
			}
			if (f.at != "" || f.versions) && len(args) == 0 {
				return withCode(exitUsage, errors.New("--at and --versions need a REMOTE folder or file"))
			}
			if f.at != "" && f.versions {
				return withCode(exitUsage, errors.New("--at and --versions cannot be combined"))
			}
			remote := "/"
			if len(args) == 1 {
				remote = remoteArg(args[0])
			}
			ctx := cmd.Context()
			acc, err := openAccount(ctx, g)
			if err != nil {
				return err
			}
			l := &lister{c: acc.Client, w: g.stdout, notes: g.stderr, long: f.long}
			switch {
			case f.at != "":
				err = l.asOf(ctx, remote, f.at)
			case f.versions:
				err = l.versions(ctx, remote)
			case f.trash:
				err = l.trash(ctx)
			case f.recursive:
				err = l.tree(ctx, remote)
			default:
				err = l.list(ctx, remote)
			}
			return lsError(remote, err)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.recursive, "recursive", "R", false, "list the whole tree below REMOTE")
	fl.BoolVarP(&f.long, "long", "l", false, "show size, md5 and modification time")
	fl.BoolVar(&f.trash, "trash", false, "list the trash")
	fl.StringVar(&f.at, "at", "", `list the tree below REMOTE as of this time (a date, an RFC 3339 time or "3 days ago")`)
	fl.BoolVar(&f.versions, "versions", false, "list the stored versions of the file REMOTE")
	return cmd
}

// lsError gives a listing error its exit code: a path that does not exist
// or cannot be named is a usage error.
func lsError(remote string, err error) error {
	var (
		ne *jotta.NameError
		ee *exitError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return err
	case errors.Is(err, jotta.ErrNotExist):
		return withCode(exitUsage, fmt.Errorf("%s does not exist: list its parent with 'jotta ls' to see what is there", remote))
	case errors.As(err, &ne):
		return withCode(exitUsage, err)
	}
	return commandError(err, exitPartial)
}

// lister prints listings.
type lister struct {
	c     *jotta.Client
	w     io.Writer
	notes io.Writer // remarks about places, such as the built-in device's Sync
	long  bool
}

// mountPoints returns the device's live mount points that can hold files,
// sorted by name, and prints a note on the ones with a side effect (Sync,
// Shared). The built-in device's virtual views (Latest, Links, Trash) are
// left out: they are not folders.
func (l *lister) mountPoints(d *api.Device) []api.MountPoint {
	var out []api.MountPoint
	for _, mp := range d.MountPoints {
		info := jotta.ClassifyMountPoint(d.Name, mp.Name)
		if !mp.Deleted.IsZero() || !info.Target() {
			continue
		}
		out = append(out, mp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for _, mp := range out {
		if info := jotta.ClassifyMountPoint(d.Name, mp.Name); info.Use == jotta.MountPointCaution && l.notes != nil {
			fmt.Fprintf(l.notes, "note: /%s/%s: %s\n", d.Name, mp.Name, info.Note)
		}
	}
	return out
}

// row prints one entry; folders get a trailing slash.
func (l *lister) row(name string, dir bool, size int64, md5 string, modified time.Time) {
	name = shownName(name)
	if dir {
		name += "/"
	}
	if !l.long {
		fmt.Fprintln(l.w, name)
		return
	}
	sz, mod := "-", "-"
	if !dir {
		sz = fmt.Sprint(size)
	}
	if md5 == "" {
		md5 = "-"
	}
	if !modified.IsZero() {
		mod = modified.UTC().Format("2006-01-02 15:04:05")
	}
	fmt.Fprintf(l.w, "%12s  %-32s  %-19s  %s\n", sz, md5, mod, name)
}

func (l *lister) fileRow(name string, f *api.File) {
	var (
		size int64
		sum  string
		mod  time.Time
	)
	if r := f.CurrentRevision; r != nil {
		size, sum, mod = r.Size, strings.ToLower(r.MD5), r.Modified.Time
	}
	l.row(name, false, size, sum, mod)
}

// list prints the immediate children of remote, or the file itself.
func (l *lister) list(ctx context.Context, remote string) error {
	segs := api.SplitPath(remote)
	switch len(segs) {
	case 0:
		devs, err := l.c.Devices(ctx)
		if err != nil {
			return err
		}
		sort.Slice(devs, func(i, j int) bool { return devs[i].Name < devs[j].Name })
		for _, d := range devs {
			l.row(d.Name, true, 0, "", d.Modified.Time)
		}
		return nil
	case 1:
		d, err := l.c.Device(ctx, segs[0])
		if err != nil {
			return err
		}
		for _, mp := range l.mountPoints(d) {
			l.row(mp.Name, true, 0, "", mp.Modified.Time)
		}
		return nil
	}
	if info := jotta.ClassifyMountPoint(segs[0], segs[1]); !info.Target() {
		return withCode(exitUsage, errors.New(info.Note))
	}
	e, err := l.c.Stat(ctx, remote, jotta.ListOptions{})
	if err != nil {
		return err
	}
	if e.Kind() == api.KindFile {
		l.fileRow(e.DisplayName(), e.AsFile())
		return nil
	}
	if !e.IsDir() {
		return fmt.Errorf("%s is a %s, not a folder", remote, e.Kind())
	}
	d, err := l.c.List(ctx, remote, jotta.ListOptions{})
	if err != nil {
		return err
	}
	sort.Slice(d.Folders, func(i, j int) bool { return d.Folders[i].Name < d.Folders[j].Name })
	sort.Slice(d.Files, func(i, j int) bool { return d.Files[i].Name < d.Files[j].Name })
	for _, f := range d.Folders {
		l.row(f.Name, true, 0, "", time.Time{})
	}
	for i := range d.Files {
		l.fileRow(d.Files[i].Name, &d.Files[i])
	}
	return nil
}

// tree prints everything below remote with paths relative to it. Below a
// mount point one liststream request lists the tree; for the account or a
// device every mount point is streamed in turn.
func (l *lister) tree(ctx context.Context, remote string) error {
	segs := api.SplitPath(remote)
	if len(segs) >= 2 {
		if info := jotta.ClassifyMountPoint(segs[0], segs[1]); !info.Target() {
			return withCode(exitUsage, errors.New(info.Note))
		}
		return l.stream(ctx, segs, "")
	}
	var devs []string
	if len(segs) == 0 {
		ds, err := l.c.Devices(ctx)
		if err != nil {
			return err
		}
		for _, d := range ds {
			devs = append(devs, d.Name)
		}
		sort.Strings(devs)
	} else {
		devs = segs
	}
	for _, dev := range devs {
		prefix := ""
		if len(segs) == 0 {
			prefix = dev + "/"
			l.row(dev, true, 0, "", time.Time{})
		}
		d, err := l.c.Device(ctx, dev)
		if err != nil {
			return err
		}
		for _, mp := range l.mountPoints(d) {
			l.row(prefix+mp.Name, true, 0, "", mp.Modified.Time)
			if err := l.stream(ctx, []string{dev, mp.Name}, prefix+mp.Name+"/"); err != nil {
				return err
			}
		}
	}
	return nil
}

// stream lists the tree below the folder at segs with one liststream
// request, printing paths relative to it after prefix.
func (l *lister) stream(ctx context.Context, segs []string, prefix string) error {
	root := "/" + strings.Join(segs, "/")
	rel, err := lsRelative(segs)
	if err != nil {
		return err
	}
	_, err = l.c.ListStream(ctx, root, func(e *api.ListEntry) error {
		if e.Folder {
			p, ok := rel(e.Path)
			if !ok || p == "" {
				return nil
			}
			l.row(prefix+p, true, 0, "", e.Modified)
			return nil
		}
		dir, ok := rel(e.Path)
		if !ok {
			return fmt.Errorf("list %s: the server sent %q, which is outside it", root, e.Path+"/"+e.Name)
		}
		name := e.Name
		if dir != "" {
			name = dir + "/" + e.Name
		}
		l.row(prefix+name, false, e.Size, strings.ToLower(e.MD5), e.Modified)
		return nil
	})
	return err
}

// lsRelative returns a function that turns a liststream path (relative to
// the device: "/<mountpoint>/a/b") into a path relative to the listed root
// at segs. Paths are matched by position, so the server's casing of the
// root does not matter.
func lsRelative(segs []string) (func(string) (string, bool), error) {
	if len(segs) < 2 {
		return nil, errors.New("a streamed listing needs a device and a mount point")
	}
	depth := len(segs) - 1
	return func(p string) (string, bool) {
		s := api.SplitPath(p)
		if len(s) < depth {
			return "", false
		}
		return strings.Join(s[depth:], "/"), true
	}, nil
}

// trash prints the trash: each trashed item with when it was trashed and
// where it was.
func (l *lister) trash(ctx context.Context) error {
	d, err := l.c.ListTrash(ctx)
	if err != nil {
		return err
	}
	sort.Slice(d.Folders, func(i, j int) bool { return d.Folders[i].Name < d.Folders[j].Name })
	sort.Slice(d.Files, func(i, j int) bool { return d.Files[i].Name < d.Files[j].Name })
	from := func(abs string) string {
		if abs == "" {
			return ""
		}
		return "  (from " + shownName(l.c.UserPath(ctx, abs)) + ")"
	}
	when := func(t api.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	}
	for _, f := range d.Folders {
		if l.long {
			fmt.Fprintf(l.w, "%12s  %-32s  %-19s  %s%s\n", "-", "-", when(f.Deleted), shownName(f.Name)+"/", from(f.AbsPath))
		} else {
			fmt.Fprintf(l.w, "%s%s\n", shownName(f.Name)+"/", from(f.AbsPath))
		}
	}
	for _, f := range d.Files {
		if l.long {
			var size int64
			sum := "-"
			if r := f.CurrentRevision; r != nil {
				size, sum = r.Size, strings.ToLower(r.MD5)
			}
			fmt.Fprintf(l.w, "%12d  %-32s  %-19s  %s%s\n", size, sum, when(f.Deleted), shownName(f.Name), from(f.AbsPath))
		} else {
			fmt.Fprintf(l.w, "%s%s\n", shownName(f.Name), from(f.AbsPath))
		}
	}
	return nil
}
