package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"unicode"

	"jottacloudclient/internal/names"
	"jottacloudclient/jotta/api"
)

// FieldError is one validation problem. Field is the TOML key: for a pair
// validated alone ("local", "remote", …), for a whole file qualified
// ("pair[2].local", "options.transfers", "account.endpoint").
type FieldError struct {
	Field   string
	Message string
	Line    int // where Field is written in the file (see Locate); 0 when unknown
}

func (e FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Message)
	}
	return e.Field + ": " + e.Message
}

// ValidationError is a non-empty list of field problems.
type ValidationError []FieldError

func (v ValidationError) Error() string {
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Error()
	}
	return "invalid configuration: " + strings.Join(msgs, "; ")
}

// Check is Validate as an error: nil, or a ValidationError.
func (c *Config) Check() error {
	if errs := c.Validate(); len(errs) > 0 {
		return ValidationError(errs)
	}
	return nil
}

var pairIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidatePair checks one pair on its own; Field names its TOML key.
func ValidatePair(p Pair) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case p.ID == "":
		add("id", "give the folder pair a name")
	case !pairIDRe.MatchString(p.ID):
		add("id", "use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if msg := checkLocal(p); msg != "" {
		add("local", "%s", msg)
	}
	if msg := CheckRemote(p.Remote); msg != "" {
		add("remote", "%s", msg)
	}
	if p.Interval.D() < MinInterval {
		add("interval", "must be at least 1m (it is %s)", p.Interval)
	}
	if !p.Prune.Valid() {
		add("prune", "must be none, files, folders or all (it is %q)", string(p.Prune))
	}
	if p.PruneLimit < -1 {
		add("prune_limit", "must be a number of files, 0 for the default or -1 for no limit (it is %d)", p.PruneLimit)
	}
	for i, x := range p.Excludes {
		if strings.TrimSpace(x) == "" {
			add(fmt.Sprintf("excludes[%d]", i), "is empty: remove it")
		}
	}
	return errs
}

func checkLocal(p Pair) string {
	if strings.TrimSpace(p.Local) == "" {
		return "choose the local folder to back up"
	}
	l := p.LocalPath()
	if !filepath.IsAbs(l) {
		return fmt.Sprintf("%q is not an absolute path: give the full path of the folder", p.Local)
	}
	fi, err := os.Stat(l)
	switch {
	case os.IsNotExist(err):
		return fmt.Sprintf("%s does not exist", l)
	case err != nil:
		return fmt.Sprintf("%s cannot be read: %v", l, err)
	case !fi.IsDir():
		return fmt.Sprintf("%s is a file, not a folder", l)
	}
	return ""
}

// CheckRemote validates a remote path /device/mountpoint[/folder/…] and
// returns a message, or "" when it is fine. A trailing slash is allowed.
// A device and a mount point are enough: JottaCloud's own backup clients
// keep one backup set per mount point of the computer's device.
func CheckRemote(remote string) string {
	if remote == "" {
		return "give the remote folder as /device/mountpoint/folder, for example /Jotta/Archive/Photos"
	}
	if !strings.HasPrefix(remote, "/") {
		return fmt.Sprintf("%q must start with '/': write it as /device/mountpoint/folder, for example /Jotta/Archive/Photos", remote)
	}
	segs := strings.Split(strings.TrimSuffix(remote[1:], "/"), "/")
	if len(segs) < 2 {
		return fmt.Sprintf("%q needs at least a device and a mount point, /device/mountpoint[/folder], for example /Laptop/Photos or /Jotta/Archive/Photos", remote)
	}
	for i, s := range segs {
		what := "folder name"
		switch i {
		case 0:
			what = "device name"
		case 1:
			what = "mount point name"
		}
		if msg := checkSegment(s, i < 2); msg != "" {
			return fmt.Sprintf("%s %q in %q %s", what, s, remote, msg)
		}
	}
	if info := api.ClassifyMountPoint(segs[0], segs[1]); !info.Target() {
		return fmt.Sprintf("%s Pick a folder in /%s/Archive or on a device of your own.", info.Note, api.BuiltinDevice)
	}
	return ""
}

