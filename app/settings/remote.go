package settings

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/app/message"
	"jottacloudclient/jotta"
)

// remoteChooser browses the account's devices and mount points. The fields
// accept new names too, so a new device or mount point can be typed.
type remoteChooser struct {
	w            *Window
	dlg          dialog.Dialog
	device       *escSelectEntry
	mount        *escSelectEntry
	folder       *escEntry
	preview      *widget.Label
	note         *widget.Label // what the chosen mount point is, when it is special
	errLabel     *widget.Label
	ok, cancel   *keyButton
	body         fyne.CanvasObject
	loadedDevice string
	startDevice  string // the device the chooser opened with
}

func openRemoteChooser(w *Window, start string, chosen func(string)) *remoteChooser {
	c := &remoteChooser{w: w}
	w.chooser = c
	dev, mnt, dir := SplitRemote(start)
	c.device = w.newSelectEntry()
	c.device.SetText(dev)
	c.mount = w.newSelectEntry()
	c.mount.SetText(mnt)
	c.folder = w.newEntry()
	c.folder.SetPlaceHolder("optional sub-folder")
	c.folder.SetText(dir)
	c.startDevice = dev
	c.preview = widget.NewLabel("")
	c.preview.Wrapping = fyne.TextWrapWord
	c.note = newHelp("")
	c.note.Importance = widget.WarningImportance
	c.note.Hide()
	c.errLabel = newErrorLabel()
	c.device.OnChanged = func(string) { c.update(); c.loadMounts() }
	c.mount.OnChanged = func(string) { c.update() }
	c.folder.OnChanged = func(string) { c.update() }

	c.ok = newKeyButton("Use this place", func() {
		r := c.remote()
		if e := CheckRemote(r); e != nil {
			c.setError(e.Message)
			return
		}
		c.dlg.Hide()
		chosen(r)
	})
	c.ok.Importance = widget.HighImportance
	c.cancel = newKeyButton("Cancel", func() { c.dlg.Hide() })

	form := container.NewVBox(
		newHelp("A device is usually a computer; a mount point is a top folder on it. Pick existing ones or type new names."),
		widget.NewForm(
			widget.NewFormItem("Device", c.device),
			widget.NewFormItem("Mount point", c.mount),
			widget.NewFormItem("Folder", c.folder),
		),
		c.preview, c.note, c.errLabel,
	)
	c.body = container.NewBorder(nil, container.NewHBox(layoutSpacer(), c.cancel, c.ok), nil, nil, form)
	c.dlg = dialog.NewCustomWithoutButtons("Choose a place in JottaCloud", c.body, w.win)
	c.dlg.Resize(fyne.NewSize(520, 320))
	c.update()
	w.showDialog(c.dlg, c.dlg.Hide)

	background(w, "list devices", w.b.Devices, func(devs []string, err error) {
		if err != nil {
			c.setError("Could not list the devices in the account: " + message.Text(err))
			return
		}
		c.device.SetOptions(devs)
	})
	c.loadMounts()
	return c
}

func (c *remoteChooser) remote() string {
	return JoinRemote(c.device.Text, c.mount.Text, c.folder.Text)
}

func (c *remoteChooser) update() {
	c.preview.SetText("Files go to: " + c.remote())
	info := jotta.ClassifyMountPoint(strings.TrimSpace(c.device.Text), strings.TrimSpace(c.mount.Text))
	if info.Use != jotta.MountPointFolder && info.Note != "" {
		c.note.SetText(info.Note)
		c.note.Show()
	} else {
		c.note.Hide()
	}
	if c.errLabel.Visible() {
		c.setError("")
	}
	c.body.Refresh()
}

func (c *remoteChooser) setError(msg string) {
	setFieldError(c.errLabel, msg)
	c.body.Refresh()
}

// loadMounts lists the mount points of the device in the device field.
func (c *remoteChooser) loadMounts() {
	dev := c.device.Text
	if dev == "" || dev == c.loadedDevice {
		return
	}
	c.loadedDevice = dev
	w := c.w
	background(w, "list mount points", func(ctx context.Context) ([]string, error) { return w.b.MountPoints(ctx, dev) },
		func(ms []string, err error) {
			if c.device.Text != dev {
				return
			}
			// The mount point chosen on another device does not carry over.
			if dev != c.startDevice && !slices.Contains(ms, c.mount.Text) {
				c.mount.SetText("")
			}
			if err != nil {
				return // a new device has no mount points yet; a typed name is fine
			}
			c.mount.SetOptions(ms)
		})
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }
