package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// noteHandler writes what the CLI logs at its default level (warnings and
// errors) as plain lines for people: "jotta: note: MESSAGE (key value)".
// Attributes that carry a technical error are left out with a pointer to
// --loglevel debug, which keeps the full structured lines.
type noteHandler struct {
	w      io.Writer
	mu     *sync.Mutex
	level  slog.Level
	attrs  []slog.Attr
	prefix string // group names of WithGroup, "a.b."
}

func newNoteHandler(w io.Writer, level slog.Level) *noteHandler {
	return &noteHandler{w: w, mu: &sync.Mutex{}, level: level}
}

func (h *noteHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *noteHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("jotta: ")
	if r.Level >= slog.LevelError {
		b.WriteString("error: ")
	} else {
		b.WriteString("note: ")
	}
	b.WriteString(r.Message)
	var shown []string
	hidden := false
	add := func(prefix string, a slog.Attr) bool {
		switch {
		case a.Equal(slog.Attr{}):
		case technicalKey(a.Key):
			hidden = true
		default:
			shown = append(shown, prefix+a.Key+" "+a.Value.Resolve().String())
		}
		return true
	}
	for _, a := range h.attrs {
		add("", a)
	}
	r.Attrs(func(a slog.Attr) bool { return add(h.prefix, a) })
	if len(shown) > 0 {
		b.WriteString(" (" + strings.Join(shown, ", ") + ")")
	}
	if hidden {
		b.WriteString("; details with --loglevel debug")
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *noteHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		a.Key = h.prefix + a.Key
		n.attrs = append(n.attrs, a)
	}
	return &n
}

func (h *noteHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.prefix = h.prefix + name + "."
	return &n
}

// technicalKey reports an attribute that holds an error's text: it is for
// the debug log, not for a person reading a note.
func technicalKey(key string) bool {
	return key == "err" || key == "error" || strings.HasSuffix(key, "_err") || strings.HasSuffix(key, ".err")
}
