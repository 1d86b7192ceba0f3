package autostart

import (
	"bufio"
	"bytes"
	"strings"
)

// desktopEntry renders an XDG autostart entry that runs exe minimised.
func desktopEntry(exe string) []byte {
	var b strings.Builder
	b.WriteString("[Desktop Entry]\n")
	b.WriteString("Type=Application\n")
	b.WriteString("Name=" + AppName + "\n")
	b.WriteString("Comment=Back up your folders to JottaCloud\n")
	b.WriteString("Exec=" + execQuote(exe) + " " + MinimizedFlag + "\n")
	b.WriteString("Icon=" + AppID + "\n")
	b.WriteString("Terminal=false\n")
	b.WriteString("X-GNOME-Autostart-enabled=true\n")
	return []byte(b.String())
}

// execQuote quotes one argument for a desktop entry's Exec key, following
// the Desktop Entry Specification: arguments with reserved characters go in
// double quotes with ", `, $ and \ escaped, and a literal % is doubled.
func execQuote(arg string) string {
	arg = strings.ReplaceAll(arg, "%", "%%")
	if arg != "" && !strings.ContainsAny(arg, " \t\n\"'\\><~|&;$*?#()`=") {
		return arg
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range arg {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	// The key's value itself is a string value in which \ is also an escape.
	return strings.ReplaceAll(b.String(), `\`, `\\`)
}

// desktopEntryActive reports whether an entry's main group leaves it active:
// Hidden=true or X-GNOME-Autostart-enabled=false switch an entry off.
func desktopEntryActive(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	inMain := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			inMain = line == "[Desktop Entry]"
			continue
		}
		if !inMain {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case key == "Hidden" && val == "true":
			return false
		case key == "X-GNOME-Autostart-enabled" && val == "false":
			return false
		}
	}
	return true
}

// desktopEntryExec returns the Exec value of the main group, or "".
func desktopEntryExec(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	inMain := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			inMain = line == "[Desktop Entry]"
			continue
		}
		if v, ok := strings.CutPrefix(line, "Exec="); ok && inMain {
			return v
		}
	}
	return ""
}
