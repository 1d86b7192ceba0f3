package settings

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/app/message"
	"jottacloudclient/app/restore"
	"jottacloudclient/tray"
)

// Restorer is what the Restore dialog needs. A Backend that implements it
// gets a "Restore…" button on each folder row.
type Restorer interface {
	// RestoreSource reads what a pair's remote folder holds, live and
	// trashed, and where the pair backs up from.
	RestoreSource(ctx context.Context, pairID string) (RestoreSource, error)
	// Restore writes snap below dest.
	Restore(ctx context.Context, snap *restore.Snapshot, dest string, opts restore.Options) (*restore.Result, error)
}

// RestoreSource is a pair's backup as a restore sees it.
type RestoreSource struct {
	Catalog *restore.Catalog
	Local   string // the original place
}

// Labels of the dialog's choices.
const (
	restoreLatest     = "Latest backup"
	restoreTrash      = "What is in the trash"
	restoreOriginal   = "The original place"
	restoreElsewhere  = "Another folder"
	restoreKeepCopies = "Keep my current files as conflict copies"
	restoreReplace    = "Replace them"
)

// restoreDialog restores a pair's files: pick a date, browse the tree as
// of then, tick files and folders, pick where they go, watch it run and
// see what could not be restored.
type restoreDialog struct {
	w    *Window
	r    Restorer
	pair Pair
	src  RestoreSource
	d    dialog.Dialog

	when      *escSelect
	days      map[string]time.Time // label → end of that day
	loading   *widget.Label
	tree      *escTree
	snap      *restore.Snapshot
	children  map[string][]string // folder rel ("" = root) → children rels
	folders   map[string]bool
	files     map[string]restore.File
	ticked    map[string]bool
	where     *escRadio
	other     *escEntry
	existing  *escRadio
	bar       *widget.ProgressBar
	status    *widget.Label
	problems  *widget.Label
	body      *fyne.Container // lays out again when a line is shown or hidden
	start     *keyButton
	closeBtn  *keyButton
	cancelRun context.CancelFunc
}

// openRestore shows the Restore dialog for pair.
func openRestore(w *Window, r Restorer, pair Pair) *restoreDialog {
	rd := &restoreDialog{w: w, r: r, pair: pair, ticked: map[string]bool{}, days: map[string]time.Time{}}
	rd.when = w.newSelect([]string{restoreLatest}, func(string) { rd.loadSnapshot() })
	rd.when.Disable()
	rd.loading = widget.NewLabel("Reading what is backed up…")
	rd.loading.Wrapping = fyne.TextWrapWord
	rd.tree = w.newTree(rd.childUIDs, rd.isBranch, rd.createNode, rd.updateNode)
	rd.other = w.newEntry()
	rd.other.SetPlaceHolder("Folder to restore into")
	rd.where = w.newRadio([]string{restoreOriginal, restoreElsewhere}, func(string) { rd.whereChanged() })
	rd.where.Horizontal = true
	rd.where.SetSelected(restoreOriginal)
	choose := newKeyButton("Choose…", rd.chooseFolder)
	rd.existing = w.newRadio([]string{restoreKeepCopies, restoreReplace}, nil)
	rd.existing.Horizontal = true
	rd.existing.SetSelected(restoreKeepCopies)
	rd.bar = widget.NewProgressBar()
	rd.bar.Hide()
	rd.status = widget.NewLabel("")
	rd.status.Wrapping = fyne.TextWrapWord
	rd.status.Hide()
	rd.problems = widget.NewLabel("")
	rd.problems.Wrapping = fyne.TextWrapWord
	rd.problems.Importance = widget.DangerImportance
	rd.problems.Hide()
	rd.start = newKeyButton("Restore", rd.run)
	rd.start.Importance = widget.HighImportance
	rd.start.Disable()
	rd.closeBtn = newKeyButton("Close", rd.close)

	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Restore as of"), nil, rd.when),
		newHelp("Tick what to restore; with nothing ticked, everything is restored."),
		rd.loading,
	)
	bold := func(text string) *widget.Label {
		return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	bottom := container.NewVBox(
		container.NewBorder(nil, nil, bold("Restore to"), nil, rd.where),
		container.NewBorder(nil, nil, nil, choose, rd.other),
		container.NewBorder(nil, nil, bold("Files already there that differ"), nil, rd.existing),
		rd.bar, rd.status, rd.problems,
		container.NewHBox(layoutSpacer(), rd.closeBtn, rd.start),
	)
	scroll := container.NewVScroll(rd.tree)
	scroll.SetMinSize(fyne.NewSize(0, 160))
	rd.body = container.NewBorder(top, bottom, nil, nil, scroll)
	rd.d = dialog.NewCustomWithoutButtons("Restore "+MiddleCut(DisplayPath(pair.Local), 60), rd.body, w.win)
	size := w.win.Canvas().Size()
	rd.d.Resize(fyne.NewSize(max(size.Width*0.95, 560), max(size.Height*0.95, 540)))
	rd.whereChanged()
	w.showDialog(rd.d, rd.close)
	rd.load()
	return rd
}

