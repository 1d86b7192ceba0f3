//go:build (linux || freebsd || openbsd || netbsd) && !android

package tray

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"os"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

const (
	itemPath  = dbus.ObjectPath("/StatusNotifierItem")
	itemIface = "org.kde.StatusNotifierItem"
)

// statusItem serves the properties of the StatusNotifierItem that
// fyne.io/systray exports, in place of its own table, which cannot say
// NeedsAttention. fyne.io/systray keeps serving the menu, registering with
// the watcher and the Activate calls. Each change is one signal, sent only
// by this type: NewIcon, NewTitle, NewToolTip or NewStatus.
type statusItem struct {
	conn  *dbus.Conn
	props *prop.Properties
}

// pixmap is one image of the IconPixmap property: ARGB32 in network byte order.
type pixmap struct {
	W, H int32
	Data []byte
}

// toolTip is the ToolTip property: icon name, icon pixmaps, title, text.
type toolTip struct {
	Icon   string
	Pixmap []pixmap
	Title  string
	Text   string
}

// exportStatusItem replaces the item's property table on the session bus
// (fyne.io/systray has just exported its own at the same path).
func exportStatusItem(tappable bool) (*statusItem, error) {
	conn, err := dbus.SessionBus()
	if err != nil {
		return nil, err
	}
	ro := func(v any) *prop.Prop { return &prop.Prop{Value: v, Emit: prop.EmitFalse} }
	spec := prop.Map{itemIface: {
		"Status":        ro("Active"),
		"Title":         ro(Title),
		"Id":            ro(fmt.Sprintf("jottacloudclient_%d", os.Getpid())),
		"Category":      ro("ApplicationStatus"),
		"IconName":      ro(""),
		"IconPixmap":    ro([]pixmap{}),
		"IconThemePath": ro(""),
		"ItemIsMenu":    ro(!tappable),
		"Menu":          ro(dbus.ObjectPath("/StatusNotifierItem/menu")),
		"ToolTip":       ro(toolTip{Pixmap: []pixmap{}, Title: Title}),
	}}
	props, err := prop.Export(conn, itemPath, spec)
	if err != nil {
		return nil, fmt.Errorf("export the tray item's properties: %w", err)
	}
	return &statusItem{conn: conn, props: props}, nil
}

func (s *statusItem) set(name string, v any, signal string, args ...any) {
	s.props.SetMust(itemIface, name, v)
	_ = s.conn.Emit(itemPath, itemIface+"."+signal, args...) // fails only when the bus is gone, as the app ends
}

func (s *statusItem) setIcon(sizes [][]byte) {
	pix := make([]pixmap, 0, len(sizes))
	for _, data := range sizes {
		pix = append(pix, toPixmap(data))
	}
	s.set("IconPixmap", pix, "NewIcon")
}

func (s *statusItem) setTitle(t string) { s.set("Title", t, "NewTitle") }

func (s *statusItem) setTooltip(t string) {
	s.set("ToolTip", toolTip{Pixmap: []pixmap{}, Title: t}, "NewToolTip")
}

func (s *statusItem) setNeedsAttention(on bool) {
	status := "Active"
	if on {
		status = "NeedsAttention"
	}
	s.set("Status", status, "NewStatus", status)
}

// toPixmap converts a PNG to the pixmap format: straight (not
// premultiplied) alpha, ARGB, big-endian.
func toPixmap(data []byte) pixmap {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return pixmap{}
	}
	b := img.Bounds()
	out := make([]byte, 0, b.Dx()*b.Dy()*4)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			out = append(out, c.A, c.R, c.G, c.B)
		}
	}
	return pixmap{W: int32(b.Dx()), H: int32(b.Dy()), Data: out}
}
