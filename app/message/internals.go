package message

import (
	"regexp"
	"strings"
)

var (
	internalsExceptionRe = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*Exception\b`)
	internalsPrefixRe    = regexp.MustCompile(`\b(\w+): \s*(\w+):`)
	internalsPairIDRe    = regexp.MustCompile(`\bscan-\S*-[0-9a-f]{16}\b`)
)

// Internals returns the first piece of s that must not reach a user — an
// exception class name, an x-id, a "jotta:" prefix, an internal pair id or
// a doubled prefix ("upload: upload:") — or "" when s is clean. Tests use
// it on every user-facing string.
func Internals(s string) string {
	if m := internalsExceptionRe.FindString(s); m != "" {
		return m
	}
	low := strings.ToLower(s)
	for _, bad := range []string{"x-id", "xid", "jotta: ", "pass "} {
		if bad == "pass " {
			if strings.HasPrefix(low, "pass ") && strings.Contains(low[:min(len(low), 40)], ": ") {
				return "pass <id>:"
			}
			continue
		}
		if strings.Contains(low, bad) {
			return bad
		}
	}
	if m := internalsPairIDRe.FindString(s); m != "" {
		return m
	}
	for _, m := range internalsPrefixRe.FindAllStringSubmatch(s, -1) {
		if strings.EqualFold(m[1], m[2]) {
			return m[0]
		}
	}
	return ""
}
