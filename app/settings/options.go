package settings

import (
	"context"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/tray"
)

// optionsPage edits the application-wide options. There is no Save
// button: a change of a check box or of the tray icon is saved at once, typing is saved when
// it pauses (or on Enter), and a line under the form says it was saved.
// The service address is not offered here; it belongs in the
// configuration file, for test servers.
type optionsPage struct {
	w                           *Window
	content                     fyne.CanvasObject
	startAtLogin, notifications *escCheck
	skipBattery, skipMetered    *escCheck
	bandwidth, transfers        *escEntry
	bandwidthErr, transfersErr  *widget.Label
	trayIcon                    *escSelect
	saved                       *widget.Label
	loaded                      Options
	loading                     bool // show() is filling the fields: not a change

	mu    sync.Mutex
	timer *time.Timer // a save waiting for typing to pause
	delay time.Duration
}

// typingPause is how long typing must pause before an entry is saved.
const typingPause = 800 * time.Millisecond

func newOptionsPage(w *Window) *optionsPage {
	p := &optionsPage{w: w, delay: typingPause}
	check := func(label string) *escCheck { return w.newCheck(label, func(bool) { p.changed(0) }) }
	p.startAtLogin = check("Start JottaCloud Backup when I log in")
	p.notifications = check("Tell me when backups fail or need attention")
	p.skipBattery = check("Wait while the computer runs on battery")
	p.skipMetered = check("Wait while on a metered network (mobile data)")
	entry := func() *escEntry {
		e := w.newEntry()
		e.OnChanged = func(string) { p.changed(p.delay) }
		e.OnSubmitted = func(string) { p.changed(0) }
		return e
	}
	p.bandwidth = entry()
	p.bandwidth.SetPlaceHolder("no limit")
	p.bandwidthErr = newErrorLabel()
	p.transfers = entry()
	p.transfersErr = newErrorLabel()
	p.trayIcon = w.newSelect(trayLooks.labels(), func(string) { p.changed(0) })
	p.saved = widget.NewLabel("")

	p.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		p.startAtLogin, p.notifications, p.skipBattery, p.skipMetered,
		widget.NewSeparator(),
		widget.NewForm(
			widget.NewFormItem("Upload limit (kB/s)", container.NewVBox(p.bandwidth, p.bandwidthErr)),
			widget.NewFormItem("Parallel uploads", container.NewVBox(p.transfers, p.transfersErr)),
			widget.NewFormItem("Tray icon", p.trayIcon),
		),
		p.saved,
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
	p.loading = true
	defer func() { p.loading = false }()
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
	p.trayIcon.SetSelected(trayLooks.label(o.TrayIcon))
}

// trayLooks are the tray icon's looks with their labels.
var trayLooks = choices[string]{
	{tray.IconColour, "Colour"},
	{tray.IconLight, "Light panel (dark icon)"},
	{tray.IconDark, "Dark panel (white icon)"},
	{tray.IconAuto, "Automatic (as the desktop's light or dark style)"},
}

func (p *optionsPage) showErrors(m map[string]string) {
	setFieldError(p.bandwidthErr, m[FieldBandwidth])
	setFieldError(p.transfersErr, m[FieldTransfers])
	p.content.Refresh()
}

// changed saves the options after delay, or at once; it runs on the UI
// goroutine.
func (p *optionsPage) changed(delay time.Duration) {
	if p.loading {
		return
	}
	p.saved.SetText("")
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if delay <= 0 {
		p.submit()
		return
	}
	p.timer = time.AfterFunc(delay, func() { p.w.do(p.flush) })
}

// flush saves a change waiting for typing to pause.
func (p *optionsPage) flush() {
	p.mu.Lock()
	due := p.timer != nil
	p.timer = nil
	p.mu.Unlock()
	if due {
		p.submit()
	}
}

func (p *optionsPage) submit() {
	w := p.w
	o := p.loaded
	autostartBefore := o.StartAtLogin
	o.StartAtLogin = p.startAtLogin.Checked
	o.Notifications = p.notifications.Checked
	o.SkipOnBattery = p.skipBattery.Checked
	o.SkipOnMetered = p.skipMetered.Checked
	o.TrayIcon = trayLooks.value(p.trayIcon.Selected)
	if errs := CheckOptions(&o, p.bandwidth.Text, p.transfers.Text); len(errs) > 0 {
		m, _ := fieldMessages(errs)
		p.showErrors(m)
		return
	}
	p.showErrors(nil)
	backgroundErr(w, "save options", func(ctx context.Context) error { return w.b.SaveOptions(ctx, o) }, func(err error) {
		if err != nil {
			if m, ok := fieldMessages(err); ok {
				p.showErrors(m)
			} else {
				w.fail("Could not save the options", err)
			}
			return
		}
		p.loaded = o
		p.saved.SetText("Changes are saved.")
		time.AfterFunc(4*time.Second, func() {
			w.do(func() {
				if p.saved.Text == "Changes are saved." {
					p.saved.SetText("")
				}
			})
		})
		if o.StartAtLogin != autostartBefore {
			p.load() // show what the system reports: whether start at login took effect
		}
	})
}
