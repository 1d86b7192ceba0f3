package desktop

import (
	"testing"

	"jottacloudclient/app"
)

// TestReadingReachesTrayAndWindow: a pass that still reads the files it
// finds is "reading" in the tray and the window; uploads never are.
func TestReadingReachesTrayAndWindow(t *testing.T) {
	for _, tc := range []struct {
		name         string
		p            app.Progress
		tray, window bool
	}{
		{"reading while the walk finds files", app.Progress{Counting: true}, true, true},
		{"reading, all found", app.Progress{}, false, true},
		{"uploading", app.Progress{Uploading: true}, false, false},
		{"uploading while the walk goes on", app.Progress{Uploading: true, Counting: true}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.FilesDone, p.FilesTotal = 3, 4
			ts := trayState(app.Status{Progress: &p})
			if ts.Reading != tc.tray || ts.Counting != p.Counting {
				t.Errorf("tray Reading %v, Counting %v; want %v, %v", ts.Reading, ts.Counting, tc.tray, p.Counting)
			}
			a := activityOf(app.Status{Progress: &p})
			if a.Reading != tc.window || a.Counting != p.Counting || !a.Running {
				t.Errorf("window activity %+v, want Reading %v, Counting %v", a, tc.window, p.Counting)
			}
		})
	}
}
