package settings

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// foldersPage lists the folder pairs with their state.
type foldersPage struct {
	w       *Window
	content fyne.CanvasObject
	list    *fyne.Container
	add     *keyButton
	backup  *keyButton
}

func newFoldersPage(w *Window) *foldersPage {
	p := &foldersPage{w: w}
	p.add = newKeyButton("Add folder…", func() { openPairEditor(w, Pair{}) })
	p.add.Importance = widget.HighImportance
	p.backup = newKeyButton("Back up now", p.backupNow)
	p.list = container.NewVBox()
	header := container.NewBorder(nil, nil,
		widget.NewLabelWithStyle("Folders backed up to JottaCloud", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(p.backup, p.add))
	p.content = container.NewBorder(container.NewPadded(header), nil, nil, nil, container.NewVScroll(p.list))
	return p
}

func (p *foldersPage) show(pairs []Pair) {
	now := p.w.cfg.Now()
	p.list.RemoveAll()
	if len(pairs) == 0 {
		p.list.Add(container.NewPadded(newHelp("No folders yet. Press “Add folder…” to choose a folder on this computer to back up.")))
		p.backup.Disable()
	} else {
		p.backup.Enable()
	}
	for _, pair := range pairs {
		p.list.Add(p.row(pair, now))
	}
	// Adding to a container does not redraw it; refresh the page so the
	// scroller measures the new list.
	p.content.Refresh()
}

func (p *foldersPage) row(pair Pair, now time.Time) fyne.CanvasObject {
	w := p.w
	local := newTipLabel(w.tips, fyne.TextStyle{Bold: true})
	local.SetTexts(MiddleCut(DisplayPath(pair.Local), 80), DisplayPath(pair.Local))
	remote := widget.NewLabel("→ JottaCloud " + pair.Remote)
	remote.Truncation = fyne.TextTruncateEllipsis
	status := widget.NewLabel(PairSummary(pair, now))
	status.Wrapping = fyne.TextWrapWord
	switch {
	case pair.Status.Error != "" || pair.Status.Problems > 0:
		status.Importance = widget.DangerImportance
	case !pair.Status.LastComplete.IsZero():
		status.Importance = widget.SuccessImportance
	}
	edit := newKeyButton("Edit…", func() { openPairEditor(w, pair) })
	remove := newKeyButton("Remove…", func() { confirmRemove(w, pair) })
	info := container.NewVBox(local, remote, status)
	if len(pair.Status.Skipped) > 0 {
		info.Add(skippedRow(w, pair))
	}
	if len(pair.Status.Held) > 0 {
		held := widget.NewLabel(HeldSummary(pair.Status.Held))
		held.Importance = widget.WarningImportance
		info.Add(container.NewBorder(nil, nil, nil, reviewButton(w, pair), held))
	}
	buttons := container.NewVBox(edit)
	if r, ok := w.b.(Restorer); ok {
		buttons.Add(newKeyButton("Restore…", func() { openRestore(w, r, pair) }))
	}
	buttons.Add(remove)
	return widget.NewCard("", "", container.NewBorder(nil, nil, nil, buttons, info))
}

func (p *foldersPage) backupNow() {
	w := p.w
	backgroundErr(w, "back up now", w.b.BackupNow, func(err error) {
		if err != nil {
			w.fail("Could not start a backup", err)
			return
		}
		w.refresh()
	})
}

// confirmRemove asks before a pair is removed and says that nothing in
// JottaCloud is deleted.
func confirmRemove(w *Window, pair Pair) {
	msg := fmt.Sprintf("JottaCloud Backup will stop backing up\n%s\n\n"+
		"Everything already backed up stays in JottaCloud at %s. Nothing is deleted there or on this computer.",
		pair.Local, pair.Remote)
	w.confirm("Stop backing up this folder?", msg, "Stop backing up", "Keep", func(ok bool) {
		if !ok {
			return
		}
		backgroundErr(w, "remove folder", func(ctx context.Context) error { return w.b.RemovePair(ctx, pair.ID) },
			func(err error) {
				if err != nil {
					w.fail("Could not remove the folder", err)
					return
				}
				w.refresh()
			})
	})
}