// RemoteNote is a remark about where a valid remote folder lies, or "":
// the built-in device's Sync spreads files to every computer, its Shared
// to other people.
func RemoteNote(remote string) string {
	segs := strings.Split(strings.Trim(remote, "/"), "/")
	if len(segs) < 2 {
		return ""
	}
	if info := api.ClassifyMountPoint(segs[0], segs[1]); info.Use == api.MountPointCaution {
		return info.Note
	}
	return ""
}

func checkSegment(s string, strict bool) string {
	switch err := names.Check(s); {
	case s == "":
		return "is empty (two slashes in a row?)"
	case err != nil:
		return names.Describe(err)
	case strings.TrimSpace(s) != s:
		return "starts or ends with a space"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "contains a control character"
		}
	}
	if strict && strings.ContainsAny(s, `\:*?"<>|%`) {
		return `contains one of \ : * ? " < > | %`
	}
	return ""
}

// Validate checks the whole file: every pair, duplicate pair ids,
// overlapping local folders or remote folders, the options and the
// account endpoint.
func (c *Config) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if ep := c.Account.Endpoint; ep != "" {
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("account.endpoint", "%q is not an http(s) URL: leave it empty for JottaCloud", ep)
		}
	}
	if t := c.Options.Transfers; t < 1 || t > MaxTransfers {
		add("options.transfers", "must be between 1 and %d (it is %d)", MaxTransfers, t)
	}
	if c.Options.BandwidthLimit < 0 {
		add("options.bandwidth_limit", "must not be negative")
	}
	switch c.Options.TrayIcon {
	case "", TrayIconColour, TrayIconLight, TrayIconDark, TrayIconAuto: // "": a configuration made in code
	default:
		add("options.tray_icon", "%q is not a tray icon: use %q, %q, %q or %q", c.Options.TrayIcon,
			TrayIconColour, TrayIconLight, TrayIconDark, TrayIconAuto)
	}
	for i, x := range c.Options.Excludes {
		if strings.TrimSpace(x) == "" {
			add(fmt.Sprintf("options.excludes[%d]", i), "is empty: remove it")
		}
	}
	seen := map[string]int{}
	for i, p := range c.Pairs {
		prefix := fmt.Sprintf("pair[%d].", i)
		for _, e := range ValidatePair(p) {
			errs = append(errs, FieldError{Field: prefix + e.Field, Message: e.Message})
		}
		if p.ID != "" {
			if j, dup := seen[p.ID]; dup {
				add(prefix+"id", "%q is already used by pair %d: pair names must be unique", p.ID, j+1)
			} else {
				seen[p.ID] = i
			}
		}
		for j := 0; j < i; j++ {
			q := c.Pairs[j]
			if a, b := p.LocalPath(), q.LocalPath(); a != "" && b != "" && overlaps(a, b, localFold, string(filepath.Separator)) {
				add(prefix+"local", "%s overlaps the folder of pair %q (%s): a folder may belong to one pair only", a, q.ID, b)
			}
			if a, b := names.Fold(cleanRemote(p.Remote)), names.Fold(cleanRemote(q.Remote)); a != "" && b != "" && overlaps(a, b, false, "/") {
				add(prefix+"remote", "%s overlaps the remote folder of pair %q: two pairs would overwrite or prune each other's files", p.Remote, q.ID)
			}
		}
	}
	return errs
}

// localFold: macOS and Windows file systems usually ignore case.
var localFold = runtime.GOOS == "windows" || runtime.GOOS == "darwin"

func cleanRemote(r string) string {
	if CheckRemote(r) != "" {
		return ""
	}
	return "/" + strings.Trim(r, "/")
}

// overlaps reports whether one path is the other or inside it.
func overlaps(a, b string, fold bool, sep string) bool {
	if fold {
		a, b = strings.ToLower(a), strings.ToLower(b)
	}
	in := func(x, y string) bool { return x == y || strings.HasPrefix(x, strings.TrimSuffix(y, sep)+sep) }
	return in(a, b) || in(b, a)
}
