package message

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"time"

	"jottacloudclient/app/config"
	"jottacloudclient/jotta"
	"jottacloudclient/syncer"
)

// Kind is what went wrong, in the user's terms.
type Kind int

const (
	KindNone          Kind = iota // no error
	KindOther                     // anything not recognised below
	KindOffline                   // JottaCloud cannot be reached (network, DNS, timeout)
	KindServer                    // JottaCloud answered with a temporary failure (5xx, 429)
	KindSignIn                    // the session is gone: sign in again
	KindAccessDenied              // the server refused an operation (403)
	KindQuota                     // the account is full
	KindName                      // the server cannot store this name
	KindFolderMissing             // the local folder is unavailable (unmounted drive)
	KindPermission                // a local file or folder cannot be read
	KindLocalIO                   // another local read or write error
	KindDiskFull                  // the local disk is full (downloads)
	KindChanged                   // the file changed while it was read
	KindMismatch                  // the server stored other content than sent
	KindConfig                    // the configuration file has a problem
	KindTLS                       // the secure connection failed (certificate, clock)
	KindPaused                    // the user paused backups
	KindCanceled                  // stopped (shutdown, folder removed)
)

// AccountWide reports kinds that concern the whole account, not one file:
// they are shown once, for the account.
func (k Kind) AccountWide() bool {
	switch k {
	case KindOffline, KindServer, KindSignIn, KindQuota, KindTLS:
		return true
	}
	return false
}

// Transient reports kinds that clear by themselves; the engine retries.
func (k Kind) Transient() bool {
	switch k {
	case KindOffline, KindServer, KindChanged, KindMismatch:
		return true
	}
	return false
}

// Message is an error as the user sees it.
type Message struct {
	Kind   Kind
	Text   string // what happened, one short sentence
	Action string // what to do, or what happens next ("" when nothing)
}

// AccountWide is Kind.AccountWide.
func (m Message) AccountWide() bool { return m.Kind.AccountWide() }

// Transient is Kind.Transient.
func (m Message) Transient() bool { return m.Kind.Transient() }

// String joins Text and Action.
func (m Message) String() string {
	switch {
	case m.Action == "":
		return m.Text
	case m.Text == "":
		return m.Action
	}
	return m.Text + " " + m.Action
}

// Text is For(err).String().
func Text(err error) string { return For(err).String() }

// Problem is the line for one file that could not be backed up: the
// mapping of err when there is one, otherwise the cleaned reason.
func Problem(reason string, err error) string { return problem(reason, err, Message.String) }

// ProblemOnce is Problem for a command that runs once (see Once).
func ProblemOnce(reason string, err error) string {
	return problem(reason, err, func(m Message) string { return m.Once().String() })
}

func problem(reason string, err error, say func(Message) string) string {
	if err != nil {
		if m := For(err); m.Kind != KindOther {
			return say(m)
		}
	}
	return Clean(reason)
}

// Once is m for a command that runs once (jotta scan, restore, verify):
// nothing starts again on its own, so where m promises that backups go on
// or that the next pass fixes it, it says to run the command again. A
// finished part is not sent twice.
func (m Message) Once() Message {
	if a, ok := onceActions[m.Kind]; ok {
		m.Action = a
	}
	return m
}

var onceActions = map[Kind]string{
	KindOffline:       "Check the internet connection, then run the command again; it goes on where it stopped.",
	KindServer:        "Run the command again in a few minutes; it goes on where it stopped.",
	KindSignIn:        "Create a new personal login token (JottaCloud → Settings → Security), run 'jotta login', then run the command again.",
	KindQuota:         "Free up space or upgrade, then run the command again.",
	KindFolderMissing: "Connect the drive or check the path, then run the command again.",
	KindChanged:       "Run the command again to back it up.",
	KindMismatch:      "Run the command again to send it again.",
}

