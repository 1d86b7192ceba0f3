package restore

import (
	"strings"
	"testing"

	"jottacloudclient/internal/names"
)

func TestLocalName(t *testing.T) {
	unix, windows := names.System{}, names.System{Windows: true}
	cases := []struct {
		in     string
		sys    names.System
		want   string
		mapped bool
		bad    bool
	}{
		{in: "a:b?.txt", sys: unix, want: "a:b?.txt"},
		{in: "back\\slash", sys: unix, want: "back\\slash"},
		{in: "Report\uFF0520final.pdf", sys: unix, want: "Report%20final.pdf"},
		{in: "a:b?.txt", sys: windows, want: "a：b？.txt", mapped: true},
		{in: strings.Repeat("x", 255), sys: unix, want: strings.Repeat("x", 255)},
		{in: strings.Repeat("é", 128), sys: unix, bad: true},
		{in: "..", sys: unix, bad: true},
	}
	for _, c := range cases {
		got, mapped, err := localName(c.in, c.sys)
		if c.bad != (err != nil) || got != c.want || mapped != c.mapped {
			t.Errorf("localName(%q, %+v) = %q, %v, %v; want %q, %v", c.in, c.sys, got, mapped, err, c.want, c.mapped)
		}
	}
}
