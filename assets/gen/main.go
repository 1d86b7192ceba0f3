// Command gen draws the application and tray-state icons as PNG files.
// It is run by go generate in the assets package; the output is committed so
// that builds need no generation step.
//
// Every icon is a cloud glyph with a dark outline, so it stays readable on
// light and dark panels; tray icons add a coloured badge with a white symbol
// that tells the state apart without relying on colour alone. Each tray
// icon also comes in two monochrome variants for panels that draw their
// icons in one colour: dark ink for light panels (name_light…) and white
// for dark ones (name_dark…), where the state is told by shape alone.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", ".", "directory to write the PNG files to")
	flag.Parse()
	if err := writeAll(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func writeAll(dir string) error {
	for name, img := range Icons() {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// badge describes the coloured disc in a tray icon and its white symbol.
type badge struct {
	fill   color.NRGBA
	symbol func(x, y float64) float64 // signed distance, negative inside
}

var (
	outline = color.NRGBA{0x1f, 0x24, 0x2b, 0xff}
	cloud   = color.NRGBA{0xf4, 0xf6, 0xf8, 0xff}
	white   = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

// traySizes are the sizes each tray icon is drawn at: panels show 16 to
// 24 pixels (32 and 64 on high-density screens), and an icon drawn at its
// size is sharper than one scaled down.
var traySizes = []int{16, 22, 32, 64}

// trayBadges are the state badges by icon name. Each state has its own
// colour and symbol; paused is a saturated violet, not a grey that would
// vanish on a grey panel.
var trayBadges = map[string]*badge{
	"tray_idle":       {color.NRGBA{0x2e, 0x9e, 0x4f, 0xff}, checkMark},
	"tray_syncing":    {color.NRGBA{0x1f, 0x6f, 0xd1, 0xff}, upArrow},
	"tray_paused":     {color.NRGBA{0x7a, 0x4f, 0xd0, 0xff}, pauseBars},
	"tray_problem":    {color.NRGBA{0xd9, 0x3a, 0x2b, 0xff}, exclamation},
	"tray_signed_out": {color.NRGBA{0xe0, 0x8a, 0x00, 0xff}, question},
}

// monoInks are the monochrome variants by name and their one colour:
// "light" is dark ink for light panels, "dark" is white for dark panels.
var monoInks = map[string]color.NRGBA{
	"light": outline,
	"dark":  white,
}

// monoShapes are the monochrome tray icons by name: one colour on
// transparency, the state told by shape alone. A filled cloud has the
// state's symbol cut out of it; signed out is a hollow cloud. The symbols
// are bolder and wider spaced than the badges', for 16-pixel panels.
var monoShapes = map[string]func(x, y float64) float64{
	"tray_idle":       monoCheck,
	"tray_syncing":    monoArrow,
	"tray_paused":     monoPause,
	"tray_problem":    monoExclamation,
	"tray_signed_out": nil,
}

// Icons returns every icon by file name: the app icon, and each tray icon
// at 64 pixels (name.png) and at each smaller size (name_16.png, …), in
// colour and in the monochrome variants (name_light_16.png, …).
func Icons() map[string]image.Image {
	icons := map[string]image.Image{"icon.png": drawAppIcon(256)}
	for _, size := range traySizes {
		for name, b := range trayBadges {
			icons[trayFile(name, "", size)] = drawTray(size, b)
		}
		for name, symbol := range monoShapes {
			for variant, ink := range monoInks {
				icons[trayFile(name, variant, size)] = drawMono(size, ink, symbol)
			}
		}
	}
	return icons
}

// trayFile names a tray icon: name[_variant][_size].png, no size for 64.
func trayFile(name, variant string, size int) string {
	if variant != "" {
		name += "_" + variant
	}
	if size == 64 {
		return name + ".png"
	}
	return fmt.Sprintf("%s_%d.png", name, size)
}

// cloudSDF is the signed distance to the cloud outline in unit coordinates.
func cloudSDF(x, y float64) float64 {
	d := circle(x, y, 0.50, 0.40, 0.22)
	d = math.Min(d, circle(x, y, 0.29, 0.52, 0.15))
	d = math.Min(d, circle(x, y, 0.71, 0.50, 0.16))
	d = math.Min(d, roundedBox(x, y, 0.14, 0.45, 0.86, 0.72, 0.12))
	return d
}

// The badge sits on the cloud's lower right and leaves most of the cloud
// to be seen, so the icon reads as the app's at 16 pixels.
const (
	badgeX, badgeY, badgeR = 0.74, 0.70, 0.245
	stroke                 = 0.06 // outline width in unit coordinates
)

func drawTray(size int, b *badge) image.Image {
	return render(size, func(x, y float64) color.NRGBA {
		// Badge on top of the cloud.
		if db := circle(x, y, badgeX, badgeY, badgeR); db < 0 {
			switch {
			case db > -stroke:
				return outline
			case b.symbol((x-badgeX)/badgeR, (y-badgeY)/badgeR) < 0:
				return white
			default:
				return b.fill
			}
		}
		// A transparent gap around the badge separates it from the cloud.
		if circle(x, y, badgeX, badgeY, badgeR+0.03) < 0 {
			return color.NRGBA{}
		}
		return cloudColour(cloudSDF(x, y), cloud)
	})
}

// The monochrome cloud is larger than the colour one, to fill a 16-pixel
// panel icon.
const (
	monoScale  = 1.32 // cloud size against the colour icon's
	monoSymX   = 0.5  // the symbol's centre and radius in the icon
	monoSymY   = 0.56
	monoSymR   = 0.3
	monoStroke = 0.1 // the hollow cloud's line width
)

// drawMono draws a monochrome tray icon in ink: a filled cloud with symbol
// cut out of it, or a hollow cloud when symbol is nil.
func drawMono(size int, ink color.NRGBA, symbol func(x, y float64) float64) image.Image {
	return render(size, func(x, y float64) color.NRGBA {
		switch {
		case monoCloud(x, y) >= 0:
			return color.NRGBA{}
		case symbol == nil && !nearOutside(x, y, monoStroke):
			return color.NRGBA{}
		case symbol != nil && symbol((x-monoSymX)/monoSymR, (y-monoSymY)/monoSymR) < 0:
			return color.NRGBA{}
		}
		return ink
	})
}

// monoCloud is the monochrome cloud's distance function in the icon.
func monoCloud(x, y float64) float64 {
	return cloudSDF((x-0.5)/monoScale+0.5, (y-0.5)/monoScale+0.45) * monoScale
}

// nearOutside reports whether a point of the monochrome cloud lies within
// r of its outside. The cloud's distance function is exact only outside
// (inside, where its circles meet, it is too shallow), so this looks.
func nearOutside(x, y, r float64) bool {
	const dirs = 24
	for i := range dirs {
		a := 2 * math.Pi * float64(i) / dirs
		if monoCloud(x+r*math.Cos(a), y+r*math.Sin(a)) >= 0 {
			return true
		}
	}
	return false
}

func drawAppIcon(size int) image.Image {
	bg := color.NRGBA{0x1f, 0x6f, 0xd1, 0xff}
	return render(size, func(x, y float64) color.NRGBA {
		if roundedBox(x, y, 0.04, 0.04, 0.96, 0.96, 0.2) >= 0 {
			return color.NRGBA{}
		}
		// Scale the cloud to sit inside the tile.
		cx, cy := (x-0.5)/0.8+0.5, (y-0.5)/0.8+0.5
		d := cloudSDF(cx, cy)
		if d < 0 {
			if upArrow((cx-0.5)/0.22, (cy-0.56)/0.22) < 0 {
				return bg
			}
			return cloudColour(d, white)
		}
		return bg
	})
}

func cloudColour(d float64, fill color.NRGBA) color.NRGBA {
	switch {
	case d >= 0:
		return color.NRGBA{}
	case d > -stroke:
		return outline
	default:
		return fill
	}
}

// render samples shade 4×4 times per pixel and averages, for smooth edges.
func render(size int, shade func(x, y float64) color.NRGBA) image.Image {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					c := shade(x, y)
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / (ss * ss) * 255)),
			})
		}
	}
	return img
}

