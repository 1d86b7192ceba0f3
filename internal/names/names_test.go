package names_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"jottacloudclient/internal/names"
)

var (
	linux   = names.System{}
	mac     = names.System{IgnoresForm: true}
	windows = names.System{Windows: true}
)

const (
	nfc = "caf\u00e9.txt"
	nfd = "cafe\u0301.txt"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"plain", "report.pdf", nil},
		{"255 bytes", strings.Repeat("a", 255), nil},
		{"256 bytes", strings.Repeat("a", 256), names.ErrTooLong},
		{"multibyte over the limit", strings.Repeat("é", 128), names.ErrTooLong},
		{"dot", ".", names.ErrDot},
		{"dot dot", "..", names.ErrDot},
		{"invalid utf-8", "bad\xff", names.ErrInvalidUTF8},
		{"empty", "", names.ErrEmpty},
		{"slash", "a/b", names.ErrSlash},
		{"control", "a\x01b", names.ErrControl},
		{"percent escape", "Report%20final.pdf", names.ErrPercent},
		{"lower-case percent escape", "a%2fb", names.ErrPercent},
		{"percent escape at the end", "100%41", names.ErrPercent},
		{"lone percent", "100%.txt", nil},
		{"percent and one hex digit", "a%4", nil},
		{"odd but fine", "a+b;c,d#e?f&g=h$i@j k.txt", nil},
		{"look-alike percent", "Report\uFF0520final.pdf", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := names.Check(tc.in); !errors.Is(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Fatalf("Check(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestToRemote(t *testing.T) {
	cases := []struct {
		name   string
		sys    names.System
		local  string
		remote string
	}{
		{"plain", linux, "report.pdf", "report.pdf"},
		{"percent escape", linux, "Report%20final.pdf", "Report\uFF0520final.pdf"},
		{"every percent", linux, "100%.txt", "100\uFF05.txt"},
		{"literal look-alike is quoted", linux, "100\uFF05.txt", "100\u201B\uFF05.txt"},
		{"control characters", linux, "a\x01b\x1fc\x7f", "a\u2401b\u241Fc\u2421"},
		{"newline", linux, "two\nlines", "two\u240Alines"},
		{"invalid utf-8", linux, "bad\xff.txt", "bad\u201BFF.txt"},
		{"literal quote", linux, "it\u201Bs", "it\u201B\u201Bs"},
		{"backslash stays", linux, `back\slash`, `back\slash`},
		{"windows characters stay", linux, `a:b*c?d"e<f>g|h`, `a:b*c?d"e<f>g|h`},
		{"spaces stay", linux, " lead and trail ", " lead and trail "},
		{"nfc stays", linux, nfc, nfc},
		{"nfd keeps its form", linux, nfd, "cafe\u201B\u0301.txt"},
		{"nfd on macOS becomes nfc", mac, nfd, nfc},
		{"angstrom sign keeps its number", linux, "\u212B.txt", "\u201BU00212B.txt"},
		{"composition exclusion", linux, "\u0958", "\u201BU000958"},
		{"angstrom sign on macOS", mac, "\u212B.txt", "\u00C5.txt"},
		{"hangul nfd", linux, "\u1112\u1161\u11ab", "\u1112\u201B\u1161\u201B\u11ab"},
		{"emoji", linux, "\U0001F600 party.jpg", "\U0001F600 party.jpg"},
		{"windows look-alikes come back", windows, "a\uFF1Ab\uFF3Cc\u2420", "a:b\\c "},
		{"windows trailing dot", windows, "name\uFF0E", "name."},
		{"windows quoted look-alike", windows, "a\u201B\uFF1Ab", "a\uFF1Ab"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sys.ToRemote(tc.local)
			if err != nil {
				t.Fatalf("ToRemote(%q): %v", tc.local, err)
			}
			if got != tc.remote {
				t.Fatalf("ToRemote(%q) = %q, want %q", tc.local, got, tc.remote)
			}
			if err := names.Check(got); err != nil {
				t.Fatalf("remote name %q is not one the service serves back: %v", got, err)
			}
			back, _ := tc.sys.ToLocal(got)
			want := tc.local
			if tc.sys.IgnoresForm {
				want = norm.NFC.String(want)
			}
			if back != want {
				t.Fatalf("ToLocal(%q) = %q, want %q", got, back, want)
			}
		})
	}
}

func TestToRemoteRefuses(t *testing.T) {
	cases := []struct {
		name  string
		local string
		want  error
	}{
		{"256 bytes", strings.Repeat("n", 256), names.ErrTooLong},
		{"255 bytes that grow", strings.Repeat("n", 254) + "%", names.ErrTooLong},
		{"dot", ".", names.ErrDot},
		{"empty", "", names.ErrEmpty},
		{"slash", "a/b", names.ErrSlash},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := linux.ToRemote(tc.local); !errors.Is(err, tc.want) {
				t.Fatalf("ToRemote(%q) error %v, want %v", tc.local, err, tc.want)
			}
			if p := linux.Problem(tc.local); p == "" {
				t.Fatalf("Problem(%q) is empty", tc.local)
			}
		})
	}
	if p := linux.Problem(strings.Repeat("n", 254) + "%"); !strings.Contains(p, "257 bytes there (255 here)") {
		t.Errorf("Problem for a name that grows: %q", p)
	}
	if p := linux.Problem("fine.txt"); p != "" {
		t.Errorf("Problem(fine.txt) = %q", p)
	}
}

