package restore

import (
	"strings"
	"testing"
)

func TestLocalName(t *testing.T) {
	cases := []struct {
		in, goos, want string
		bad            bool
	}{
		{in: "a:b?.txt", goos: "linux", want: "a:b?.txt"},
		{in: "back\\slash", goos: "linux", want: "back\\slash"},
		{in: "a:b?.txt", goos: "windows", want: "a：b？.txt"},
		{in: "trailing.", goos: "windows", want: "trailing．"},
		{in: "tab\there", goos: "windows", want: "tab␉here"},
		{in: strings.Repeat("x", 255), goos: "linux", want: strings.Repeat("x", 255)},
		{in: strings.Repeat("x", 256), goos: "linux", bad: true},
		{in: "..", goos: "linux", bad: true},
		{in: "a/b", goos: "linux", bad: true},
	}
	for _, c := range cases {
		got, err := localName(c.in, c.goos)
		if c.bad != (err != nil) || got != c.want {
			t.Errorf("localName(%q, %s) = %q, %v; want %q", c.in, c.goos, got, err, c.want)
		}
	}
}
