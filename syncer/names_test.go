package syncer_test

import (
	"strings"
	"testing"

	"jottacloudclient/syncer"
)

func TestNameProblem(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		wantBad string // substring of the reason; "" = accepted
	}{
		{"plain", "report.pdf", ""},
		{"255 bytes", strings.Repeat("a", 255), ""},
		{"256 bytes", strings.Repeat("a", 256), "256 bytes"},
		{"multibyte over the limit", strings.Repeat("é", 128), "256 bytes"},
		{"dot", ".", ". and .."},
		{"dot dot", "..", ". and .."},
		{"invalid utf-8", "bad\xff", "UTF-8"},
		{"empty", "", "empty"},
		{"odd but fine", "a+b;c,d#e%f?.txt", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := syncer.NameProblem(tc.in)
			if tc.wantBad == "" && got != "" {
				t.Fatalf("rejected: %s", got)
			}
			if tc.wantBad != "" && !strings.Contains(got, tc.wantBad) {
				t.Fatalf("reason %q, want it to mention %q", got, tc.wantBad)
			}
		})
	}
}

func TestFoldPath(t *testing.T) {
	cases := []struct{ name, a, b string }{
		{"case", "Photos/IMG.JPG", "photos/img.jpg"},
		{"nfc and nfd", "caf\u00e9", "cafe\u0301"},
		{"case and form", "CAF\u00c9", "cafe\u0301"},
	}
	for _, tc := range cases {
		if syncer.FoldPath(tc.a) != syncer.FoldPath(tc.b) {
			t.Errorf("%s: %q and %q should fold together", tc.name, tc.a, tc.b)
		}
	}
	if syncer.FoldPath("a/b") == syncer.FoldPath("a/c") {
		t.Error("different names fold together")
	}
}
