package settings

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// activityPage shows the running pass, the files that failed and the log.
// The problem list and the log scroll, so that no number of problems makes
// the window grow.
type activityPage struct {
	w         *Window
	content   fyne.CanvasObject
	headline  *widget.Label
	bar       *widget.ProgressBar
	counting  *widget.ProgressBarInfinite // while the totals still grow
	detail    *widget.Label
	current   *tipLabel
	problems  []Problem
	list      *escList
	none      *widget.Label
	log       *widget.Label
	logScroll *container.Scroll
}

func newActivityPage(w *Window) *activityPage {
	p := &activityPage{w: w}
	p.headline = widget.NewLabelWithStyle(ActivityHeadline(Activity{}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.headline.Wrapping = fyne.TextWrapWord
	p.bar = widget.NewProgressBar()
	p.bar.Hide()
	p.counting = widget.NewProgressBarInfinite()
	p.counting.Hide()
	p.detail = widget.NewLabel("")
	p.detail.Truncation = fyne.TextTruncateEllipsis
	p.current = newTipLabel(w.tips, fyne.TextStyle{})
	p.list = w.newList(func() int { return len(p.problems) }, p.newProblemRow, p.updateProblemRow)
	p.none = newHelp("No problems.")
	p.log = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.logScroll = container.NewScroll(p.log)
	backup := newKeyButton("Back up now", w.folders.backupNow)

	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, backup, p.headline),
		container.NewStack(p.bar, p.counting), p.detail, p.current,
		widget.NewSeparator(),
	)
	problems := container.NewBorder(
		widget.NewLabelWithStyle("Files that could not be backed up", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, container.NewStack(p.none, p.list))
	logs := container.NewBorder(
		widget.NewLabelWithStyle("Log", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, p.logScroll)
	split := container.NewVSplit(problems, logs)
	split.SetOffset(0.55)
	p.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, split))
	p.showProblems(nil)
	return p
}

func (p *activityPage) show(a Activity) {
	p.headline.SetText(ActivityHeadline(a))
	switch {
	case a.Running && a.Counting:
		p.bar.Hide()
		p.counting.Show()
	case a.Running:
		p.counting.Hide()
		p.bar.SetValue(progress(a))
		p.bar.Show()
	default:
		p.bar.Hide()
		p.counting.Hide()
	}
	setFieldError(p.detail, ActivityDetail(a))
	if a.Running && a.Current != "" {
		now := "Now: " + DisplayPath(a.Current)
		p.current.SetTexts(now, now)
		p.current.Show()
	} else {
		p.current.SetTexts("", "")
		p.current.Hide()
	}
	p.showProblems(a.Problems)
	text := strings.Join(a.Log, "\n")
	if text != p.log.Text {
		p.log.SetText(text)
		p.logScroll.ScrollToBottom()
	}
	p.content.Refresh()
}

func (p *activityPage) showProblems(ps []Problem) {
	p.problems = ps
	if len(ps) == 0 {
		p.none.Show()
		p.list.Hide()
	} else {
		p.none.Hide()
		p.list.Show()
	}
	p.list.Refresh()
}

// problemRow is one line of the problem list; the list reuses rows.
type problemRow struct {
	widget.BaseWidget
	p                    *activityPage
	pr                   Problem
	path                 *tipLabel
	reason               *widget.Label
	retry, open, exclude *keyButton
}

func (p *activityPage) newProblemRow() fyne.CanvasObject {
	r := &problemRow{p: p}
	r.path = newTipLabel(p.w.tips, fyne.TextStyle{Bold: true})
	r.reason = widget.NewLabel("")
	r.reason.Truncation = fyne.TextTruncateEllipsis
	r.reason.Importance = widget.DangerImportance
	r.retry = newKeyButton("Retry", func() { p.retry(r.pr) })
	r.open = newKeyButton("Open folder", func() { p.openFolder(r.pr) })
	r.exclude = newKeyButton("Leave out", func() { p.leaveOut(r.pr) })
	r.ExtendBaseWidget(r)
	return r
}

func (r *problemRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil,
		container.NewHBox(r.retry, r.open, r.exclude), container.NewVBox(r.path, r.reason)))
}

func (p *activityPage) updateProblemRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(p.problems) {
		return
	}
	r := o.(*problemRow)
	r.pr = p.problems[i]
	r.path.SetTexts(MiddleCut(DisplayPath(r.pr.Path), 90), DisplayPath(r.pr.Path))
	r.reason.SetText(r.pr.Reason)
}

func (p *activityPage) retry(pr Problem) {
	w := p.w
	backgroundErr(w, "retry file", func(ctx context.Context) error { return w.b.RetryProblem(ctx, pr) }, func(err error) {
		if err != nil {
			w.fail("Could not retry "+DisplayPath(pr.Path), err)
			return
		}
		w.refresh()
	})
}

func (p *activityPage) openFolder(pr Problem) {
	if err := p.w.cfg.OpenFolder(filepath.Dir(pr.Path)); err != nil {
		p.w.showError("Could not open the folder " + DisplayPath(filepath.Dir(pr.Path)) + ".")
		p.w.log.Warn("settings: open folder failed", "err", err)
	}
}

func (p *activityPage) leaveOut(pr Problem) {
	w := p.w
	pattern := excludePattern(w.pairs, pr)
	backgroundErr(w, "add exclude", func(ctx context.Context) error { return w.b.AddExclude(ctx, pr.PairID, pattern) },
		func(err error) {
			if err != nil {
				w.fail("Could not leave out "+DisplayPath(pr.Path), err)
				return
			}
			w.refresh()
		})
}

// excludePattern is the pattern that leaves out exactly the problem file:
// its path relative to the pair's folder, anchored with a leading slash.
func excludePattern(pairs []Pair, pr Problem) string {
	for _, p := range pairs {
		if p.ID != pr.PairID {
			continue
		}
		if rel, err := filepath.Rel(p.Local, pr.Path); err == nil && !strings.HasPrefix(rel, "..") {
			return "/" + filepath.ToSlash(rel)
		}
	}
	return filepath.Base(pr.Path)
}
