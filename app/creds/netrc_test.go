package creds

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseNetrc(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		want    []netrcEntry
		wantErr string // substring; empty means success
	}{
		{
			name: "one machine on one line",
			text: "machine jottacloud login alice password s3cr3t\n",
			want: []netrcEntry{{Machine: "jottacloud", Login: "alice", Password: "s3cr3t", Line: 1}},
		},
		{
			name: "comments anywhere, hash inside a value kept",
			text: "# my netrc\nmachine jottacloud # the backup account\n  login alice\n  # password old\n  password pa#ss\n",
			want: []netrcEntry{{Machine: "jottacloud", Login: "alice", Password: "pa#ss", Line: 2}},
		},
		{
			name: "several machines and a default",
			text: "machine example.org login bob password b1\nmachine jottacloud.com login carol password c2 account x\ndefault login anonymous password guest\n",
			want: []netrcEntry{
				{Machine: "example.org", Login: "bob", Password: "b1", Line: 1},
				{Machine: "jottacloud.com", Login: "carol", Password: "c2", Account: "x", Line: 2},
				{Default: true, Login: "anonymous", Password: "guest", Line: 3},
			},
		},
		{
			name: "macdef body is skipped up to the blank line",
			text: "machine ftp.example.org login u password p\nmacdef init\nmachine jottacloud login evil password evil\nbin\n\nmachine jottacloud login alice password good\n",
			want: []netrcEntry{
				{Machine: "ftp.example.org", Login: "u", Password: "p", Line: 1},
				{Machine: "jottacloud", Login: "alice", Password: "good", Line: 6},
			},
		},
		{
			name: "macdef at end of file without blank line",
			text: "machine a login u password p\nmacdef x\ncd /\nquit",
			want: []netrcEntry{{Machine: "a", Login: "u", Password: "p", Line: 1}},
		},
		{
			name: "quoted value with spaces and escapes",
			text: "machine jottacloud login \"Alice Smith\" password \"a \\\"b\\\" c\"\n",
			want: []netrcEntry{{Machine: "jottacloud", Login: "Alice Smith", Password: `a "b" c`, Line: 1}},
		},
		{
			name: "CRLF line ends and tabs",
			text: "machine\tjottacloud\r\n\tlogin alice\r\n\tpassword tok\r\n",
			want: []netrcEntry{{Machine: "jottacloud", Login: "alice", Password: "tok", Line: 1}},
		},
		{name: "empty file", text: "", want: nil},
		{name: "machine without name", text: "machine", wantErr: "line 1: 'machine' without a name"},
		{name: "password without value", text: "machine a\nlogin u\npassword", wantErr: "line 3: 'password' without a value"},
		{name: "login before any machine", text: "login u password p", wantErr: "line 1: 'login' before any 'machine' entry"},
		{name: "unterminated quote", text: "machine a\npassword \"abc", wantErr: "line 2: unterminated quoted string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseNetrc(tc.text)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				var se *NetrcSyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("err %T is not a *NetrcSyntaxError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d entries %+v, want %d %+v", len(got), got, len(tc.want), tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("entry %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestReadNetrcSecret(t *testing.T) {
	login := testLoginToken(t, "alice@example.org", "auth-123")
	cases := []struct {
		name      string
		text      string // "" with noFile means the file does not exist
		noFile    bool
		mode      os.FileMode
		wantOK    bool
		wantKind  Kind
		wantUser  string
		wantValue string
		wantErr   func(error) bool
	}{
		{name: "missing file is not an error", noFile: true},
		{name: "login token under machine jottacloud", text: "machine jottacloud login alice password " + login + "\n", mode: 0o600,
			wantOK: true, wantKind: KindLoginToken, wantUser: "alice", wantValue: login},
		{name: "refresh token under jottacloud.com", text: "machine jottacloud.com login bob password " + testRefreshToken + "\n", mode: 0o600,
			wantOK: true, wantKind: KindRefreshToken, wantUser: "bob", wantValue: testRefreshToken},
		{name: "jottacloud preferred over jottacloud.com whatever the order",
			text: "machine jottacloud.com login old password " + testRefreshToken + "\nmachine jottacloud login new password " + login + "\n", mode: 0o400,
			wantOK: true, wantKind: KindLoginToken, wantUser: "new", wantValue: login},
		{name: "username from the login token when login is missing", text: "machine jottacloud password " + login + "\n", mode: 0o600,
			wantOK: true, wantKind: KindLoginToken, wantUser: "alice@example.org", wantValue: login},
		{name: "default entry is never used", text: "default login anonymous password " + testRefreshToken + "\n", mode: 0o600},
		{name: "other machines only", text: "machine github.com login x password " + testRefreshToken + "\n", mode: 0o600},
		{name: "readable by others is refused", text: "machine jottacloud password " + login + "\n", mode: 0o644,
			wantErr: func(err error) bool {
				var pe *NetrcPermissionError
				return errors.As(err, &pe) && strings.Contains(err.Error(), "chmod 0600")
			}},
		{name: "readable by group is refused", text: "machine jottacloud password " + login + "\n", mode: 0o640,
			wantErr: func(err error) bool { var pe *NetrcPermissionError; return errors.As(err, &pe) }},
		{name: "a password is explained", text: "machine jottacloud login alice password hunter2\n", mode: 0o600,
			wantErr: func(err error) bool {
				return errors.Is(err, ErrPasswordLogin) && strings.Contains(err.Error(), "line 1") && !strings.Contains(err.Error(), "hunter2")
			}},
		{name: "machine without password", text: "machine jottacloud login alice\n", mode: 0o600,
			wantErr: func(err error) bool { var se *NetrcSyntaxError; return errors.As(err, &se) && se.Line == 1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".netrc")
			if !tc.noFile {
				if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.mode); err != nil {
					t.Fatal(err)
				}
			}
			s, ok, err := readNetrcSecret(path)
			if tc.wantErr != nil {
				if runtime.GOOS == "windows" {
					t.Skip("no permission bits on Windows")
				}
				if err == nil || !tc.wantErr(err) {
					t.Fatalf("err = %v, not the expected error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			if !ok {
				return
			}
			if s.Kind != tc.wantKind || s.Username != tc.wantUser || s.Reveal() != tc.wantValue || s.Source != SourceNetrc {
				t.Errorf("got %v (value match %v), want kind %v user %q", s, s.Reveal() == tc.wantValue, tc.wantKind, tc.wantUser)
			}
		})
	}
}
