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
type activityPage struct {
	w         *Window
	content   fyne.CanvasObject
	headline  *widget.Label
	bar       *widget.ProgressBar
	detail    *widget.Label
	current   *widget.Label
	problems  *fyne.Container
	log       *widget.Label
	logScroll *container.Scroll
}

func newActivityPage(w *Window) *activityPage {
	p := &activityPage{w: w}
	p.headline = widget.NewLabelWithStyle(ActivityHeadline(Activity{}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.headline.Wrapping = fyne.TextWrapWord
	p.bar = widget.NewProgressBar()
	p.bar.Hide()
	p.detail = widget.NewLabel("")
	p.current = widget.NewLabel("")
	p.current.Truncation = fyne.TextTruncateEllipsis
	p.problems = container.NewVBox()
	p.log = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.logScroll = container.NewScroll(p.log)
	p.logScroll.SetMinSize(fyne.NewSize(0, 140))
	backup := widget.NewButton("Back up now", w.folders.backupNow)

	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, backup, p.headline),
		p.bar, p.detail, p.current,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Files that could not be backed up", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.problems,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Log", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	p.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, p.logScroll))
	p.showProblems(nil)
	return p
}

func (p *activityPage) show(a Activity) {
	p.headline.SetText(ActivityHeadline(a))
	if a.Running {
		p.bar.SetValue(progress(a))
		p.bar.Show()
	} else {
		p.bar.Hide()
	}
	p.detail.SetText(ActivityDetail(a))
	if a.Running && a.Current != "" {
		p.current.SetText("Now: " + a.Current)
	} else {
		p.current.SetText("")
	}
	p.showProblems(a.Problems)
	p.log.SetText(strings.Join(a.Log, "\n"))
	p.content.Refresh()
	p.logScroll.ScrollToBottom()
}

func (p *activityPage) showProblems(ps []Problem) {
	p.problems.RemoveAll()
	if len(ps) == 0 {
		p.problems.Add(newHelp("None — every file was backed up."))
		return
	}
	for _, pr := range ps {
		p.problems.Add(p.problemRow(pr))
	}
}

func (p *activityPage) problemRow(pr Problem) fyne.CanvasObject {
	w := p.w
	path := widget.NewLabelWithStyle(pr.Path, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	path.Truncation = fyne.TextTruncateEllipsis
	reason := widget.NewLabel(pr.Reason)
	reason.Wrapping = fyne.TextWrapWord
	reason.Importance = widget.DangerImportance
	retry := widget.NewButton("Retry", func() {
		backgroundErr(w, "retry file", func(ctx context.Context) error { return w.b.RetryProblem(ctx, pr) }, func(err error) {
			if err != nil {
				w.showError("Could not retry " + pr.Path + ": " + err.Error())
				return
			}
			w.refresh()
		})
	})
	open := widget.NewButton("Open folder", func() {
		if err := w.cfg.OpenFolder(filepath.Dir(pr.Path)); err != nil {
			w.showError("Could not open the folder: " + err.Error())
		}
	})
	exclude := widget.NewButton("Leave out", func() {
		pattern := excludePattern(w.pairs, pr)
		backgroundErr(w, "add exclude", func(ctx context.Context) error { return w.b.AddExclude(ctx, pr.PairID, pattern) },
			func(err error) {
				if err != nil {
					w.showError("Could not leave out " + pr.Path + ": " + err.Error())
					return
				}
				w.refresh()
			})
	})
	return container.NewBorder(nil, nil, nil, container.NewHBox(retry, open, exclude), container.NewVBox(path, reason))
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