func circle(x, y, cx, cy, r float64) float64 { return math.Hypot(x-cx, y-cy) - r }

func roundedBox(x, y, x0, y0, x1, y1, r float64) float64 {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hx, hy := (x1-x0)/2-r, (y1-y0)/2-r
	qx, qy := math.Abs(x-cx)-hx, math.Abs(y-cy)-hy
	outside := math.Hypot(math.Max(qx, 0), math.Max(qy, 0))
	return outside + math.Min(math.Max(qx, qy), 0) - r
}

// segment is the distance to a line from (ax,ay) to (bx,by) minus a half width.
func segment(x, y, ax, ay, bx, by, w float64) float64 {
	px, py := x-ax, y-ay
	dx, dy := bx-ax, by-ay
	t := math.Max(0, math.Min(1, (px*dx+py*dy)/(dx*dx+dy*dy)))
	return math.Hypot(px-t*dx, py-t*dy) - w
}

// Symbols are drawn in badge coordinates: the badge is the unit disc.

func checkMark(x, y float64) float64 {
	return math.Min(segment(x, y, -0.45, 0.02, -0.12, 0.35, 0.14), segment(x, y, -0.12, 0.35, 0.45, -0.3, 0.14))
}

func upArrow(x, y float64) float64 {
	d := segment(x, y, 0, -0.5, 0, 0.5, 0.14)
	d = math.Min(d, segment(x, y, 0, -0.5, -0.4, -0.08, 0.14))
	return math.Min(d, segment(x, y, 0, -0.5, 0.4, -0.08, 0.14))
}

