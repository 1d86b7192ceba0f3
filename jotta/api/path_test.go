package api

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"plain", "report.pdf", nil},
		{"specials the server stores", "a+b;c,d#e?f%g&h=i$j@k: l", nil},
		{"unicode", "blåbærsyltetøy.txt", nil},
		{"255 bytes", strings.Repeat("x", 255), nil},
		{"256 bytes", strings.Repeat("x", 256), ErrNameTooLong},
		{"255 runes of 2 bytes", strings.Repeat("ø", 128), ErrNameTooLong},
		{"empty", "", ErrNameEmpty},
		{"dot", ".", ErrNameDot},
		{"dotdot", "..", ErrNameDot},
		{"dotfile is fine", ".bashrc", nil},
		{"invalid utf-8", "bad\xff.txt", ErrNameInvalidUTF8},
		{"slash", "a/b", ErrNameSlash},
		{"nul", "a\x00b", ErrNameControl},
		{"bell", "a\x07b", ErrNameControl},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckName(c.in); !errors.Is(err, c.want) {
				t.Errorf("CheckName(%q) = %v, want %v", c.in, err, c.want)
			}
		})
	}
}

func TestEscapeSegment(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain-name_1.txt", "plain-name_1.txt"},
		{"a+b", "a%2Bb"},
		{"a b", "a%20b"},
		{"50%", "50%25"},
		{"Pinus%20palustris.jpg", "Pinus%2520palustris.jpg"},
		{"q?x#y;z,w", "q%3Fx%23y%3Bz%2Cw"},
		{"blå", "bl%C3%A5"},
		{"~tilde", "~tilde"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got := EscapeSegment(c.in)
			if got != c.want {
				t.Errorf("EscapeSegment(%q) = %q, want %q", c.in, got, c.want)
			}
			back, err := url.PathUnescape(got)
			if err != nil || back != c.in {
				t.Errorf("does not round-trip: %q, %v", back, err)
			}
		})
	}
	if got := EscapePath("/Jotta/Archive/a+b/c d"); got != "/Jotta/Archive/a%2Bb/c%20d" {
		t.Errorf("EscapePath = %q", got)
	}
}

func TestSplitPath(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"/Jotta/Archive/x", []string{"Jotta", "Archive", "x"}},
		{"Jotta/Archive/", []string{"Jotta", "Archive"}},
		{"/", nil},
		{"/a//b", []string{"a", "", "b"}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got := SplitPath(c.in)
			if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
				t.Errorf("SplitPath(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func FuzzEscapeSegment(f *testing.F) {
	for _, s := range []string{"a+b", "50%", "blå", "a b", "x/y", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := EscapeSegment(s)
		for i := 0; i < len(got); i++ {
			if c := got[i]; !unreserved(c) && c != '%' {
				t.Fatalf("EscapeSegment(%q) left %q raw", s, c)
			}
		}
		back, err := url.PathUnescape(got)
		if err != nil || back != s {
			t.Fatalf("EscapeSegment(%q) = %q does not round-trip: %q %v", s, got, back, err)
		}
	})
}
