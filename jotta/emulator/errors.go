package emulator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
)

// Java exception classes the real server names in its errors.
const (
	excNoSuchFile     = "no.jotta.backup.errors.NoSuchFileException"
	excNoSuchPath     = "no.jotta.backup.errors.NoSuchPathException"
	excNoSuchMount    = "no.jotta.backup.errors.NoSuchMountPointException"
	excInvalidArg     = "no.jotta.backup.errors.InvalidArgumentException"
	excUniqueFile     = "no.jotta.backup.errors.UniqueFileException"
	excBadCredentials = "org.springframework.security.authentication.BadCredentialsException"
	excUsernameNF     = "org.springframework.security.core.userdetails.UsernameNotFoundException"
	excRange          = "no.jotta.backup.errors.RequestedRangeNotSatisfiedException"
	excIllegalArg     = "java.lang.IllegalArgumentException"
	excAccessDenied   = "org.springframework.security.access.AccessDeniedException"
	excServer         = "no.jotta.backup.errors.JottaServerException"
)

// hostName is what errors and root elements report as the serving node.
const hostName = "dn-emu"

// xid is a 12-digit trace id.
func xid() string { return fmt.Sprintf("%012d", rand.Int64N(1_000_000_000_000)) }

// jfsError is a JFS error reply.
type jfsError struct {
	status int
	class  string
	text   string
}

func (e *jfsError) Error() string {
	if e.text == "" {
		return e.class
	}
	return e.class + ": " + e.text
}

func errf(status int, class, format string, args ...any) *jfsError {
	return &jfsError{status: status, class: class, text: fmt.Sprintf(format, args...)}
}

// writeXMLError writes the JFS <error> document.
func writeXMLError(w http.ResponseWriter, e *jfsError) {
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString("<error>\n")
	fmt.Fprintf(&b, "  <code>%d</code>\n", e.status)
	b.WriteString("  <message>" + xmlEscape(e.Error()) + "</message>\n")
	b.WriteString("  <reason>" + xmlEscape(http.StatusText(e.status)) + "</reason>\n")
	b.WriteString("  <cause></cause>\n")
	b.WriteString("  <hostname>" + hostName + "</hostname>\n")
	b.WriteString("  <x-id>" + xid() + "</x-id>\n")
	b.WriteString("</error>\n")
	w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(b.String()))
}

// apiError is the JSON error body of api.jottacloud.com and upload URLs.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Cause   string `json:"cause"`
	ErrorID string `json:"error_id"`
	XID     string `json:"x-id"`
}

func writeAPIError(w http.ResponseWriter, status int, errorID, message string) {
	writeJSON(w, status, apiError{Code: status, Message: message, Cause: "", ErrorID: errorID, XID: xid()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode reply", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(raw, '\n'))
}
