package creds

import (
	"errors"
	"fmt"
	"io/fs"

	"jottacloudclient/jotta"
)

// Source says where a credential came from or where the session lives.
type Source string

const (
	SourceKeyring Source = "keyring" // the OS keyring
	SourceFile    Source = "file"    // the 0600 token file in the config dir
	SourceNetrc   Source = "netrc"   // ~/.netrc
	SourceEnv     Source = "env"     // JOTTACLOUD_TOKEN
	SourceLogin   Source = "login"   // an explicit 'jotta login' or the settings window
)

// ErrPasswordLogin reports a password where a token is needed. JottaCloud
// stopped accepting account passwords in 2022.
var ErrPasswordLogin = errors.New("JottaCloud no longer accepts account passwords: " +
	"create a personal login token in JottaCloud's web settings (Settings → Security → Personal login token), " +
	"then run 'jotta login' (or set JOTTACLOUD_TOKEN to the token)")

// ErrNoCredentials reports that no session is stored and no token was found
// in ~/.netrc or the environment. It matches jotta.ErrSignInRequired
// without repeating its text: there was never a session to end.
var ErrNoCredentials error = noCredentials{}

type noCredentials struct{}

func (noCredentials) Error() string {
	return "no JottaCloud credentials in the keyring, the token file, ~/.netrc or JOTTACLOUD_TOKEN"
}

func (noCredentials) Is(target error) bool { return target == jotta.ErrSignInRequired }

// ErrKeyringUnavailable marks a keyring that could not be reached, for
// example on a server without a desktop session. Logout reports it so the
// user knows an old keyring item may remain.
var ErrKeyringUnavailable = errors.New("the OS keyring is not available")

var errEmptyToken = errors.New("the token is empty")

// NetrcPermissionError refuses a netrc file that group or others can read.
type NetrcPermissionError struct {
	Path string
	Mode fs.FileMode
}

func (e *NetrcPermissionError) Error() string {
	return fmt.Sprintf("%s can be read by other users (mode %04o) and holds a secret, so it is not used: run 'chmod 0600 %s'",
		e.Path, e.Mode.Perm(), e.Path)
}

// NetrcSyntaxError reports a malformed netrc file with its line.
type NetrcSyntaxError struct {
	Path string
	Line int
	Msg  string
}

func (e *NetrcSyntaxError) Error() string {
	return fmt.Sprintf("%s line %d: %s", e.Path, e.Line, e.Msg)
}