func pauseBars(x, y float64) float64 {
	return math.Min(segment(x, y, -0.22, -0.4, -0.22, 0.4, 0.13), segment(x, y, 0.22, -0.4, 0.22, 0.4, 0.13))
}

func exclamation(x, y float64) float64 {
	return math.Min(segment(x, y, 0, -0.5, 0, 0.12, 0.14), circle(x, y, 0, 0.45, 0.15))
}

func question(x, y float64) float64 {
	// An arc over the top, a stem and a dot.
	r := math.Hypot(x, y+0.2)
	ang := math.Atan2(y+0.2, x)
	arc := math.Abs(r-0.3) - 0.12
	if ang > math.Pi/2 && ang < math.Pi*0.95 { // leave the lower-left open
		arc = math.Max(arc, 0.2)
	}
	d := math.Min(arc, segment(x, y, 0.02, 0.1, 0.02, 0.22, 0.12))
	return math.Min(d, circle(x, y, 0.02, 0.5, 0.13))
}

// Monochrome symbols, in symbol units (the symbol's radius is one).

func monoCheck(x, y float64) float64 {
	return math.Min(segment(x, y, -0.55, 0, -0.18, 0.38, 0.2), segment(x, y, -0.18, 0.38, 0.55, -0.4, 0.2))
}

func monoArrow(x, y float64) float64 {
	return math.Min(segment(x, y, 0, -0.1, 0, 0.75, 0.22), triangle(x, y, 0, -0.9, 0.95, 0.08, -0.95, 0.08))
}

func monoPause(x, y float64) float64 {
	return math.Min(segment(x, y, -0.38, -0.45, -0.38, 0.45, 0.2), segment(x, y, 0.38, -0.45, 0.38, 0.45, 0.2))
}

func monoExclamation(x, y float64) float64 {
	return math.Min(segment(x, y, 0, -0.7, 0, -0.05, 0.21), circle(x, y, 0, 0.58, 0.21))
}

// triangle is negative inside the triangle with corners a, b, c (given
// clockwise on screen) and positive outside; only its sign is exact.
func triangle(x, y, ax, ay, bx, by, cx, cy float64) float64 {
	edge := func(px, py, qx, qy float64) float64 {
		nx, ny := qy-py, px-qx // outward normal of edge p→q
		return ((x-px)*nx + (y-py)*ny) / math.Hypot(nx, ny)
	}
	return math.Max(edge(ax, ay, bx, by), math.Max(edge(bx, by, cx, cy), edge(cx, cy, ax, ay)))
}
