package config

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// keyLines maps the keys of a configuration file to the line they are
// written on, in the form FieldError uses: "options.transfers",
// "pair[2].prune", and "pair[2]" for the line of a pair's [[pair]]
// header. It reads the text the way a person wrote it (one key a line);
// a key it cannot place simply has no line.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	table, pairs := "", 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "[[") && tableName(line[2:]) == "pair":
			table = fmt.Sprintf("pair[%d]", pairs)
			pairs++
			lines[table] = n
		case strings.HasPrefix(line, "[["):
			table = ""
		case strings.HasPrefix(line, "["):
			table = tableName(line[1:])
			lines[table] = n
		default:
			if m := keyRe.FindStringSubmatch(line); m != nil {
				key := strings.Trim(m[1], `"'`)
				if table != "" {
					key = table + "." + key
				}
				if _, dup := lines[key]; !dup {
					lines[key] = n
				}
			}
		}
	}
	return lines
}

var keyRe = regexp.MustCompile(`^("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=`)

// tableName is the name in a table header's text after its opening
// brackets: "options] # comment" gives "options".
func tableName(rest string) string {
	if i := strings.IndexByte(rest, ']'); i >= 0 {
		rest = rest[:i]
	}
	return strings.Trim(strings.TrimSpace(rest), `"'`)
}

// Locate sets the Line of each problem to where its key is written in the
// file the configuration was loaded from: the key itself, else the list it
// is an item of, else the header of its pair. Problems of a configuration
// that was not loaded from a file, or was changed since, keep Line 0.
func (c *Config) Locate(errs []FieldError) []FieldError {
	if len(c.lines) == 0 {
		return errs
	}
	out := make([]FieldError, len(errs))
	for i, e := range errs {
		e.Line = c.lineOf(e.Field)
		out[i] = e
	}
	return out
}

func (c *Config) lineOf(field string) int {
	for _, k := range []string{field, withoutIndex(field), pairOf(field)} {
		if n, ok := c.lines[k]; ok {
			return n
		}
	}
	return 0
}

// withoutIndex drops a trailing list index: "pair[1].excludes[3]" gives
// "pair[1].excludes", the line the list starts on.
func withoutIndex(field string) string {
	if j := strings.LastIndexByte(field, '['); j > 0 && strings.HasSuffix(field, "]") {
		return field[:j]
	}
	return field
}

// pairOf is the pair a field belongs to: "pair[2].prune" gives "pair[2]".
func pairOf(field string) string {
	if !strings.HasPrefix(field, "pair[") {
		return ""
	}
	if i := strings.IndexByte(field, ']'); i > 0 {
		return field[:i+1]
	}
	return ""
}
