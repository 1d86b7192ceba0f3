package emulator

import (
	"bytes"
	"encoding/xml"
	"mime"
	"path"
	"strconv"
	"strings"
	"time"
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// Time layouts.
const (
	jottaTime      = "2006-01-02-T15:04:05Z"
	jottaTimeInput = "2006-01-02-T15:04:05Z0700"
	streamTime     = "2006-01-02T15:04:05.000Z"
)

func fmtJotta(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(jottaTime)
}

func fmtStream(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(streamTime)
}

// parseJottaTime reads a JCreated/JModified header; like the real server,
// anything unparsable becomes now.
func parseJottaTime(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	for _, layout := range []string{jottaTimeInput, "2006-01-02-T15:04:05Z07:00", time.RFC3339Nano, "2006-01-02T15:04:05Z-07:00", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC().Truncate(time.Second)
		}
	}
	return now.UTC().Truncate(time.Second)
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writing to a bytes.Buffer cannot fail
	return b.String()
}

// mimeOf guesses the MIME type from a file name.
func mimeOf(name string) string {
	t := mime.TypeByExtension(strings.ToLower(path.Ext(name)))
	if t == "" {
		return "application/octet-stream"
	}
	if mt, _, err := mime.ParseMediaType(t); err == nil {
		return mt
	}
	return t
}

// mstyleOf is the upper-snake form older replies use.
func mstyleOf(m string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '.', '-', '+':
			return '_'
		}
		return r
	}, strings.ToUpper(m))
}

// xw writes indented XML into a buffer, or with compact set, XML without
// any whitespace between elements.
type xw struct {
	b       *bytes.Buffer
	depth   int
	compact bool
}

func (x *xw) indent() {
	if x.compact {
		return
	}
	for i := 0; i < x.depth; i++ {
		x.b.WriteString("  ")
	}
}

// nl ends a line.
func (x *xw) nl() {
	if !x.compact {
		x.b.WriteByte('\n')
	}
}

func (x *xw) attrs(kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" && optionalAttr[kv[i]] {
			continue
		}
		x.b.WriteString(" " + kv[i] + `="`)
		_ = xml.EscapeText(x.b, []byte(kv[i+1]))
		x.b.WriteByte('"')
	}
}

// optionalAttr are attributes left out when empty; the rest (such as
// metadata's first and max) are written even when empty.
var optionalAttr = map[string]bool{"deleted": true, "contextType": true, "uuid": true}

// open starts an element with attribute pairs.
func (x *xw) open(tag string, kv ...string) {
	x.indent()
	x.b.WriteString("<" + tag)
	x.attrs(kv)
	x.b.WriteString(">")
	x.nl()
	x.depth++
}

func (x *xw) close(tag string) {
	x.depth--
	x.indent()
	x.b.WriteString("</" + tag + ">")
	x.nl()
}

func (x *xw) empty(tag string, kv ...string) {
	x.indent()
	x.b.WriteString("<" + tag)
	x.attrs(kv)
	x.b.WriteString("/>")
	x.nl()
}

func (x *xw) leaf(tag, text string) {
	x.indent()
	x.b.WriteString("<" + tag + ">")
	_ = xml.EscapeText(x.b, []byte(text))
	x.b.WriteString("</" + tag + ">")
	x.nl()
}

// pleaf is a string element with xml:space="preserve".
func (x *xw) pleaf(tag, text string) {
	x.indent()
	x.b.WriteString("<" + tag + ` xml:space="preserve">`)
	_ = xml.EscapeText(x.b, []byte(text))
	x.b.WriteString("</" + tag + ">")
	x.nl()
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }
func itoa(v int) string  { return strconv.Itoa(v) }
func btoa(v bool) string { return strconv.FormatBool(v) }