// Sentences shown for each kind.
var (
	msgOffline  = Message{KindOffline, "JottaCloud cannot be reached.", "Check the internet connection; backups continue when it is back."}
	msgServer   = Message{KindServer, "JottaCloud is having trouble right now.", "Try again in a few minutes; scheduled backups retry on their own."}
	msgSignIn   = Message{KindSignIn, "You are signed out of JottaCloud.", "Sign in again with a new personal login token (JottaCloud → Settings → Security); backups continue after that."}
	msgDenied   = Message{KindAccessDenied, "JottaCloud refused this change.", "Check that the place in JottaCloud is yours to write to, or choose another one."}
	msgQuota    = Message{KindQuota, "Your JottaCloud is full.", "Free up space or upgrade; backups continue when there is room."}
	msgName     = Message{KindName, "JottaCloud cannot store this name.", "Rename the file or folder."}
	msgMissing  = Message{KindFolderMissing, "The folder is not available.", "Connect the drive or choose the folder again; backups continue when it is back."}
	msgPerm     = Message{KindPermission, "This file cannot be read: permission denied.", "Give your user read access, or leave it out."}
	msgDiskFull = Message{KindDiskFull, "The disk on this computer is full.", "Free up space and try again."}
	msgChanged  = Message{KindChanged, "The file changed while it was being read.", "It is backed up on the next pass."}
	msgMismatch = Message{KindMismatch, "JottaCloud stored different content than was sent.", "It is sent again on the next pass."}
	msgTLS      = Message{KindTLS, "The secure connection to JottaCloud failed.", "Check this computer's date and time, and any proxy or antivirus that inspects connections."}
	msgPaused   = Message{KindPaused, "Backups are paused.", "They continue when you resume."}
	msgCanceled = Message{KindCanceled, "Stopped.", ""}
)

// For classifies err and returns the sentence for it.
func For(err error) Message {
	if err == nil {
		return Message{}
	}
	var (
		je  *jotta.Error
		ne  *jotta.NameError
		le  *config.LoadError
		ve  config.ValidationError
		dns *net.DNSError
		noe *net.OpError
		ue  *url.Error
	)
	switch {
	case errors.Is(err, syncer.ErrPaused):
		return msgPaused
	case errors.Is(err, context.Canceled):
		return msgCanceled
	case errors.Is(err, jotta.ErrSignInRequired), errors.Is(err, syncer.ErrUnauthorized):
		return msgSignIn
	case errors.Is(err, syncer.ErrQuota):
		return msgQuota
	case errors.As(err, &le):
		return configMessage(le)
	case errors.As(err, &ve):
		return Message{KindConfig, "The configuration file has a problem: " + Clean(ve.Error()) + ".", "Fix it in Settings or in the file."}
	case errors.As(err, &ne), errors.Is(err, syncer.ErrNameRejected):
		return nameMessage(ne)
	case errors.Is(err, syncer.ErrSourceMissing):
		return msgMissing
	case errors.As(err, &je):
		return statusMessage(je)
	case isTLS(err):
		return msgTLS
	case errors.As(err, &dns), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ETIMEDOUT),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return msgOffline
	case errors.As(err, &noe), errors.As(err, &ue):
		// Not net.Error: *fs.PathError has its methods too.
		return msgOffline
	case errors.Is(err, syscall.ENOSPC):
		return msgDiskFull
	case errors.Is(err, fs.ErrPermission):
		return msgPerm
	case errors.Is(err, jotta.ErrChecksumMismatch):
		return msgMismatch
	case errors.Is(err, syncer.ErrUnavailable):
		return msgServer
	}
	if m, ok := syncerMessage(err); ok {
		return m
	}
	return Message{KindOther, sentence(Clean(err.Error())), ""}
}

// statusMessage maps a server reply.
func statusMessage(e *jotta.Error) Message {
	switch {
	case e.StatusCode == 460 || strings.Contains(e.Exception, "Quota"):
		return msgQuota
	case e.StatusCode == http.StatusUnauthorized:
		return msgSignIn
	case e.StatusCode == http.StatusForbidden:
		return msgDenied
	case e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500:
		return msgServer
	case e.StatusCode == http.StatusNotFound:
		return Message{KindOther, "The item is no longer in JottaCloud.", "It is sent again on the next pass."}
	}
	text := "JottaCloud refused the request"
	if m := Clean(e.Message); m != "" {
		text += ": " + m
	}
	return Message{KindOther, sentence(text), ""}
}

func nameMessage(ne *jotta.NameError) Message {
	m := msgName
	if ne != nil && ne.Err != nil {
		m.Text = "JottaCloud cannot store the name " + fmt.Sprintf("%q", ne.Name) + ": " + Clean(ne.Err.Error()) + "."
	}
	return m
}

