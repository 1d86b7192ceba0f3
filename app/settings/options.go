package settings

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// optionsPage edits the application-wide options.
type optionsPage struct {
	w                                      *Window
	content                                fyne.CanvasObject
	startAtLogin, notifications            *widget.Check
	skipBattery, skipMetered               *widget.Check
	bandwidth, transfers, endpoint         *widget.Entry
	bandwidthErr, transfersErr, endpointEr *widget.Label
	save                                   *widget.Button
	saved                                  *widget.Label
	loaded                                 Options
}

func newOptionsPage(w *Window) *optionsPage {
	p := &optionsPage{w: w}
	p.startAtLogin = widget.NewCheck("Start JottaCloud Backup when I log in", nil)
	p.notifications = widget.NewCheck("Tell me when backups fail or need attention", nil)
	p.skipBattery = widget.NewCheck("Wait while the computer runs on battery", nil)
	p.skipMetered = widget.NewCheck("Wait while on a metered network (mobile data)", nil)
	p.bandwidth = widget.NewEntry()
	p.bandwidth.SetPlaceHolder("no limit")
	p.bandwidthErr = newErrorLabel()
	p.transfers = widget.NewEntry()
	p.transfersErr = newErrorLabel()
	p.endpoint = widget.NewEntry()
	p.endpoint.SetPlaceHolder("JottaCloud (default)")
	p.endpointEr = newErrorLabel()
	p.save = widget.NewButton("Save", p.submit)
	p.save.Importance = widget.HighImportance
	p.saved = widget.NewLabel("")

	p.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		p.startAtLogin, p.notifications, p.skipBattery, p.skipMetered,
		widget.NewForm(
			widget.NewFormItem("Upload limit (kB/s)", container.NewVBox(p.bandwidth, p.bandwidthErr)),
			widget.NewFormItem("Parallel uploads", container.NewVBox(p.transfers, p.transfersErr)),
		),
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Advanced", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewForm(widget.NewFormItem("Service address", container.NewVBox(p.endpoint, p.endpointEr))),
		newHelp("Only change the service address to use a test server; leave it empty for JottaCloud."),
		container.NewHBox(p.save, p.saved),
	)))
	return p
}

func (p *optionsPage) load() {
	w := p.w
	background(w, "load options", w.b.Options, func(o Options, err error) {
		if err != nil {
			w.fail("Could not read the options", err)
			return
		}
		p.show(o)
	})
}

func (p *optionsPage) show(o Options) {
	p.loaded = o
	p.startAtLogin.SetChecked(o.StartAtLogin)
	p.notifications.SetChecked(o.Notifications)
	p.skipBattery.SetChecked(o.SkipOnBattery)
	p.skipMetered.SetChecked(o.SkipOnMetered)
	if o.BandwidthKBps > 0 {
		p.bandwidth.SetText(strconv.FormatInt(o.BandwidthKBps, 10))
	} else {
		p.bandwidth.SetText("")
	}
	p.transfers.SetText(strconv.Itoa(o.Transfers))
	p.endpoint.SetText(o.Endpoint)
}

func (p *optionsPage) showErrors(m map[string]string) {
	setFieldError(p.bandwidthErr, m[FieldBandwidth])
	setFieldError(p.transfersErr, m[FieldTransfers])
	setFieldError(p.endpointEr, m[FieldEndpoint])
	p.content.Refresh()
}

func (p *optionsPage) submit() {
	w := p.w
	o := p.loaded
	o.StartAtLogin = p.startAtLogin.Checked
	o.Notifications = p.notifications.Checked
	o.SkipOnBattery = p.skipBattery.Checked
	o.SkipOnMetered = p.skipMetered.Checked
	o.Endpoint = p.endpoint.Text
	p.saved.SetText("")
	if errs := CheckOptions(&o, p.bandwidth.Text, p.transfers.Text); len(errs) > 0 {
		m, _ := fieldMessages(errs)
		p.showErrors(m)
		return
	}
	p.showErrors(nil)
	p.save.Disable()
	backgroundErr(w, "save options", func(ctx context.Context) error { return w.b.SaveOptions(ctx, o) }, func(err error) {
		p.save.Enable()
		if err != nil {
			if m, ok := fieldMessages(err); ok {
				p.showErrors(m)
			} else {
				w.fail("Could not save the options", err)
			}
			return
		}
		p.loaded = o
		p.saved.SetText("Saved.")
		p.load() // show what the system reports, e.g. whether start at login took effect
	})
}
