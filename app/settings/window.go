package settings

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jottacloudclient/app/message"
	"jottacloudclient/tray"
)

// Config adapts the window to its surroundings. Every field is optional.
type Config struct {
	// Hostname names this computer for proposed remote paths (os.Hostname if nil).
	Hostname func() (string, error)
	// OpenFolder shows a folder in the file manager (the app's OpenURL if nil).
	OpenFolder func(path string) error
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	Log *slog.Logger
}

// Window is the settings window. Create it with New; it starts hidden.
type Window struct {
	app fyne.App
	win fyne.Window
	b   Backend
	cfg Config
	log *slog.Logger

	ctx     context.Context
	cancel  context.CancelFunc
	pending sync.WaitGroup // background calls in flight
	uiMu    sync.Mutex     // serialises results applied from background calls

	accountLine *widget.Label   // a state of the whole account, said once
	banner      *widget.Label   // errors that belong to no field
	bannerBox   *fyne.Container // the banner with its close button
	paused      *widget.Label   // says until when backups are paused
	pausedBox   *fyne.Container // the paused line with its Resume button
	notice      *widget.Label   // how to reach the app when no tray icon can be seen
	tips        *tipLayer       // tooltips over the window's content

	welcome  *welcomePage
	tabs     *container.AppTabs
	folders  *foldersPage
	activity *activityPage
	options  *optionsPage
	account  *accountPage

	signedIn  bool
	pageShown bool // the welcome page or the tabs are in the window
	pairs     []Pair

	editor  *pairEditor                  // the last pair editor opened
	chooser *remoteChooser               // the last remote chooser opened
	cancels map[fyne.CanvasObject]func() // what Escape does on each open dialog (see showDialog)

	onRefresh func() // test hook: called after a refresh has been shown
}

// New builds the window and starts loading its content from b.
func New(a fyne.App, b Backend, cfg Config) *Window {
	if cfg.Hostname == nil {
		cfg.Hostname = os.Hostname
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w := &Window{app: a, b: b, cfg: cfg, log: log, cancels: map[fyne.CanvasObject]func(){}}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	if cfg.OpenFolder == nil {
		w.cfg.OpenFolder = func(path string) error {
			return a.OpenURL(&url.URL{Scheme: "file", Path: path})
		}
	}
	w.win = a.NewWindow("JottaCloud Backup")
	w.win.Resize(fyne.NewSize(760, 580))
	w.tips = newTipLayer(w.do)
	w.banner = widget.NewLabel("")
	w.banner.Wrapping = fyne.TextWrapWord
	w.banner.Importance = widget.DangerImportance
	closeBanner := newKeyButton("", func() { w.showError("") })
	closeBanner.Icon = theme.CancelIcon()
	w.bannerBox = container.NewBorder(nil, nil, nil, closeBanner, w.banner)
	w.bannerBox.Hide()
	w.paused = widget.NewLabel("")
	w.paused.Importance = widget.WarningImportance
	w.paused.Wrapping = fyne.TextWrapWord
	w.pausedBox = container.NewBorder(nil, nil, nil, newKeyButton("Resume", w.resume), w.paused)
	w.pausedBox.Hide()
	w.accountLine = newErrorLabel()
	w.notice = newHelp("Your desktop shows no tray icons, so this window is the way to JottaCloud Backup. " +
		"Backups run while it is open; closing it quits the app. Turn on “Start JottaCloud Backup when I log in” in Options to have it back after you log in.")
	w.notice.Importance = widget.WarningImportance
	w.notice.Hide()

	w.welcome = newWelcomePage(w)
	w.folders = newFoldersPage(w)
	w.activity = newActivityPage(w)
	w.options = newOptionsPage(w)
	w.account = newAccountPage(w)
	w.tabs = container.NewAppTabs(
		container.NewTabItem("Folders", w.folders.content),
		container.NewTabItem("Activity", w.activity.content),
		container.NewTabItem("Options", w.options.content),
		container.NewTabItem("Account", w.account.content),
	)
	w.setBody(widget.NewLabel("Loading…"))

	w.win.Canvas().SetOnTypedKey(w.typedKey)
	escapes.Store(w.win.Canvas(), w.escape)
	w.refresh()
	w.options.load()
	go w.watch()
	return w
}

// Window is the underlying fyne window (for close handling and tests).
func (w *Window) Window() fyne.Window { return w.win }

// Show brings the window to the front and reloads its content.
func (w *Window) Show() {
	w.win.Show()
	w.win.RequestFocus()
	w.refresh()
}

// SetTrayVisible says whether a tray icon leads back to the window; when
// none does, the window says how to reach the app.
func (w *Window) SetTrayVisible(on bool) {
	if on {
		w.notice.Hide()
	} else {
		w.notice.Show()
	}
}

// Hide hides the window; background work goes on.
func (w *Window) Hide() { w.win.Hide() }

// Stop ends background work (loading and following changes). Call it when
// the application quits; the window itself belongs to the application.
func (w *Window) Stop() {
	escapes.Delete(w.win.Canvas())
	w.cancel()
	w.pending.Wait()
}

// watch refreshes the window whenever the backend reports a change.
func (w *Window) watch() {
	ch := w.b.Changes(w.ctx)
	for {
		select {
		case <-w.ctx.Done():
			return
		case _, ok := <-ch:
			if !ok {
				return
			}
			w.refresh()
		}
	}
}

// refresh reloads the account, the pairs and the activity.
func (w *Window) refresh() {
	background(w, "load account", w.b.Account, func(a Account, err error) {
		if err != nil {
			w.fail("Could not read the account", err)
			return
		}
		w.setAccount(a)
		if !a.SignedIn {
			w.notifyRefreshed()
			return
		}
		background(w, "load folders", w.b.Pairs, func(ps []Pair, err error) {
			if err != nil {
				w.fail("Could not read the folders", err)
			} else {
				w.pairs = ps
				w.folders.show(ps)
			}
			background(w, "load activity", w.b.Activity, func(a Activity, err error) {
				if err == nil {
					w.activity.show(a)
					w.showPaused(a)
					setFieldError(w.accountLine, a.Account)
				}
				w.notifyRefreshed()
			})
		})
	})
}

func (w *Window) notifyRefreshed() {
	if w.onRefresh != nil {
		w.onRefresh()
	}
}

// setAccount switches between the first-run page and the tabs.
func (w *Window) setAccount(a Account) {
	w.account.show(a)
	if w.pageShown && a.SignedIn == w.signedIn {
		return
	}
	w.pageShown, w.signedIn = true, a.SignedIn
	var body fyne.CanvasObject = w.tabs
	if !a.SignedIn {
		body = w.welcome.content
	} else {
		w.tabs.SelectIndex(0)
	}
	w.setBody(body)
	if !a.SignedIn {
		// A fresh start: nothing of an earlier sign-in, and the token field ready.
		w.welcome.token.SetText("")
		w.welcome.setTokenError("")
		w.showError("")
		w.win.Canvas().Focus(w.welcome.token)
	}
}

// typedKey handles keys no widget took: Escape closes the dialog on top.
func (w *Window) typedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		w.escape()
	}
}

