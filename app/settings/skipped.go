package settings

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/app/message"
)

// SkippedItem is an item a backup left out by design (excluded, hidden,
// a symbolic link not followed, a socket or pipe): listed, never a problem.
type SkippedItem struct {
	Path   string // absolute local path
	Reason string
}

// linkNotFollowed is the reason the engine gives a symbolic link it did
// not follow because the folder does not follow links.
const linkNotFollowed = "symbolic link (not followed)"

// SkippedSummary is the folder's line about what it left out by design:
// "3 items skipped by design: 2 symbolic link (not followed), 1 special file (socket)".
func SkippedSummary(items []SkippedItem) string {
	reasons := make([]string, 0, len(items))
	for _, it := range items {
		reasons = append(reasons, it.Reason)
	}
	return fmt.Sprintf("%d %s skipped by design: %s", len(items), plural(len(items), "item", "items"), message.Tally(reasons))
}

// skippedRow is the folder's line about skipped items with a button to
// list them.
func skippedRow(w *Window, pair Pair) fyne.CanvasObject {
	l := widget.NewLabel(SkippedSummary(pair.Status.Skipped))
	l.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, nil, newKeyButton("Show skipped…", func() { openSkipped(w, pair) }), l)
}

// openSkipped lists what a folder left out by design; when it holds
// symbolic links that were not followed, one click follows the links
// that point inside the folder from the next backup on.
func openSkipped(w *Window, pair Pair) dialog.Dialog {
	items := pair.Status.Skipped
	tips := newTipLayer(w.do)
	list := w.newList(func() int { return len(items) },
		func() fyne.CanvasObject { return newTipLabel(tips, fyne.TextStyle{}) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			it := items[i]
			o.(*tipLabel).SetTexts(MiddleCut(DisplayPath(it.Path), 70)+" — "+it.Reason, DisplayPath(it.Path)+" — "+it.Reason)
		})
	help := newHelp("These are left out on purpose and are not problems: excluded and hidden items as the folder's settings say, sockets and pipes, which hold no data, and symbolic links unless the folder follows them.")
	var d dialog.Dialog
	var bottom fyne.CanvasObject = help
	links := 0
	for _, it := range items {
		if it.Reason == linkNotFollowed {
			links++
		}
	}
	if links > 0 && pair.Symlinks != SymlinksFollow {
		follow := newKeyButton("Follow links inside the folder", nil)
		follow.OnTapped = func() {
			follow.Disable()
			p := pair
			p.Symlinks = SymlinksFollow
			background(w, "follow links", func(ctx context.Context) (Pair, error) { return w.b.SavePair(ctx, p) },
				func(_ Pair, err error) {
					if err != nil {
						w.showError("Could not change the folder: " + err.Error())
						follow.Enable()
						return
					}
					d.Hide()
					w.refresh()
				})
		}
		bottom = container.NewVBox(help, container.NewHBox(follow))
	}
	d = w.showCustom("Skipped by design — "+DisplayPath(pair.Local), "Close",
		tips.wrap(container.NewBorder(nil, bottom, nil, nil, list)), fyne.NewSize(640, 420))
	return d
}