// Twins that differ only in Unicode form get different remote names on a
// form-keeping system, so neither can take the other's place.
func TestFormTwins(t *testing.T) {
	a, err := linux.ToRemote(nfc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := linux.ToRemote(nfd)
	if err != nil {
		t.Fatal(err)
	}
	if names.Fold(a) == names.Fold(b) {
		t.Fatalf("%q and %q share the key %q", a, b, names.Fold(a))
	}
	if la, _ := linux.ToLocal(a); la != nfc {
		t.Errorf("nfc came back as %q", la)
	}
	if lb, _ := linux.ToLocal(b); lb != nfd {
		t.Errorf("nfd came back as %q", lb)
	}
}

func TestToLocalMapsForWindows(t *testing.T) {
	cases := []struct {
		remote, local string
		mapped        bool
	}{
		{"plain.txt", "plain.txt", false},
		{`a:b`, "a\uFF1Ab", true},
		{`back\slash`, "back\uFF3Cslash", true},
		{"trailing. ", "trailing.\u2420", true},
		{"trailing.", "trailing\uFF0E", true},
		{"Report\uFF0520final.pdf", "Report%20final.pdf", false},
		{"full\uFF1Awidth", "full\u201B\uFF1Awidth", true},
	}
	for _, tc := range cases {
		got, mapped := windows.ToLocal(tc.remote)
		if got != tc.local || mapped != tc.mapped {
			t.Errorf("ToLocal(%q) = %q, %v; want %q, %v", tc.remote, got, mapped, tc.local, tc.mapped)
		}
		if back, err := windows.ToRemote(got); err != nil || back != tc.remote {
			t.Errorf("ToRemote(%q) = %q, %v; want %q", got, back, err, tc.remote)
		}
	}
	if got, mapped := linux.ToLocal(`a:b\c`); got != `a:b\c` || mapped {
		t.Errorf("linux ToLocal mapped %q, %v", got, mapped)
	}
}

func TestToLocalForeignNames(t *testing.T) {
	// Names written by other clients decode to a name that maps back.
	for _, remote := range []string{"plain", "50\uFF05 off", "trailing\u201B", "\u201Bx", "a\u2401b"} {
		local, _ := linux.ToLocal(remote)
		back, err := linux.ToRemote(local)
		if err != nil {
			t.Errorf("%q → %q: %v", remote, local, err)
			continue
		}
		if remote == "\u201Bx" {
			continue // a lone quote before a plain letter is read as quoting it
		}
		if back != remote {
			t.Errorf("%q → %q → %q", remote, local, back)
		}
	}
}

func TestPaths(t *testing.T) {
	r, err := linux.RemotePath("Photos%202020/" + nfd)
	if err != nil {
		t.Fatal(err)
	}
	if r != "Photos\uFF05202020/cafe\u201B\u0301.txt" {
		t.Fatalf("RemotePath = %q", r)
	}
	if l, mapped := linux.LocalPath(r); l != "Photos%202020/"+nfd || mapped {
		t.Fatalf("LocalPath = %q, %v", l, mapped)
	}
	_, err = linux.RemotePath("ok/" + strings.Repeat("x", 300) + "/f")
	var ne *names.Error
	if !errors.As(err, &ne) || !errors.Is(err, names.ErrTooLong) || len(ne.Name) != 300 {
		t.Fatalf("RemotePath error %v", err)
	}
	if _, mapped := windows.LocalPath("ok/a:b"); !mapped {
		t.Fatal("windows LocalPath did not report the mapping")
	}
}

func TestFold(t *testing.T) {
	cases := []struct{ name, a, b string }{
		{"case", "Photos/IMG.JPG", "photos/img.jpg"},
		{"nfc and nfd", "caf\u00e9", "cafe\u0301"},
		{"case and form", "CAF\u00c9", "cafe\u0301"},
	}
	for _, tc := range cases {
		if names.Fold(tc.a) != names.Fold(tc.b) {
			t.Errorf("%s: %q and %q should fold together", tc.name, tc.a, tc.b)
		}
	}
	if names.Fold("a/b") == names.Fold("a/c") {
		t.Error("different names fold together")
	}
}

// FuzzRoundTrip: every local name the package accepts comes back byte for
// byte, its remote name is one the service serves back, and two different
// local names never share a remote name.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"a", "Report%20final.pdf", nfc, nfd, "bad\xff", "\u201B", "\u201BFF", "x\u2401",
		"\u201B\u0301", "a\u0301\u0323", "\u212B", "\u201BU00212B", "\u0958\u093C", "a:b", "tail.", "tail ", "\uFF05", "\u1112\u1161\u11ab"} {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, sys := range []names.System{linux, mac, windows} {
			ra, erra := sys.ToRemote(a)
			rb, errb := sys.ToRemote(b)
			if erra == nil {
				if err := names.Check(ra); err != nil {
					t.Fatalf("%+v: ToRemote(%q) = %q, which Check refuses: %v", sys, a, ra, err)
				}
				if !norm.NFC.IsNormalString(ra) {
					t.Fatalf("%+v: ToRemote(%q) = %q is not NFC", sys, a, ra)
				}
				want := a
				if sys.Windows {
					continue // a Windows name comes back as Windows would show it
				}
				if sys.IgnoresForm && utf8.ValidString(a) {
					want = norm.NFC.String(a)
				}
				if back, _ := sys.ToLocal(ra); back != want {
					t.Fatalf("%+v: %q → %q → %q", sys, a, ra, back)
				}
				if errb == nil && ra == rb && want != b && !(sys.IgnoresForm && norm.NFC.String(b) == want) {
					t.Fatalf("%+v: %q and %q share the remote name %q", sys, a, b, ra)
				}
			}
		}
		// Windows: whatever a restore writes maps back to the remote name.
		if remote, err := linux.ToRemote(a); err == nil {
			local, _ := windows.ToLocal(remote)
			if back, err := windows.ToRemote(local); err != nil || back != remote {
				t.Fatalf("windows: %q → %q → %q, %v", remote, local, back, err)
			}
		}
	})
}