// load reads the pair's backup, then shows the latest tree.
func (rd *restoreDialog) load() {
	background(rd.w, "read backup for restore", func(ctx context.Context) (RestoreSource, error) {
		return rd.r.RestoreSource(ctx, rd.pair.ID)
	}, func(src RestoreSource, err error) {
		if err != nil {
			rd.loading.SetText("Could not read what is backed up: " + message.Text(err))
			rd.loading.Importance = widget.DangerImportance
			rd.loading.Refresh()
			return
		}
		rd.src = src
		rd.fillDays()
		rd.when.Enable()
		rd.when.SetSelected(restoreLatest) // loads the snapshot
	})
}

// fillDays offers the latest backup, each day with changes and the trash.
func (rd *restoreDialog) fillDays() {
	opts := []string{restoreLatest}
	for _, d := range rd.src.Catalog.Days(time.Local) {
		label := "End of " + d.Format("Mon 2 Jan 2006")
		rd.days[label] = d.Add(24*time.Hour - time.Second)
		opts = append(opts, label)
	}
	rd.when.SetOptions(append(opts, restoreTrash))
}

// moment is what the date choice means.
func (rd *restoreDialog) moment() restore.When {
	switch sel := rd.when.Selected; sel {
	case restoreTrash:
		return restore.When{Mode: restore.Trashed}
	case restoreLatest, "":
		return restore.When{Mode: restore.Latest}
	default:
		return restore.When{Mode: restore.AsOf, At: rd.days[sel]}
	}
}

// loadSnapshot resolves the tree of the chosen moment and shows it.
func (rd *restoreDialog) loadSnapshot() {
	if rd.src.Catalog == nil {
		return
	}
	when := rd.moment()
	rd.start.Disable()
	rd.loading.SetText("Reading the versions of that day…")
	rd.loading.Show()
	background(rd.w, "resolve restore snapshot", func(ctx context.Context) (*restore.Snapshot, error) {
		return rd.src.Catalog.Snapshot(ctx, when)
	}, func(s *restore.Snapshot, err error) {
		if err != nil {
			rd.loading.SetText("Could not read the versions: " + message.Text(err))
			return
		}
		if rd.moment() != when {
			return // the choice changed meanwhile
		}
		rd.showSnapshot(s)
	})
}

func (rd *restoreDialog) showSnapshot(s *restore.Snapshot) {
	rd.snap = s
	rd.children = map[string][]string{}
	rd.folders = map[string]bool{}
	rd.files = map[string]restore.File{}
	rd.ticked = map[string]bool{}
	add := func(rel string) {
		parent := path.Dir(rel)
		if parent == "." {
			parent = ""
		}
		rd.children[parent] = append(rd.children[parent], rel)
	}
	for _, d := range s.Folders {
		rd.folders[d] = true
		add(d)
	}
	for _, f := range s.Files {
		rd.files[f.Rel] = f
		add(f.Rel)
	}
	for _, c := range rd.children {
		sort.Slice(c, func(i, j int) bool {
			if rd.folders[c[i]] != rd.folders[c[j]] {
				return rd.folders[c[i]]
			}
			return strings.ToLower(c[i]) < strings.ToLower(c[j])
		})
	}
	var size int64
	for _, f := range s.Files {
		size += f.Size
	}
	if len(s.Files) == 0 && len(s.Folders) == 0 {
		rd.loading.SetText("Nothing to restore for this choice.")
	} else {
		rd.loading.SetText(fmt.Sprintf("%s, %s, as of this choice.", countOf(len(s.Files), "file", "files"), tray.FormatBytes(size)))
		rd.start.Enable()
	}
	rd.tree.UnselectAll()
	rd.tree.CloseAllBranches()
	rd.tree.Refresh()
}