// setBody shows body under the messages above every page, with the
// layer of tooltips over both.
func (w *Window) setBody(body fyne.CanvasObject) {
	w.win.SetContent(w.tips.wrap(container.NewBorder(w.top(), nil, nil, nil, body)))
}

// top holds the messages above every page.
func (w *Window) top() fyne.CanvasObject {
	return container.NewVBox(w.notice, w.accountLine, w.pausedBox, w.bannerBox)
}

// showPaused shows or hides the paused line.
func (w *Window) showPaused(a Activity) {
	if !a.Paused {
		w.pausedBox.Hide()
		return
	}
	text := "Backups are paused until you resume them."
	if !a.PausedUntil.IsZero() {
		text = "Backups are paused until " + tray.FormatClock(a.PausedUntil, w.cfg.Now()) + "."
	}
	w.paused.SetText(text)
	w.pausedBox.Show()
}

// resume ends a pause.
func (w *Window) resume() {
	backgroundErr(w, "resume", w.b.Resume, func(err error) {
		if err != nil {
			w.fail("Could not resume the backups", err)
			return
		}
		w.refresh()
	})
}

// fail shows what could not be done and why, in the words of the message
// mapping; the technical detail goes to the log.
func (w *Window) fail(what string, err error) {
	w.log.Warn("settings: "+what, "err", err)
	w.showError(what + ": " + message.Text(err))
}

// showError shows a message that belongs to no field; "" clears it.
func (w *Window) showError(msg string) {
	w.banner.SetText(msg)
	if msg == "" {
		w.bannerBox.Hide()
	} else {
		w.bannerBox.Show()
	}
	if c := w.win.Content(); c != nil {
		c.Refresh()
	}
}

// do runs f with the UI: on the UI goroutine, one at a time.
func (w *Window) do(f func()) {
	fyne.Do(func() {
		w.uiMu.Lock()
		defer w.uiMu.Unlock()
		if w.ctx.Err() == nil {
			f()
		}
	})
}

// Sync runs f with the window's widgets to itself: results of background
// calls are applied before or after f, never during it. It is for code
// that drives the window from outside, such as integration tests.
func (w *Window) Sync(f func()) {
	w.uiMu.Lock()
	defer w.uiMu.Unlock()
	f()
}

// waitIdle blocks until every background call and its UI update finished.
func (w *Window) waitIdle() { w.pending.Wait() }

// background calls call off the UI goroutine and hands the result to done on it.
func background[T any](w *Window, what string, call func(context.Context) (T, error), done func(T, error)) {
	w.pending.Add(1)
	go func() {
		defer w.pending.Done()
		v, err := call(w.ctx)
		if err != nil {
			w.log.Warn("settings: "+what+" failed", "err", err)
		}
		if w.ctx.Err() != nil {
			return
		}
		w.do(func() { done(v, err) })
	}()
}

// backgroundErr is background for calls that return only an error.
func backgroundErr(w *Window, what string, call func(context.Context) error, done func(error)) {
	background(w, what, func(ctx context.Context) (struct{}, error) { return struct{}{}, call(ctx) },
		func(_ struct{}, err error) { done(err) })
}

// newErrorLabel is a hidden red label shown under a field.
func newErrorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// setFieldError shows msg in l, and hides l when there is none.
func setFieldError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func newHelp(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}
