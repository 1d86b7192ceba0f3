package settings

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"jottacloudclient/app/message"
	"jottacloudclient/internal/names"
)

// tokenHelp is the one-line explanation of where a token comes from.
const tokenHelp = "In the JottaCloud web page open Settings → Security → Personal login token, press Generate and paste the text here."

// CheckToken reports whether s looks like a personal login token: base64 of
// a JSON object naming the user, the identity server and a secret. The
// message never repeats the token.
func CheckToken(s string) *FieldError {
	s = strings.TrimSpace(s)
	if s == "" {
		return &FieldError{FieldToken, "Paste your personal login token. " + tokenHelp}
	}
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	var tok struct {
		Username     string `json:"username"`
		AuthToken    string `json:"auth_token"`
		WellKnown    string `json:"well_known_link"`
		WellKnownAlt string `json:"wellKnownLink"`
		Realm        string `json:"realm"`
	}
	if err != nil || json.Unmarshal(raw, &tok) != nil || tok.Username == "" || tok.AuthToken == "" ||
		(tok.WellKnown == "" && tok.WellKnownAlt == "") {
		return &FieldError{FieldToken, "This is not a personal login token (it may be cut short). " + tokenHelp}
	}
	return nil
}

// CheckLocal reports whether path is an existing local folder.
func CheckLocal(path string) *FieldError {
	if strings.TrimSpace(path) == "" {
		return &FieldError{FieldLocal, "Choose the folder on this computer to back up."}
	}
	if !filepath.IsAbs(path) {
		return &FieldError{FieldLocal, "Give the full path of the folder, for example " + exampleFolder() + "."}
	}
	fi, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		return &FieldError{FieldLocal, "There is no folder at this path. Choose an existing folder."}
	case err != nil:
		return &FieldError{FieldLocal, "This folder cannot be read: " + message.Text(err)}
	case !fi.IsDir():
		return &FieldError{FieldLocal, "This is a file, not a folder. Choose the folder that contains it."}
	}
	return nil
}

func exampleFolder() string {
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "Documents")
	}
	return "/home/you/Documents"
}

// SplitRemote splits "/Device/MountPoint/a/b" into its parts.
func SplitRemote(remote string) (device, mount, folder string) {
	parts := strings.SplitN(strings.Trim(remote, "/"), "/", 3)
	switch len(parts) {
	case 3:
		folder = parts[2]
		fallthrough
	case 2:
		mount = parts[1]
		fallthrough
	case 1:
		device = parts[0]
	}
	return device, mount, folder
}

// JoinRemote builds a remote path from its parts, skipping empty ones.
func JoinRemote(device, mount, folder string) string {
	p := "/" + strings.Trim(device, "/")
	if m := strings.Trim(mount, "/"); m != "" {
		p += "/" + m
	}
	if f := strings.Trim(folder, "/"); f != "" {
		p += "/" + f
	}
	return p
}

// CheckRemote reports whether remote names at least a device and a mount point.
func CheckRemote(remote string) *FieldError {
	r := strings.TrimSpace(remote)
	device, mount, _ := SplitRemote(r)
	if r == "" || device == "" || mount == "" || !strings.HasPrefix(r, "/") {
		return &FieldError{FieldRemote, "Give the place in JottaCloud as /Device/MountPoint, for example /Laptop/Documents, or press Browse."}
	}
	if strings.Contains(r, "//") {
		return &FieldError{FieldRemote, "The remote path has an empty part (//). Remove the extra slash."}
	}
	for _, seg := range strings.Split(strings.Trim(r, "/"), "/") {
		if err := names.Check(seg); err != nil {
			return &FieldError{FieldRemote, fmt.Sprintf("The name %q %s.", seg, names.Describe(err))}
		}
	}
	return nil
}

// ProposeRemote suggests where a local folder goes: device = this
// computer's name, mount point = the folder's name.
func ProposeRemote(local, hostname string) string {
	host := strings.TrimSpace(hostname)
	if i := strings.IndexByte(host, '.'); i > 0 {
		host = host[:i] // "laptop.local" → "laptop"
	}
	if host == "" {
		host = "Computer"
	}
	name := filepath.Base(filepath.Clean(local))
	if name == "." || name == string(filepath.Separator) || name == "" {
		name = "Backup"
	}
	return JoinRemote(host, name, "")
}

// ParseExcludes turns the excludes box (one pattern per line) into patterns.
func ParseExcludes(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if l := strings.TrimSpace(line); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// CheckPair validates a pair's fields before anything is sent to the backend.
func CheckPair(p Pair) FieldErrors {
	var errs FieldErrors
	if e := CheckLocal(p.Local); e != nil {
		errs = append(errs, e)
	}
	if e := CheckRemote(p.Remote); e != nil {
		errs = append(errs, e)
	}
	if p.Interval < time.Minute {
		errs = append(errs, &FieldError{FieldInterval, "Choose how often to back up (at least every minute)."})
	}
	return errs
}

// CheckOptions validates the options form's text fields and parses them into o.
func CheckOptions(o *Options, bandwidth, transfers string) FieldErrors {
	var errs FieldErrors
	bandwidth = strings.TrimSpace(bandwidth)
	if bandwidth == "" {
		o.BandwidthKBps = 0
	} else if n, err := parseInt(bandwidth); err != nil || n < 0 {
		errs = append(errs, &FieldError{FieldBandwidth, "Enter the limit in kB/s as a whole number, or leave it empty for no limit."})
	} else {
		o.BandwidthKBps = n
	}
	if n, err := parseInt(strings.TrimSpace(transfers)); err != nil || n < 1 || n > 32 {
		errs = append(errs, &FieldError{FieldTransfers, "Enter a number of parallel uploads from 1 to 32."})
	} else {
		o.Transfers = int(n)
	}
	o.Endpoint = strings.TrimSpace(o.Endpoint)
	if o.Endpoint != "" {
		u, err := url.Parse(o.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, &FieldError{FieldEndpoint, "Enter a web address such as http://127.0.0.1:8080, or leave it empty to use JottaCloud."})
		}
	}
	return errs
}

func parseInt(s string) (int64, error) {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0, err
	}
	if fmt.Sprint(n) != strings.TrimLeft(s, "+") {
		return 0, fmt.Errorf("not a whole number: %q", s)
	}
	return n, nil
}
