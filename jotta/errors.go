package jotta

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"jottacloudclient/jotta/api"
)

// ErrNotExist reports that the path does not exist (HTTP 404, or a trashed
// entry where live ones were asked for). Test with errors.Is.
var ErrNotExist = errors.New("jotta: no such file or folder")

// Error is a non-2xx reply from JottaCloud.
type Error struct {
	StatusCode int    // HTTP status
	Exception  string // server exception class (short name) or OAuth error code
	Message    string // server message, without the class name
	XID        string // server trace id, for support requests
	// RetryAfter is the wait the server asked for in a Retry-After
	// header (0: none, or "now").
	RetryAfter    time.Duration
	hasRetryAfter bool
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jotta: server said %d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Exception != "" {
		b.WriteString(": " + e.Exception)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.XID != "" {
		b.WriteString(" (x-id " + e.XID + ")")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotExist) true for 404 replies.
func (e *Error) Is(target error) bool {
	return target == ErrNotExist && e.StatusCode == http.StatusNotFound
}

// Temporary reports whether the status is worth retrying.
func (e *Error) Temporary() bool { return retryableStatus(e.StatusCode) }

// NameError reports a path segment the server would refuse. It is returned
// before any request is made, so the caller can list it as a problem with
// that one file.
type NameError struct {
	Path string // the whole path as given
	Name string // the offending segment
	Err  error  // the reason, one of the api.ErrName… values
}

func (e *NameError) Error() string {
	return fmt.Sprintf("jotta: cannot store %q: %v; rename it", e.Path, e.Err)
}

func (e *NameError) Unwrap() error { return e.Err }

// OpError adds the operation and path to an error.
type OpError struct {
	Op   string // "list", "upload", "move" …
	Path string // user-relative path
	Err  error
}

func (e *OpError) Error() string {
	if e.Path == "" {
		return "jotta: " + e.Op + ": " + strings.TrimPrefix(e.Err.Error(), "jotta: ")
	}
	return "jotta: " + e.Op + " " + e.Path + ": " + strings.TrimPrefix(e.Err.Error(), "jotta: ")
}

func (e *OpError) Unwrap() error { return e.Err }

func opErr(op, p string, err error) error {
	if err == nil {
		return nil
	}
	var ne *NameError
	if errors.As(err, &ne) {
		return err
	}
	return &OpError{Op: op, Path: p, Err: err}
}

// maxErrorBody bounds how much of an error reply is read.
const maxErrorBody = 64 << 10

// responseError reads an error reply and decodes whichever body it has:
// the JFS XML <error>, the JSON API error, or an OAuth error. Anything
// else gives an Error with a short, printable description.
func responseError(resp *http.Response) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := decodeErrorBody(resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Id"), body)
	e.RetryAfter, e.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return e
}

func decodeErrorBody(status int, contentType, xid string, body []byte) *Error {
	e := &Error{StatusCode: status, XID: xid}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return e
	}
	switch trimmed[0] {
	case '<':
		var xe api.XMLError
		if err := xml.Unmarshal(trimmed, &xe); err == nil && xe.XMLName.Local == "error" {
			e.Exception, e.Message = xe.Exception()
			if e.Message == "" && e.Exception == "" {
				e.Message = strings.TrimSpace(xe.Reason)
			}
			if xe.XID != "" {
				e.XID = xe.XID
			}
			e.Message = printable(e.Message, 500)
			e.XID = printable(e.XID, 64)
			return e
		}
	case '{':
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &fields); err == nil {
			if _, ok := fields["error"]; ok {
				var oe api.OAuthError
				if json.Unmarshal(trimmed, &oe) == nil {
					e.Exception = printable(oe.Error, 100)
					e.Message = printable(oe.ErrorDescription, 500)
					return e
				}
			}
			var je api.JSONError
			_ = json.Unmarshal(trimmed, &je) // a field of an unexpected type leaves the rest decoded
			e.Exception = printable(je.ErrorID, 100)
			if e.Exception == "" {
				class, _ := api.SplitException(je.Message)
				e.Exception = class
			}
			_, msg := api.SplitException(je.Message)
			e.Message = printable(msg, 500)
			if je.XID != "" {
				e.XID = printable(je.XID, 64)
			}
			return e
		}
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "text/plain" && utf8.Valid(trimmed) {
		e.Message = printable(string(trimmed), 200)
		return e
	}
	if mt == "" {
		mt = "unknown"
	}
	e.Message = fmt.Sprintf("unreadable %s reply of %d bytes", mt, len(body))
	return e
}

// printable trims s to max runes and replaces control characters, so a
// hostile body cannot garble logs.
func printable(s string, max int) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if r == utf8.RuneError || unicode.IsControl(r) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isInvalidGrant reports an OAuth reply that means the session is gone.
func isInvalidGrant(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Exception == "invalid_grant" || e.Exception == "invalid_client" || e.Exception == "unauthorized_client")
}
