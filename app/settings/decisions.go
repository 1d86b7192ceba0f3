package settings

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/tray"
)

// Decisions carries out what the user decided about deletions the backup
// held back (a pass would have moved many files to the JottaCloud trash,
// or the folder looked like another disk).
type Decisions interface {
	// ConfirmDeletions moves the held-back items of a pair to the
	// JottaCloud trash (one pass that may go past the safety limits).
	ConfirmDeletions(ctx context.Context, pairID string) error
	// KeepDeletions keeps them in JottaCloud and stops asking about them.
	KeepDeletions(ctx context.Context, pairID string) error
}

// HeldItem is a file or folder held back from the JottaCloud trash.
type HeldItem struct {
	Path  string // relative to the folder, '/'-separated
	Dir   bool
	Files int
	Bytes int64
}

// HeldSummary is the line a folder shows while deletions wait for the
// user: "Needs your decision: 20 deleted files are still in JottaCloud".
func HeldSummary(items []HeldItem) string {
	n := 0
	for _, h := range items {
		n += h.Files
	}
	return fmt.Sprintf("Needs your decision: %d deleted %s still in JottaCloud", n, plural(n, "file is", "files are"))
}

// heldLine is one row of the review list.
func heldLine(h HeldItem) string {
	if h.Dir {
		return fmt.Sprintf("%s/  (folder, %d %s, %s)", h.Path, h.Files, plural(h.Files, "file", "files"), tray.FormatBytes(h.Bytes))
	}
	return fmt.Sprintf("%s  (%s)", h.Path, tray.FormatBytes(h.Bytes))
}

// reviewButton opens the review of a pair's held deletions.
func reviewButton(w *Window, pair Pair) *keyButton {
	b := newKeyButton("Review deletions…", func() { openReview(w, pair) })
	b.Importance = widget.WarningImportance
	return b
}

// review is the dialog that lists held deletions and takes the decision.
type review struct {
	d       dialog.Dialog
	trash   *keyButton
	keep    *keyButton
	errText *widget.Label
}

// openReview shows which files are held back, how many and why, with
// "Move to JottaCloud trash" and "Keep them in JottaCloud".
func openReview(w *Window, pair Pair) *review {
	items := pair.Status.Held
	r := &review{errText: newErrorLabel()}
	why := widget.NewLabel(pair.Status.HeldWhy)
	why.Wrapping = fyne.TextWrapWord
	list := w.newList(func() int { return len(items) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(heldLine(items[i])) })
	decide := func(what string, call func(context.Context, string) error) {
		r.trash.Disable()
		r.keep.Disable()
		backgroundErr(w, what, func(ctx context.Context) error { return call(ctx, pair.ID) }, func(err error) {
			if err != nil {
				r.errText.SetText("Could not do that: " + err.Error())
				r.errText.Show()
				r.trash.Enable()
				r.keep.Enable()
				return
			}
			r.d.Hide()
			w.refresh()
		})
	}
	r.trash = newKeyButton("Move to JottaCloud trash", func() { decide("confirm deletions", w.b.ConfirmDeletions) })
	r.trash.Importance = widget.DangerImportance
	r.keep = newKeyButton("Keep them in JottaCloud", func() { decide("keep deletions", w.b.KeepDeletions) })
	r.keep.Importance = widget.HighImportance
	help := newHelp("Items moved to the trash can be restored from JottaCloud's trash. Kept items stay in JottaCloud and are not asked about again.")
	body := container.NewBorder(
		container.NewVBox(
			widget.NewLabelWithStyle(strings.TrimPrefix(HeldSummary(items), "Needs your decision: "), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			why),
		container.NewVBox(help, r.errText, container.NewHBox(r.keep, r.trash)),
		nil, nil, list)
	r.d = w.showCustom("Deleted here, still in JottaCloud — "+DisplayPath(pair.Local), "Decide later", body, fyne.NewSize(640, 460))
	return r
}