func configMessage(le *config.LoadError) Message {
	where := "The configuration file"
	action := "Fix " + le.Path + " or move it aside."
	if le.Line > 0 {
		where = fmt.Sprintf("Line %d of the configuration file", le.Line)
		action = fmt.Sprintf("Fix line %d of %s, or move the file aside.", le.Line, le.Path)
	}
	return Message{KindConfig, where + " has a problem: " + Clean(le.Msg) + ".", action}
}

// syncerMessage recognises the engine's unexported per-file errors by
// their fixed text.
func syncerMessage(err error) (Message, bool) {
	s := err.Error()
	switch {
	case strings.Contains(s, "changed while"):
		return msgChanged, true
	case strings.Contains(s, "server confirmed other content"):
		return msgMismatch, true
	}
	return Message{}, false
}

// isTLS reports a failed certificate check.
func isTLS(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var hn x509.HostnameError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &hn)
}

var (
	xidRe        = regexp.MustCompile(`\s*\(x-id [^)]*\)`)
	userRootRe   = regexp.MustCompile(`/[0-9a-f]{24}/`)
	exceptionRe  = regexp.MustCompile(`(?:[a-z][a-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*(?:Exception|Error)\b:?\s*`)
	passPrefixRe = regexp.MustCompile(`(?:^|:\s)pass [^\s:]+:\s`)
	statusRe     = regexp.MustCompile(`server said (\d{3})(?: [A-Za-z' -]+)?:?\s*`)
	spacesRe     = regexp.MustCompile(`\s{2,}`)
)

// Clean removes internals from a free-text reason: "jotta: " prefixes,
// x-ids, exception class names, "pass <id>: " prefixes, HTTP status
// phrases and the words "folder pair".
func Clean(s string) string {
	s = xidRe.ReplaceAllString(s, "")
	s = userRootRe.ReplaceAllString(s, "/")
	s = strings.ReplaceAll(s, "jotta: ", "")
	s = strings.TrimPrefix(s, "jotta:")
	s = passPrefixRe.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, ":") {
			return ": "
		}
		return ""
	})
	s = exceptionRe.ReplaceAllString(s, "")
	s = statusRe.ReplaceAllString(s, "the server refused the request: ")
	s = strings.ReplaceAll(s, "folder pairs", "folders")
	s = strings.ReplaceAll(s, "folder pair", "folder")
	s = strings.ReplaceAll(s, ": : ", ": ")
	s = spacesRe.ReplaceAllString(s, " ")
	return strings.TrimRight(strings.TrimSpace(s), ":;, ")
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "Something went wrong."
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// HeldBack explains deletions the engine held back from the trash: how
// many files, why (the engine's refusal, cleaned) and what to do.
func HeldBack(refused string, files int) string {
	why := Clean(refused)
	why = strings.TrimPrefix(why, "pruning refused: ")
	if i := strings.Index(why, "; nothing was moved"); i >= 0 {
		why = why[:i]
	}
	if i := strings.Index(why, " (check the local folder"); i >= 0 {
		why = why[:i]
	}
	n := "1 file is"
	if files != 1 {
		n = fmt.Sprintf("%d files are", files)
	}
	return sentence(n+" gone from this folder but still in JottaCloud. They were not moved to the JottaCloud trash: "+why) +
		" Review them: move them to the JottaCloud trash, or keep them in JottaCloud."
}

// Day names a past day for people: "today", "yesterday", a weekday within
// the last week ("Monday"), else a date ("2 Jan", "2 Jan 2025").
func Day(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	y, m, d := now.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	switch {
	case !t.Before(midnight):
		return "today " + t.Format("15:04")
	case !t.Before(midnight.AddDate(0, 0, -1)):
		return "yesterday " + t.Format("15:04")
	case !t.Before(midnight.AddDate(0, 0, -6)):
		return t.Format("Monday")
	case t.Year() == now.Year():
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// Tally counts reasons in the order they first appear: "2 symbolic link
// (not followed), 1 special file (socket)". Lists of skipped items use it.
func Tally(reasons []string) string {
	counts := map[string]int{}
	var order []string
	for _, r := range reasons {
		if counts[r] == 0 {
			order = append(order, r)
		}
		counts[r]++
	}
	parts := make([]string, 0, len(order))
	for _, r := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[r], r))
	}
	return strings.Join(parts, ", ")
}
