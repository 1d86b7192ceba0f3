package creds

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"jottacloudclient/jotta"
)

// TestFileFallbackNoticeIsShownOnce: the first save that has to use the
// token file warns; later runs (new processes, modelled by new stores on
// the same directory) that keep saving there stay quiet at warning level.
func TestFileFallbackNoticeIsShownOnce(t *testing.T) {
	dir := t.TempDir()
	kr := newFakeKeyring()
	kr.setDown(errors.New("no secret service"))
	save := func() string {
		var logs bytes.Buffer
		s, err := NewStore(StoreOptions{Dir: dir, Keyring: kr,
			Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveToken(context.Background(), &jotta.Token{AccessToken: "a", RefreshToken: "r"}); err != nil {
			t.Fatal(err)
		}
		return logs.String()
	}
	if first := save(); !strings.Contains(first, "keyring is not available") {
		t.Errorf("first save into the file said nothing: %q", first)
	}
	for i := range 2 {
		if later := save(); later != "" {
			t.Errorf("save %d into the existing file warned again: %q", i+2, later)
		}
	}
}