func (rd *restoreDialog) childUIDs(uid widget.TreeNodeID) []widget.TreeNodeID {
	return rd.children[uid]
}

func (rd *restoreDialog) isBranch(uid widget.TreeNodeID) bool { return uid == "" || rd.folders[uid] }

func (rd *restoreDialog) createNode(bool) fyne.CanvasObject { return rd.w.newCheck("", nil) }

func (rd *restoreDialog) updateNode(uid widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
	c := o.(*escCheck)
	name := path.Base(uid)
	if f, ok := rd.files[uid]; ok {
		name = fmt.Sprintf("%s   %s · %s", name, tray.FormatBytes(f.Size), f.Modified.Local().Format("2 Jan 2006 15:04"))
		if f.Trashed {
			name += " · in the trash now"
		}
	}
	c.Text = name
	c.OnChanged = nil
	c.SetChecked(rd.ticked[uid])
	c.OnChanged = func(on bool) { rd.ticked[uid] = on }
	c.Refresh()
}

// selection is the part of the snapshot that is ticked (all of it when
// nothing is).
func (rd *restoreDialog) selection() *restore.Snapshot {
	var any bool
	for _, on := range rd.ticked {
		any = any || on
	}
	if !any {
		return rd.snap
	}
	in := func(rel string) bool {
		for p := rel; p != "." && p != ""; p = path.Dir(p) {
			if rd.ticked[p] {
				return true
			}
		}
		return false
	}
	out := &restore.Snapshot{Root: rd.snap.Root}
	for _, d := range rd.snap.Folders {
		if in(d) {
			out.Folders = append(out.Folders, d)
		}
	}
	// The parents of what is ticked are needed too.
	need := map[string]bool{}
	for _, f := range rd.snap.Files {
		if in(f.Rel) {
			out.Files = append(out.Files, f)
			for p := path.Dir(f.Rel); p != "."; p = path.Dir(p) {
				need[p] = true
			}
		}
	}
	for _, d := range rd.snap.Folders {
		if need[d] && !in(d) {
			out.Folders = append(out.Folders, d)
		}
	}
	sort.Slice(out.Folders, func(i, j int) bool { return out.Folders[i] < out.Folders[j] })
	return out
}

// whereChanged enables the folder field for another folder; for the
// original place it shows that place.
func (rd *restoreDialog) whereChanged() {
	if rd.where.Selected == restoreElsewhere {
		rd.other.SetPlaceHolder("Folder to restore into")
		rd.other.Enable()
	} else {
		rd.other.SetPlaceHolder(MiddleCut(DisplayPath(rd.pair.Local), 70))
		rd.other.Disable()
	}
}

func (rd *restoreDialog) chooseFolder() {
	fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		rd.other.SetText(u.Path())
		rd.where.SetSelected(restoreElsewhere)
	}, rd.w.win)
	if rd.other.Text != "" {
		if u, err := storage.ListerForURI(storage.NewFileURI(rd.other.Text)); err == nil {
			fd.SetLocation(u)
		}
	}
	rd.w.showDialog(fd, fd.Hide)
}

// run restores the selection and shows progress, then the result.
func (rd *restoreDialog) run() {
	dest := rd.src.Local
	if rd.where.Selected == restoreElsewhere {
		dest = strings.TrimSpace(rd.other.Text)
		if dest == "" {
			rd.setStatus("Choose the folder to restore into.")
			return
		}
	}
	snap := rd.selection()
	opts := restore.Options{Overwrite: true, NoBackup: rd.existing.Selected == restoreReplace}
	var (
		mu   sync.Mutex
		last time.Time
	)
	opts.Progress = func(p restore.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(last) >= 100*time.Millisecond || p.FilesDone == p.FilesTotal {
			last = now
			rd.w.do(func() { rd.showProgress(p) })
		}
	}
	ctx, cancel := context.WithCancel(rd.w.ctx)
	rd.cancelRun = cancel
	rd.start.Disable()
	rd.when.Disable()
	rd.closeBtn.SetText("Stop")
	rd.bar.SetValue(0)
	rd.bar.Show()
	rd.problems.Hide()
	rd.setStatus(fmt.Sprintf("Restoring %s to %s…", countOf(len(snap.Files), "file", "files"), DisplayPath(dest)))
	rd.relayout()
	background(rd.w, "restore", func(context.Context) (*restore.Result, error) {
		defer cancel()
		return rd.r.Restore(ctx, snap, dest, opts)
	}, func(res *restore.Result, err error) {
		rd.cancelRun = nil
		rd.closeBtn.SetText("Close")
		rd.when.Enable()
		rd.start.Enable()
		rd.showResult(res, err, dest)
	})
}

