package settings

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne's ready-made dialogs (dialog.NewConfirm, NewInformation, NewCustom
// and the like) draw their buttons themselves, and a focused one swallows
// Escape and ignores Enter. The window's dialogs are drawn as those are,
// from dialog.NewCustomWithoutButtons with keyButtons, which press on
// Enter and hand Escape to the window; showDialog makes Escape do what the
// dismissing button does.

// Fyne's sizes for a dialog that says a message (dialog/text.go): as wide
// as the message on one line, at most textDialogMaxWidth and at most
// textDialogMaxShare of the window, plus the dialog's padding.
const (
	textDialogMaxWidth float32 = 600
	textDialogMaxShare float32 = .9
	dialogPadWidth     float32 = 32
)

// confirm asks a question as dialog.NewConfirm does: message under the
// title with a question mark, dismissLabel with a cross on the left and
// confirmLabel with a tick, highlighted, on the right. onResult(true) runs
// after the confirming button, onResult(false) after the other one or
// Escape; the dialog is closed before either.
func (w *Window) confirm(title, message, confirmLabel, dismissLabel string, onResult func(bool)) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title,
		&widget.Label{Text: message, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}, w.win)
	d.SetIcon(theme.QuestionIcon())
	answer := func(ok bool) func() {
		return func() {
			d.Hide()
			onResult(ok)
		}
	}
	no := newKeyButton(dismissLabel, answer(false))
	no.Icon = theme.CancelIcon()
	yes := newKeyButton(confirmLabel, answer(true))
	yes.Icon, yes.Importance = theme.ConfirmIcon(), widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{no, yes})

	width := widget.NewLabel(message).MinSize().Width + dialogPadWidth + 2*theme.Padding()
	width = min(width, textDialogMaxWidth, w.win.Canvas().Size().Width*textDialogMaxShare)
	d.Resize(fyne.NewSize(width, d.MinSize().Height))
	w.showDialog(d, answer(false))
	return d
}

// showCustom shows content as dialog.NewCustom does, of the given size,
// over one button, dismissLabel, that closes it as Escape does.
func (w *Window) showCustom(title, dismissLabel string, content fyne.CanvasObject, size fyne.Size) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, w.win)
	d.SetButtons([]fyne.CanvasObject{newKeyButton(dismissLabel, d.Hide)})
	d.Resize(size)
	w.showDialog(d, d.Hide)
	return d
}
