package names

import (
	"errors"
	"fmt"
)

// Problem says, in the user's words, why the local name (one segment)
// cannot be backed up so that it comes back under the same name, and what
// to do; "" when it can.
func (s System) Problem(local string) string {
	_, err := s.ToRemote(local)
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, ErrTooLong):
		n := len(local)
		if remote := s.encode(local); len(remote) != n {
			return fmt.Sprintf("the name is too long for JottaCloud: it takes %d bytes there (%d here), the limit is %d; shorten it", len(remote), n, MaxBytes)
		}
		return fmt.Sprintf("the name is too long for JottaCloud: %d bytes, the limit is %d; shorten it", n, MaxBytes)
	case errors.Is(err, ErrForm):
		return "the name holds a character that JottaCloud would store in another Unicode form, so it could not come back under the same name; rename it"
	case errors.Is(err, ErrDot), errors.Is(err, ErrEmpty), errors.Is(err, ErrSlash):
		return "JottaCloud cannot store this name; rename it"
	}
	return "JottaCloud cannot store this name (" + err.Error() + "); rename it"
}

// Problem is Here.Problem.
func Problem(local string) string { return Here.Problem(local) }

// Describe finishes the sentence "The name … " for an error from Check, for
// names a person typed (a remote folder in the settings).
func Describe(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrEmpty):
		return "is empty"
	case errors.Is(err, ErrDot):
		return "is not allowed"
	case errors.Is(err, ErrTooLong):
		return fmt.Sprintf("is longer than %d bytes, the most JottaCloud allows", MaxBytes)
	case errors.Is(err, ErrInvalidUTF8):
		return "is not valid UTF-8"
	case errors.Is(err, ErrSlash):
		return "contains a slash"
	case errors.Is(err, ErrControl):
		return "contains a control character"
	case errors.Is(err, ErrPercent):
		return "holds a % followed by two letters or digits, which JottaCloud cannot serve back; write it without that %"
	}
	return "cannot be used: " + err.Error()
}
