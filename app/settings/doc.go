// Package settings is the settings window: first-run sign-in (personal login
// token or the built-in demo), folder pairs, activity and problems, and
// options. It talks to the rest of the program only through the Backend
// interface it defines; every Backend call runs off the UI goroutine and
// results come back through fyne.Do. Input is checked here and by the
// Backend, and errors are shown next to the field they concern. It must not
// import fyne.io/fyne/v2/app (only the main package creates the application).
package settings
