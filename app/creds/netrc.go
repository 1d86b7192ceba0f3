package creds

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// NetrcMachines are the machine names the chain accepts, in order of
// preference: the seed's "jottacloud" and jottalib's "jottacloud.com".
// A "default" entry is never used: it usually belongs to another service.
var NetrcMachines = []string{"jottacloud", "jottacloud.com"}

// netrcEntry is one machine (or the default) of a netrc file.
type netrcEntry struct {
	Machine  string
	Default  bool
	Login    string
	Password string
	Account  string
	Line     int
}

// DefaultNetrcPath is $NETRC when set, else ~/.netrc (~/_netrc on Windows
// when only that exists).
func DefaultNetrcPath() (string, error) {
	if p := os.Getenv("NETRC"); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find home directory for .netrc: %w", err)
	}
	p := filepath.Join(home, ".netrc")
	if runtime.GOOS == "windows" {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return filepath.Join(home, "_netrc"), nil
		}
	}
	return p, nil
}

// readNetrcSecret returns the JottaCloud credential of the netrc file at
// path, or ok=false when the file or the machine entry does not exist.
func readNetrcSecret(path string) (s Secret, ok bool, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Secret{}, false, nil
	}
	if err != nil {
		return Secret{}, false, fmt.Errorf("read netrc: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return Secret{}, false, &NetrcPermissionError{Path: path, Mode: fi.Mode()}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Secret{}, false, fmt.Errorf("read netrc: %w", err)
	}
	entries, err := parseNetrc(string(data))
	if err != nil {
		var se *NetrcSyntaxError
		if errors.As(err, &se) {
			se.Path = path
		}
		return Secret{}, false, err
	}
	e, found := findMachine(entries)
	if !found {
		return Secret{}, false, nil
	}
	if e.Password == "" {
		return Secret{}, false, &NetrcSyntaxError{Path: path, Line: e.Line,
			Msg: fmt.Sprintf("machine %s has no password: add 'password <personal login token>'", e.Machine)}
	}
	s, err = NewSecret(SourceNetrc, e.Login, e.Password)
	if err != nil {
		return Secret{}, false, fmt.Errorf("%s line %d (machine %s): %w", path, e.Line, e.Machine, err)
	}
	return s, true, nil
}

func findMachine(entries []netrcEntry) (netrcEntry, bool) {
	for _, name := range NetrcMachines {
		for _, e := range entries {
			if !e.Default && strings.EqualFold(e.Machine, name) {
				return e, true
			}
		}
	}
	return netrcEntry{}, false
}

// parseNetrc reads the netrc grammar: whitespace-separated tokens, '#'
// comments to the end of the line, double-quoted tokens with backslash
// escapes, "machine NAME" and "default" entries with login, password and
// account, and "macdef NAME" macros that run to the next blank line.
func parseNetrc(text string) ([]netrcEntry, error) {
	lx := &netrcLexer{s: text, line: 1}
	var entries []netrcEntry
	cur := -1
	for {
		tok, line, ok, err := lx.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return entries, nil
		}
		switch tok {
		case "machine":
			name, _, ok, err := lx.next()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, &NetrcSyntaxError{Line: line, Msg: "'machine' without a name"}
			}
			entries = append(entries, netrcEntry{Machine: name, Line: line})
			cur = len(entries) - 1
		case "default":
			entries = append(entries, netrcEntry{Default: true, Line: line})
			cur = len(entries) - 1
		case "login", "password", "account":
			val, _, ok, err := lx.next()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, &NetrcSyntaxError{Line: line, Msg: fmt.Sprintf("'%s' without a value", tok)}
			}
			if cur < 0 {
				return nil, &NetrcSyntaxError{Line: line, Msg: fmt.Sprintf("'%s' before any 'machine' entry", tok)}
			}
			switch tok {
			case "login":
				entries[cur].Login = val
			case "password":
				entries[cur].Password = val
			default:
				entries[cur].Account = val
			}
		case "macdef":
			if _, _, ok, err := lx.next(); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				return nil, &NetrcSyntaxError{Line: line, Msg: "'macdef' without a name"}
			}
			lx.skipMacro()
			// A macro ends the entry it appeared in.
			cur = -1
		case "port":
			// Some tools (curl, Go's cmd/go) accept a port; it does not matter here.
			if _, _, _, err := lx.next(); err != nil {
				return nil, err
			}
		default:
			// Unknown keywords are ignored, like most netrc readers do.
		}
	}
}

type netrcLexer struct {
	s    string
	i    int
	line int
}

// next returns the next token and the line it starts on.
func (l *netrcLexer) next() (tok string, line int, ok bool, err error) {
	for l.i < len(l.s) {
		c := l.s[l.i]
		switch {
		case c == '\n':
			l.line++
			l.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			l.i++
		case c == '#':
			for l.i < len(l.s) && l.s[l.i] != '\n' {
				l.i++
			}
		case c == '"':
			return l.quoted()
		default:
			start := l.i
			for l.i < len(l.s) && !isNetrcSpace(l.s[l.i]) {
				l.i++
			}
			return l.s[start:l.i], l.line, true, nil
		}
	}
	return "", l.line, false, nil
}

func (l *netrcLexer) quoted() (string, int, bool, error) {
	startLine := l.line
	l.i++ // opening quote
	var b strings.Builder
	for l.i < len(l.s) {
		c := l.s[l.i]
		switch c {
		case '"':
			l.i++
			return b.String(), startLine, true, nil
		case '\\':
			if l.i+1 < len(l.s) {
				l.i++
				c = l.s[l.i]
			}
		case '\n':
			l.line++
		}
		b.WriteByte(c)
		l.i++
	}
	return "", startLine, false, &NetrcSyntaxError{Line: startLine, Msg: "unterminated quoted string"}
}

// skipMacro skips the rest of the macdef line and the macro body up to and
// including the first blank line.
func (l *netrcLexer) skipMacro() {
	for l.i < len(l.s) && l.s[l.i] != '\n' {
		l.i++
	}
	for l.i < len(l.s) {
		l.i++ // the newline ending the previous line
		l.line++
		end := strings.IndexByte(l.s[l.i:], '\n')
		var lineText string
		if end < 0 {
			lineText = l.s[l.i:]
		} else {
			lineText = l.s[l.i : l.i+end]
		}
		if strings.TrimSpace(lineText) == "" {
			return
		}
		if end < 0 {
			l.i = len(l.s)
			return
		}
		l.i += end
	}
}

func isNetrcSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
