package app_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
)

type fakeAutostart struct{ on bool }

func (f *fakeAutostart) Enable(string) error    { f.on = true; return nil }
func (f *fakeAutostart) Disable() error         { f.on = false; return nil }
func (f *fakeAutostart) Enabled() (bool, error) { return f.on, nil }

func newController(t *testing.T, paths app.Paths) *app.Controller {
	t.Helper()
	c, err := app.NewController(context.Background(), app.ControllerOptions{
		Paths:     paths,
		Getenv:    func(string) string { return "" },
		NetrcPath: filepath.Join(t.TempDir(), "no-netrc"),
		Autostart: &fakeAutostart{},
		Debounce:  50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitFor polls the controller's status on every change until ok holds.
func waitFor(t *testing.T, c *app.Controller, what string, ok func(app.Status) bool) app.Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ch := c.Changes(ctx)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		s := c.Status()
		if ok(s) {
			return s
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s; status %+v", what, s)
		}
	}
}

// TestControllerDemoBacksUpSampleFolder drives the controller as the
// settings window does: signed out at first, then the demo, whose sample
// folder is backed up to the built-in emulator; the pair then shows a
// complete pass, and the files are on the server with their md5.
func TestControllerDemoBacksUpSampleFolder(t *testing.T) {
	keyring.MockInit()
	paths := tempPaths(t)
	c := newController(t, paths)
	if s := c.Status(); s.Phase != app.PhaseSignedOut || s.SignedIn {
		t.Fatalf("fresh controller: phase %v signed in %v, want signed out", s.Phase, s.SignedIn)
	}
	ctx := context.Background()
	if err := c.StartDemo(ctx); err != nil {
		t.Fatalf("start demo: %v", err)
	}
	s := waitFor(t, c, "the sample folder's first complete pass", func(s app.Status) bool {
		return len(s.Pairs) == 1 && !s.Pairs[0].LastComplete.IsZero()
	})
	if !s.SignedIn || !s.Demo || s.Phase != app.PhaseIdle {
		t.Errorf("after the demo pass: signed in %v demo %v phase %v, want signed-in demo, idle", s.SignedIn, s.Demo, s.Phase)
	}
	if s.Pairs[0].Files != 3 || s.Pairs[0].Problems != 0 {
		t.Errorf("demo pair: %d files, %d problems; want 3 and 0", s.Pairs[0].Files, s.Pairs[0].Problems)
	}
	var localBytes int64
	_ = filepath.WalkDir(s.Pairs[0].LocalPath(), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				localBytes += fi.Size()
			}
		}
		return nil
	})
	if s.Pairs[0].Bytes != localBytes || localBytes == 0 {
		t.Errorf("demo pair: %d bytes reported, the folder holds %d", s.Pairs[0].Bytes, localBytes)
	}
	// The files are on the demo server, listed through a client of its own.
	remote := s.Pairs[0].Remote
	local := s.Pairs[0].LocalPath()
	got := listRemote(t, s.Endpoint, paths, remote)
	for _, name := range []string{"Welcome.txt", "Notes/Shopping list.txt", "Notes/Ideas.md"} {
		want := md5File(t, filepath.Join(local, filepath.FromSlash(name)))
		if got[name] != want {
			t.Errorf("%s on the server: md5 %q, want %q", name, got[name], want)
		}
	}

	// Invalid input is refused per field, and nothing is saved.
	before, _ := os.ReadFile(paths.Config)
	_, err := c.SavePair(ctx, config.Pair{Local: local, Remote: "/OnlyDevice", Enabled: true})
	var ve config.ValidationError
	if !errors.As(err, &ve) || ve[0].Field != "remote" {
		t.Errorf("pair without a mount point: err %v, want a remote field error", err)
	}
	if after, _ := os.ReadFile(paths.Config); string(after) != string(before) {
		t.Error("a refused pair changed the configuration file")
	}
	if err := c.SignIn(ctx, "not a token"); !errors.As(err, &ve) || ve[0].Field != app.FieldToken {
		t.Errorf("malformed token: err %v, want a token field error", err)
	}

	// Removing the pair keeps the backup on the server.
	if err := c.RemovePair(ctx, s.Pairs[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := len(c.Status().Pairs); n != 0 {
		t.Errorf("%d pairs after removal", n)
	}
	endpoint := s.Endpoint
	if got := listRemote(t, endpoint, paths, remote); len(got) != 3 {
		t.Errorf("after removing the pair the server holds %d files, want the 3 backed up", len(got))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart finds the demo again, signed in from its stored session.
	c2 := newController(t, paths)
	defer c2.Close()
	if s := c2.Status(); !s.SignedIn || !s.Demo {
		t.Errorf("after restart: signed in %v demo %v", s.SignedIn, s.Demo)
	}
}

// listRemote lists a folder of the demo service with the demo's session.
func listRemote(t *testing.T, endpoint string, paths app.Paths, root string) map[string]string {
	t.Helper()
	st, err := app.NewStore(app.AccountOptions{Paths: app.Paths{CredsDir: filepath.Join(paths.StateDir, "demo", "session")}, Keyring: failingKeyring{}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := jotta.New(jotta.Options{Endpoint: endpoint, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	prefix := len(api.SplitPath(root)) - 1
	_, err = cl.ListStream(context.Background(), root, func(e *api.ListEntry) error {
		if !e.Folder {
			segs := append(api.SplitPath(e.Path)[prefix:], e.Name)
			got[joinSlash(segs)] = e.MD5
		}
		return nil
	})
	if err != nil {
		t.Fatalf("list %s: %v", root, err)
	}
	return got
}

func joinSlash(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "/"
		}
		out += x
	}
	return out
}

type failingKeyring struct{}

func (failingKeyring) Get(string, string) (string, error) { return "", errors.New("no keyring") }
func (failingKeyring) Set(string, string, string) error   { return errors.New("no keyring") }
func (failingKeyring) Delete(string, string) error        { return errors.New("no keyring") }

func md5File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
