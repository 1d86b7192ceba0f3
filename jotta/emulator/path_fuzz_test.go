package emulator

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// escapeSegment is how a careful client escapes one name.
func escapeSegment(name string) string {
	return strings.ReplaceAll(url.PathEscape(name), "+", "%2B")
}

func FuzzDecodeSegment(f *testing.F) {
	for _, seed := range []string{"a", "a+b", "a%2Bb", "%FF", "x%2520y", "%", "%zz", strings.Repeat("n", 256), "æøå", "a%3Bb", ".."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, jerr := decodeSegment(raw)
		if jerr != nil {
			if jerr.status != 400 {
				t.Fatalf("decode error status %d, want 400", jerr.status)
			}
			return
		}
		if !utf8.ValidString(name) || len(name) > maxNameBytes || strings.Contains(name, "/") || name == "" {
			t.Fatalf("accepted bad name %q from %q", name, raw)
		}
		if strings.Contains(raw, "+") && strings.Contains(name, "+") && !strings.Contains(raw, "%2B") && !strings.Contains(raw, "%2b") {
			t.Fatalf("raw plus survived decoding: %q -> %q", raw, name)
		}
		again, jerr := decodeSegment(escapeSegment(name))
		if jerr != nil || again != name {
			t.Fatalf("escaped name does not round-trip: %q -> %q (%v)", name, again, jerr)
		}
	})
}

func TestDecodeJFSPath(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		segs  []string
		slash bool
		bad   bool
	}{
		{"user only", "/jfs/u", []string{"u"}, false, false},
		{"trailing slash", "/jfs/u/Jotta/Archive/dir/", []string{"u", "Jotta", "Archive", "dir"}, true, false},
		{"plus and escapes", "/jfs/u/a+b/c%2Bd/%C3%A6", []string{"u", "a b", "c+d", "æ"}, false, false},
		{"not jfs", "/jfsx/u", nil, false, true},
		{"bad escape", "/jfs/u/%zz", nil, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			segs, slash, jerr := decodeJFSPath(tc.in)
			if (jerr != nil) != tc.bad {
				t.Fatalf("error %v, want bad=%v", jerr, tc.bad)
			}
			if tc.bad {
				return
			}
			if strings.Join(segs, "|") != strings.Join(tc.segs, "|") || slash != tc.slash {
				t.Fatalf("got %q slash=%v", segs, slash)
			}
		})
	}
}