func (rd *restoreDialog) showProgress(p restore.Progress) {
	if p.BytesTotal > 0 {
		rd.bar.SetValue(float64(p.BytesDone) / float64(p.BytesTotal))
	}
	rd.setStatus(fmt.Sprintf("Restoring %d of %d files · %s of %s", min(p.FilesDone+1, p.FilesTotal), p.FilesTotal,
		tray.FormatBytes(p.BytesDone), tray.FormatBytes(p.BytesTotal)))
}

// RestoreSummary says in words what a restore did.
func RestoreSummary(res *restore.Result, dest string) string {
	if res.Restored == 0 && res.Present > 0 && len(res.Problems) == 0 {
		return fmt.Sprintf("Nothing to do: the %s in %s already match the backup.", countOf(res.Present, "file", "files"), DisplayPath(dest))
	}
	parts := []string{fmt.Sprintf("Restored %s to %s.", countOf(res.Restored, "file", "files"), DisplayPath(dest))}
	if res.Present > 0 {
		parts = append(parts, countOf(res.Present, "file was", "files were")+" already there.")
	}
	if n := len(res.Conflicts); n > 0 {
		parts = append(parts, fmt.Sprintf("Your own %s kept as conflict copies.", countOf(n, "version was", "versions were")))
	}
	if res.Replaced > len(res.Conflicts) {
		parts = append(parts, countOf(res.Replaced-len(res.Conflicts), "file was", "files were")+" replaced.")
	}
	if n := len(res.Renamed); n > 0 {
		parts = append(parts, countOf(n, "name was", "names were")+" changed for this computer.")
	}
	return strings.Join(parts, " ")
}

func (rd *restoreDialog) showResult(res *restore.Result, err error, dest string) {
	rd.bar.Hide()
	if res == nil {
		rd.setStatus("The restore did not start: " + message.Text(err))
		rd.status.Importance = widget.DangerImportance
		rd.status.Refresh()
		rd.relayout()
		return
	}
	text := RestoreSummary(res, dest)
	if err != nil {
		text = "Stopped. " + text + " Restore again to finish: what is done is kept."
	}
	rd.setStatus(text)
	if len(res.Problems) == 0 {
		rd.status.Importance = widget.SuccessImportance
		rd.status.Refresh()
		rd.problems.Hide()
		rd.relayout()
		return
	}
	lines := []string{countOf(len(res.Problems), "item was", "items were") + " not restored:"}
	for i, p := range res.Problems {
		if i == 20 {
			lines = append(lines, fmt.Sprintf("… and %d more", len(res.Problems)-i))
			break
		}
		lines = append(lines, p.Path+": "+p.Reason)
	}
	rd.problems.SetText(strings.Join(lines, "\n"))
	rd.problems.Show()
	rd.relayout()
}

// setStatus shows text under the choices. The progress calls it ten times
// a second; the dialog is laid out again only when the line appears or
// its height changes.
func (rd *restoreDialog) setStatus(text string) {
	shown, height := rd.status.Visible(), rd.status.MinSize().Height
	rd.status.SetText(text)
	rd.status.Show()
	if !shown || rd.status.MinSize().Height != height {
		rd.relayout()
	}
}

// relayout places the dialog's lines again after one was shown, hidden or
// given a text of another height: a box does not do that by itself, and a
// line shown without it is drawn over the first row of its box.
func (rd *restoreDialog) relayout() {
	for _, o := range rd.body.Objects {
		if c, ok := o.(*fyne.Container); ok {
			c.Refresh()
		}
	}
	rd.body.Refresh()
}

// close stops a running restore, or closes the dialog.
func (rd *restoreDialog) close() {
	if rd.cancelRun != nil {
		rd.cancelRun()
		return
	}
	rd.d.Hide()
}

// countOf is "1 file" or "3 files".
func countOf(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }
