package tray

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"runtime"

	"fyne.io/systray"
)

// Systray is the Shell of fyne.io/systray: a StatusNotifierItem with a
// dbusmenu on Linux and the BSDs, the notification area on Windows, the
// menu bar on macOS. Its menu items keep their ids for the life of the
// process.
type Systray struct {
	end  func()
	item *statusItem // nil where the platform needs none (not Linux) or it failed
}

// StartSystray shows the tray item. onTap runs on a left click of the icon
// where the desktop sends one. On Linux the caller must have checked that
// a session bus exists: fyne.io/systray cannot stop without one.
func StartSystray(onTap func()) (*Systray, error) {
	if onTap != nil {
		systray.SetOnTapped(onTap)
	}
	start, end := systray.RunWithExternalLoop(nil, nil)
	start()
	s := &Systray{end: end}
	item, err := exportStatusItem(onTap != nil)
	if err != nil {
		return s, err
	}
	s.item = item
	return s, nil
}

// Stop removes the tray item.
func (s *Systray) Stop() { s.end() }

type systrayItem struct{ m *systray.MenuItem }

func (i systrayItem) SetLabel(l string) { i.m.SetTitle(l) }
func (i systrayItem) SetEnabled(on bool) {
	if on {
		i.m.Enable()
	} else {
		i.m.Disable()
	}
}

// AddItem implements Shell.
func (s *Systray) AddItem(label string, onClick func()) ShellItem {
	m := systray.AddMenuItem(label, "")
	go func() {
		for range m.ClickedCh {
			onClick()
		}
	}()
	return systrayItem{m}
}

// AddSeparator implements Shell.
func (s *Systray) AddSeparator() { systray.AddSeparator() }

// SetIcon implements Shell.
func (s *Systray) SetIcon(sizes [][]byte) {
	if len(sizes) == 0 {
		return
	}
	if s.item != nil {
		s.item.setIcon(sizes)
		return
	}
	pngData := sizes[len(sizes)-1]
	if runtime.GOOS == "windows" {
		pngData = icoFromPNG(pngData)
	}
	systray.SetIcon(pngData)
}

// SetTitle implements Shell. macOS shows the title as text next to the
// icon in the menu bar, so it gets none there.
func (s *Systray) SetTitle(t string) {
	switch {
	case s.item != nil:
		s.item.setTitle(t)
	case runtime.GOOS != "darwin":
		systray.SetTitle(t)
	}
}

// SetTooltip implements Shell.
func (s *Systray) SetTooltip(t string) {
	if s.item != nil {
		s.item.setTooltip(t)
		return
	}
	systray.SetTooltip(t)
}

// SetNeedsAttention implements Shell; only StatusNotifierItems have it.
func (s *Systray) SetNeedsAttention(on bool) {
	if s.item != nil {
		s.item.setNeedsAttention(on)
	}
}

// icoFromPNG wraps a PNG in an ICO container, which Windows reads since Vista.
func icoFromPNG(data []byte) []byte {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return data
	}
	dim := func(n int) byte {
		if n >= 256 {
			return 0
		}
		return byte(n)
	}
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, 1}) // reserved, type icon, one image
	b.Write([]byte{dim(cfg.Width), dim(cfg.Height), 0, 0})
	_ = binary.Write(&b, binary.LittleEndian, [2]uint16{1, 32})                     // planes, bits per pixel
	_ = binary.Write(&b, binary.LittleEndian, [2]uint32{uint32(len(data)), 6 + 16}) // size, offset
	b.Write(data)
	return b.Bytes()
}
