//go:build !((linux || freebsd || openbsd || netbsd) && !android)

package tray

// statusItem exists only where the tray is a StatusNotifierItem.
type statusItem struct{}

func exportStatusItem(bool) (*statusItem, error) { return nil, nil }

func (*statusItem) setIcon([][]byte)       {}
func (*statusItem) setTitle(string)        {}
func (*statusItem) setTooltip(string)      {}
func (*statusItem) setNeedsAttention(bool) {}
