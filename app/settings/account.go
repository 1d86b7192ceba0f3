package settings

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/assets"
	"jottacloudclient/tray"
)

// welcomePage is the first-run page: sign in with a token or try the demo.
type welcomePage struct {
	w        *Window
	content  fyne.CanvasObject
	token    *escEntry
	tokenErr *widget.Label
	signIn   *keyButton
	demo     *keyButton
	busy     *widget.ProgressBarInfinite
}

func newWelcomePage(w *Window) *welcomePage {
	p := &welcomePage{w: w}
	icon := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.AppIcon))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(72, 72))
	title := widget.NewLabelWithStyle("Welcome to JottaCloud Backup", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := newHelp("Back up folders from this computer to your JottaCloud account. Changes are backed up automatically.")

	p.token = w.newPasswordEntry()
	p.token.SetPlaceHolder("Paste your personal login token")
	p.token.OnSubmitted = func(string) { p.submit() }
	p.tokenErr = newErrorLabel()
	p.signIn = newKeyButton("Sign in", p.submit)
	p.signIn.Importance = widget.HighImportance
	p.demo = newKeyButton("Try the demo", p.startDemo)
	p.busy = widget.NewProgressBarInfinite()
	p.busy.Stop()
	p.busy.Hide()

	p.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		container.NewBorder(nil, nil, icon, nil, container.NewVBox(title, intro)),
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Sign in", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		newHelp(tokenHelp),
		p.token,
		p.tokenErr,
		container.NewHBox(p.signIn),
		p.busy,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("No account, or just looking?", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		newHelp("The demo runs a pretend JottaCloud on this computer with a demo account, so you can try everything. Nothing leaves this computer."),
		container.NewHBox(p.demo),
	)))
	return p
}

func (p *welcomePage) setBusy(on bool) {
	if on {
		p.signIn.Disable()
		p.demo.Disable()
		p.busy.Show()
		p.busy.Start()
	} else {
		p.signIn.Enable()
		p.demo.Enable()
		p.busy.Stop()
		p.busy.Hide()
	}
	p.content.Refresh()
}

func (p *welcomePage) setTokenError(msg string) {
	setFieldError(p.tokenErr, msg)
	p.content.Refresh()
}

func (p *welcomePage) submit() {
	w := p.w
	tok := p.token.Text
	if e := CheckToken(tok); e != nil {
		p.setTokenError(e.Message)
		return
	}
	p.setTokenError("")
	w.showError("")
	p.setBusy(true)
	background(w, "sign in", func(ctx context.Context) (Account, error) { return w.b.SignIn(ctx, tok) },
		func(a Account, err error) {
			p.setBusy(false)
			if err != nil {
				if m, ok := fieldMessages(err); ok {
					p.setTokenError(m[FieldToken])
				} else {
					w.fail("Signing in failed", err)
				}
				return
			}
			p.token.SetText("")
			w.setAccount(a)
			w.refresh()
		})
}

func (p *welcomePage) startDemo() {
	w := p.w
	w.showError("")
	p.setBusy(true)
	background(w, "start demo", w.b.StartDemo, func(a Account, err error) {
		p.setBusy(false)
		if err != nil {
			w.fail("The demo could not start", err)
			return
		}
		w.setAccount(a)
		w.refresh()
	})
}

// accountPage shows who is signed in, how much of the account's storage
// is used, and signs out.
type accountPage struct {
	w       *Window
	content fyne.CanvasObject
	who     *widget.Label
	detail  *widget.Label
	storage *widget.ProgressBar
	used    *widget.Label
	signOut *keyButton
}

func newAccountPage(w *Window) *accountPage {
	p := &accountPage{w: w}
	p.who = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.detail = newHelp("")
	p.storage = widget.NewProgressBar()
	p.storage.TextFormatter = func() string { return "" }
	p.storage.Hide()
	p.used = widget.NewLabel("")
	p.signOut = newKeyButton("Sign out", p.confirmSignOut)
	p.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		p.who, p.detail, p.storage, p.used, container.NewHBox(p.signOut))))
	return p
}

func (p *accountPage) show(a Account) {
	switch {
	case !a.SignedIn:
		p.who.SetText("Not signed in")
		p.detail.SetText("")
	case a.Demo:
		p.who.SetText("Signed in to the demo as " + a.User)
		p.detail.SetText("The demo keeps everything on this computer and nothing leaves it. " +
			"Signing out ends the demo and deletes its files and folders list; then sign in with a personal login token to back up to JottaCloud.")
	default:
		p.who.SetText("Signed in as " + a.User)
		p.detail.SetText("")
	}
	if !a.SignedIn {
		p.storage.Hide()
		p.used.SetText("")
		return
	}
	background(p.w, "read storage use", p.w.b.Storage, func(st Storage, err error) {
		p.showStorage(st, err)
	})
}

// showStorage draws the storage bar, like the official app's.
func (p *accountPage) showStorage(st Storage, err error) {
	switch {
	case err != nil:
		p.storage.Hide()
		p.used.SetText("Storage use is not known right now.")
	case st.Total < 0:
		p.storage.Hide()
		p.used.SetText(tray.FormatBytes(st.Used) + " used of unlimited storage")
	case st.Total > 0:
		p.storage.SetValue(min(1, float64(st.Used)/float64(st.Total)))
		p.storage.Show()
		p.used.SetText(fmt.Sprintf("%s of %s used (%d%%)", tray.FormatBytes(st.Used), tray.FormatBytes(st.Total), st.Used*100/st.Total))
	default:
		p.storage.Hide()
		p.used.SetText(tray.FormatBytes(st.Used) + " used")
	}
}

func (p *accountPage) confirmSignOut() {
	w := p.w
	w.confirm("Sign out?",
		"Backups stop until you sign in again. Your folders, their settings and everything already in JottaCloud are kept.",
		"Sign out", "No", func(ok bool) {
			if !ok {
				return
			}
			backgroundErr(w, "sign out", w.b.SignOut, func(err error) {
				if err != nil {
					w.fail("Signing out failed", err)
					return
				}
				w.refresh()
			})
		})
}
