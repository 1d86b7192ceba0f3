package autostart

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestExecQuote(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain path", "/usr/bin/jotta-tray", "/usr/bin/jotta-tray"},
		{"space", "/opt/Jotta Cloud/jotta-tray", `"/opt/Jotta Cloud/jotta-tray"`},
		{"percent", "/opt/100%/jotta-tray", "/opt/100%%/jotta-tray"},
		{"dollar", "/opt/$x/jotta-tray", `"/opt/\\$x/jotta-tray"`},
		{"double quote", `/opt/a"b/jotta-tray`, `"/opt/a\\"b/jotta-tray"`},
		{"backslash", `/opt/a\b`, `"/opt/a\\\\b"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := execQuote(tc.in); got != tc.want {
				t.Errorf("execQuote(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestDesktopEntryActive(t *testing.T) {
	cases := []struct {
		name string
		data string
		want bool
	}{
		{"ours", string(desktopEntry("/bin/x")), true},
		{"hidden", "[Desktop Entry]\nExec=x\nHidden=true\n", false},
		{"gnome disabled", "[Desktop Entry]\nX-GNOME-Autostart-enabled=false\n", false},
		{"hidden in another group", "[Desktop Entry]\nExec=x\n[Desktop Action a]\nHidden=true\n", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := desktopEntryActive([]byte(tc.data)); got != tc.want {
				t.Errorf("active = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLaunchAgentPlist(t *testing.T) {
	data := launchAgentPlist("/Applications/A & B.app/Contents/MacOS/jotta-tray")
	var doc struct {
		Dict struct {
			Keys    []string `xml:"key"`
			Strings []string `xml:"string"`
			Array   []string `xml:"array>string"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("plist is not valid XML: %v\n%s", err, data)
	}
	want := []string{"/Applications/A & B.app/Contents/MacOS/jotta-tray", MinimizedFlag}
	if strings.Join(doc.Dict.Array, "|") != strings.Join(want, "|") {
		t.Errorf("ProgramArguments = %q, want %q", doc.Dict.Array, want)
	}
	if !strings.Contains(strings.Join(doc.Dict.Keys, ","), "RunAtLoad") {
		t.Errorf("plist has no RunAtLoad key: %s", data)
	}
}
