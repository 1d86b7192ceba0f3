package tray

import "sync"

// Shell is the desktop's tray area: one icon with a title, a tooltip and
// an attention flag, and a menu whose items keep their identity from the
// moment they are added. Systray is the real one; tests use a fake.
type Shell interface {
	// AddItem appends a menu item; onClick runs on a goroutine of the shell.
	AddItem(label string, onClick func()) ShellItem
	AddSeparator()
	// SetIcon shows an icon given as PNG images of several sizes,
	// smallest first; the desktop picks the one that fits.
	SetIcon(sizes [][]byte)
	SetTitle(title string)
	SetTooltip(text string)
	// SetNeedsAttention marks the item as needing the user (a failed backup).
	SetNeedsAttention(on bool)
}

// ShellItem is one menu item of a Shell, changed in place.
type ShellItem interface {
	SetLabel(label string)
	SetEnabled(on bool)
}

// menuItem remembers what its shell item shows, so the shell hears only
// of real changes: each change is a D-Bus signal a panel acts upon.
type menuItem struct {
	mu      sync.Mutex
	label   string
	enabled bool
	onClick func()
	shell   ShellItem // nil until attached
}

func newMenuItem(label string, onClick func()) *menuItem {
	return &menuItem{label: label, onClick: onClick}
}

func (m *menuItem) attach(s Shell) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.shell = s.AddItem(m.label, m.click)
	m.shell.SetEnabled(m.enabled)
}

func (m *menuItem) click() {
	m.mu.Lock()
	on, f := m.enabled, m.onClick
	m.mu.Unlock()
	if on && f != nil {
		f()
	}
}

func (m *menuItem) set(label string, enabled bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if label != m.label {
		m.label = label
		if m.shell != nil {
			m.shell.SetLabel(label)
		}
	}
	if enabled != m.enabled {
		m.enabled = enabled
		if m.shell != nil {
			m.shell.SetEnabled(enabled)
		}
	}
}

func (m *menuItem) get() (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.label, m.enabled
}
