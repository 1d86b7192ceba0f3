package message_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"
	"testing"

	"jottacloudclient/app/config"
	"jottacloudclient/app/message"
	"jottacloudclient/jotta"
	"jottacloudclient/syncer"
)

// dialErr is a real connection-refused error from the loopback.
func dialErr(t *testing.T) error {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = net.Dial("tcp", addr)
	if err == nil {
		t.Skip("closed port accepted a connection")
	}
	return fmt.Errorf("jotta: list /Laptop/Work: Get %q: %w", "http://"+addr+"/jfs", err)
}

func TestFor(t *testing.T) {
	quota := &jotta.OpError{Op: "allocate", Path: "/vm/Work/x", Err: &jotta.Error{StatusCode: 460, Exception: "QuotaExceededException", Message: "quota exceeded", XID: "abc123"}}
	cases := []struct {
		name        string
		err         error
		kind        message.Kind
		wantIn      string
		accountWide bool
	}{
		{"quota through the engine", fmt.Errorf("pass Work: stopping this pass: %w", fmt.Errorf("%w: %w", syncer.ErrQuota, quota)), message.KindQuota, "Your JottaCloud is full. Free up space or upgrade", true},
		{"quota status alone", quota, message.KindQuota, "full", true},
		{"session ended", fmt.Errorf("pass x: %w", jotta.ErrSignInRequired), message.KindSignIn, "Sign in again", true},
		{"unauthorized from engine", syncer.ErrUnauthorized, message.KindSignIn, "signed out", true},
		{"server 503", &jotta.OpError{Op: "list", Path: "/a/b", Err: &jotta.Error{StatusCode: 503, Exception: "ServerException", XID: "q"}}, message.KindServer, "retry on their own", true},
		{"access denied", &jotta.Error{StatusCode: 403, Exception: "AccessDeniedException", Message: "Access is denied"}, message.KindAccessDenied, "refused", false},
		{"name", &jotta.NameError{Path: "/a/b", Name: "b", Err: errors.New("name too long")}, message.KindName, "Rename", false},
		{"folder missing", fmt.Errorf("local folder /mnt/x is missing (is the drive mounted?): %w", syncer.ErrSourceMissing), message.KindFolderMissing, "Connect the drive", false},
		{"permission", &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}, message.KindPermission, "permission denied", false},
		{"paused", fmt.Errorf("pass a: %w", syncer.ErrPaused), message.KindPaused, "paused", false},
		{"canceled", context.Canceled, message.KindCanceled, "Stopped", false},
		{"config line", &config.LoadError{Path: "/c.toml", Line: 7, Msg: "expected value"}, message.KindConfig, "Fix line 7 of /c.toml", false},
		{"unavailable", fmt.Errorf("%w: boom", syncer.ErrUnavailable), message.KindServer, "retry on their own", true},
		{"deadline", context.DeadlineExceeded, message.KindOffline, "cannot be reached", true},
		{"missing local file", &fs.PathError{Op: "open", Path: "/no/such", Err: fs.ErrNotExist}, message.KindOther, "does not exist", false},
		{"unknown", errors.New("jotta: jotta: something odd happened (x-id 123)"), message.KindOther, "Something odd happened.", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := message.For(c.err)
			if m.Kind != c.kind {
				t.Fatalf("kind = %v, want %v (%q)", m.Kind, c.kind, m)
			}
			if !strings.Contains(m.String(), c.wantIn) {
				t.Errorf("message %q lacks %q", m, c.wantIn)
			}
			if m.AccountWide() != c.accountWide {
				t.Errorf("account-wide = %v", m.AccountWide())
			}
			assertClean(t, m.String())
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		m := message.For(dialErr(t))
		if m.Kind != message.KindOffline || !m.Transient() {
			t.Fatalf("got %v %q", m.Kind, m)
		}
	})
	if message.For(nil).String() != "" {
		t.Error("nil error gives text")
	}
}

func TestClean(t *testing.T) {
	cases := map[string]string{
		"pass Work: stopping this pass: jotta: allocate /vm/Work/x: server said 460: no.jotta.backup.errors.QuotaExceededException: over (x-id 8f3a)": "stopping this pass: allocate /vm/Work/x: the server refused the request: over",
		"jotta: jotta: list /a: timeout":                       "list /a: timeout",
		"folder pair Work: local folder gone":                  "folder Work: local folder gone",
		"upload: java.lang.IllegalArgumentException: bad name": "upload: bad name",
	}
	for in, want := range cases {
		if got := message.Clean(in); got != want {
			t.Errorf("Clean(%q)\n = %q\nwant %q", in, got, want)
		}
		assertClean(t, message.Clean(in))
	}
}

func TestProblem(t *testing.T) {
	if got := message.Problem("upload: jotta: x (x-id 1)", nil); got != "upload: x" {
		t.Errorf("got %q", got)
	}
	if got := message.Problem("whatever", syncer.ErrQuota); !strings.HasPrefix(got, "Your JottaCloud is full.") {
		t.Errorf("got %q", got)
	}
}

// assertClean fails when s carries internals.
func assertClean(t *testing.T, s string) {
	t.Helper()
	if bad := message.Internals(s); bad != "" {
		t.Errorf("%q carries %q", s, bad)
	}
}

// TestOnce: a one-off command never promises that backups go on by
// themselves; it says to run it again. Other kinds keep their action.
func TestOnce(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"offline", dialErr(t), "run the command again; it goes on where it stopped"},
		{"server", fmt.Errorf("%w: boom", syncer.ErrUnavailable), "Run the command again in a few minutes"},
		{"signed out", jotta.ErrSignInRequired, "run 'jotta login', then run the command again"},
		{"folder missing", syncer.ErrSourceMissing, "then run the command again"},
		{"name", &jotta.NameError{Path: "/a/b", Name: "b", Err: errors.New("name too long")}, "Rename the file or folder."},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := message.For(c.err).Once().String()
			if !strings.Contains(got, c.want) {
				t.Errorf("Once = %q, want it to contain %q", got, c.want)
			}
			for _, promise := range []string{"continue", "retry on their own", "next pass"} {
				if strings.Contains(got, promise) {
					t.Errorf("Once = %q promises %q", got, promise)
				}
			}
			if p := message.ProblemOnce("raw reason", c.err); p != got {
				t.Errorf("ProblemOnce = %q, want %q", p, got)
			}
		})
	}
}
