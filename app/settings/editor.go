package settings

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// pairEditor is the add/edit dialog for one folder pair. Nothing is saved
// until every field is valid; errors appear under their field.
type pairEditor struct {
	w    *Window
	orig Pair
	dlg  dialog.Dialog

	local, remote         *escEntry
	localErr, remoteErr   *widget.Label
	intervalErr           *widget.Label
	excludesErr           *widget.Label
	enabled, watch        *escCheck
	hidden                *escCheck
	interval, prune, link *escSelect
	excludes              *escEntry
	save, cancel          *keyButton
	body                  fyne.CanvasObject
	proposed              string // the remote last proposed from the local folder
}

func openPairEditor(w *Window, p Pair) *pairEditor {
	e := &pairEditor{w: w, orig: p}
	w.editor = e
	if p.ID == "" { // defaults for a new pair
		p.Enabled, p.Watch, p.Interval, p.Symlinks = true, true, intervals[1].d, SymlinksSkip
	}
	e.local = w.newEntry()
	e.local.SetPlaceHolder("Folder on this computer, e.g. " + exampleFolder())
	e.local.SetText(p.Local)
	e.local.OnChanged = e.localChanged
	e.localErr = newErrorLabel()
	chooseLocal := newKeyButton("Choose…", e.chooseLocal)

	e.remote = w.newEntry()
	e.remote.SetPlaceHolder("/Device/MountPoint")
	e.remote.SetText(p.Remote)
	e.remoteErr = newErrorLabel()
	browse := newKeyButton("Browse…", e.browseRemote)

	e.enabled = w.newCheck("Back up this folder", nil)
	e.enabled.SetChecked(p.Enabled)
	e.watch = w.newCheck("Back up changes as soon as they happen", nil)
	e.watch.SetChecked(p.Watch)
	e.hidden = w.newCheck("Include hidden files", nil)
	e.hidden.SetChecked(p.Hidden)
	e.interval = w.newSelect(intervalLabels(), nil)
	e.interval.SetSelected(intervalLabel(p.Interval))
	e.intervalErr = newErrorLabel()
	e.prune = w.newSelect(pruneChoices.labels(), nil)
	e.prune.SetSelected(pruneChoices.label(p.Prune))
	e.link = w.newSelect([]string{symlinksSkipLabel, symlinksFollowLabel}, nil)
	if p.Symlinks == SymlinksFollow {
		e.link.SetSelected(symlinksFollowLabel)
	} else {
		e.link.SetSelected(symlinksSkipLabel)
	}
	e.excludes = w.newMultiLineEntry()
	e.excludes.SetPlaceHolder("One pattern per line, e.g. *.tmp or node_modules/")
	e.excludes.SetText(strings.Join(p.Excludes, "\n"))
	e.excludes.SetMinRowsVisible(3)
	e.excludesErr = newErrorLabel()

	e.save = newKeyButton("Save", e.submit)
	e.save.Importance = widget.HighImportance
	e.cancel = newKeyButton("Cancel", func() { e.dlg.Hide() })

	form := container.NewVBox(
		widget.NewLabelWithStyle("Folder on this computer", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, chooseLocal, e.local), e.localErr,
		widget.NewLabelWithStyle("Place in JottaCloud", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, browse, e.remote), e.remoteErr,
		e.enabled,
		widget.NewForm(
			widget.NewFormItem("How often", e.interval),
			widget.NewFormItem("Deleted files", e.prune),
			widget.NewFormItem("Links", e.link),
		),
		e.intervalErr,
		e.watch, e.hidden,
		widget.NewLabel("Leave out"), e.excludes, e.excludesErr,
		newHelp("Removing a folder pair or choosing “Keep everything” never deletes anything in JottaCloud."),
	)
	title := "Add a folder"
	if e.orig.ID != "" {
		title = "Edit folder"
	}
	e.body = container.NewBorder(nil, container.NewHBox(layoutSpacer(), e.cancel, e.save), nil, nil,
		container.NewVScroll(form))
	e.dlg = dialog.NewCustomWithoutButtons(title, e.body, w.win)
	e.dlg.Resize(fyne.NewSize(620, 560))
	w.showDialog(e.dlg, e.dlg.Hide)
	return e
}

// localChanged proposes a remote place while the user has not chosen one.
func (e *pairEditor) localChanged(local string) {
	if e.orig.ID != "" || strings.TrimSpace(local) == "" {
		return
	}
	if e.remote.Text != "" && e.remote.Text != e.proposed {
		return // the user typed or browsed a remote place: keep it
	}
	host, _ := e.w.cfg.Hostname()
	e.proposed = ProposeRemote(local, host)
	e.remote.SetText(e.proposed)
}

func (e *pairEditor) chooseLocal() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		e.local.SetText(u.Path())
	}, e.w.win)
	e.w.showDialog(d, d.Hide)
}

// pair collects the form into a Pair.
func (e *pairEditor) pair() Pair {
	p := e.orig
	p.Local = strings.TrimSpace(e.local.Text)
	p.Remote = strings.TrimSpace(e.remote.Text)
	p.Enabled = e.enabled.Checked
	p.Watch = e.watch.Checked
	p.Hidden = e.hidden.Checked
	p.Interval = intervalFromLabel(e.interval.Selected)
	p.Prune = pruneChoices.value(e.prune.Selected)
	p.Symlinks = SymlinksSkip
	if e.link.Selected == symlinksFollowLabel {
		p.Symlinks = SymlinksFollow
	}
	p.Excludes = ParseExcludes(e.excludes.Text)
	p.Status = PairStatus{}
	return p
}

func (e *pairEditor) showErrors(m map[string]string) {
	setFieldError(e.localErr, m[FieldLocal])
	setFieldError(e.remoteErr, m[FieldRemote])
	setFieldError(e.intervalErr, m[FieldInterval])
	setFieldError(e.excludesErr, m[FieldExcludes])
	e.body.Refresh() // lay the form out again around the shown or hidden messages
}

func (e *pairEditor) submit() {
	w := e.w
	p := e.pair()
	if errs := CheckPair(p); len(errs) > 0 {
		m, _ := fieldMessages(errs)
		e.showErrors(m)
		return
	}
	e.showErrors(nil)
	e.save.Disable()
	background(w, "save folder", func(ctx context.Context) (Pair, error) { return w.b.SavePair(ctx, p) },
		func(_ Pair, err error) {
			e.save.Enable()
			if err != nil {
				if m, ok := fieldMessages(err); ok {
					e.showErrors(m)
				} else {
					w.fail("Could not save the folder", err)
				}
				return
			}
			w.showError("")
			e.dlg.Hide()
			w.refresh()
		})
}

func (e *pairEditor) browseRemote() {
	start := e.remote.Text
	if CheckRemote(start) != nil {
		host, _ := e.w.cfg.Hostname()
		start = ProposeRemote(e.local.Text, host)
	}
	openRemoteChooser(e.w, start, func(remote string) {
		e.remote.SetText(remote)
		setFieldError(e.remoteErr, "")
		e.body.Refresh()
	})
}
