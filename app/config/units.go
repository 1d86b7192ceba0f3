package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as a Go duration string ("30m",
// "1h30m") in the file.
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String drops zero units: "1h", "1h30m", "45s".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("%q is not a duration: write it like \"30m\", \"1h\" or \"1h30m\"", string(b))
	}
	*d = Duration(v)
	return nil
}

// UnmarshalTOML accepts only strings: a bare number has no obvious unit.
func (d *Duration) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("write the duration as a string with a unit, like \"30m\" or \"1h\", not %v", v)
	}
	return d.UnmarshalText([]byte(s))
}

// ByteRate is a bandwidth in bytes per second; 0 means unlimited. In the
// file it is a string with a binary unit ("512KiB/s", "2M", "1.5GiB/s";
// a bare number means KiB/s) or 0.
type ByteRate int64

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

func (r ByteRate) String() string {
	switch {
	case r <= 0:
		return "0"
	case r%gib == 0:
		return strconv.FormatInt(int64(r/gib), 10) + "GiB/s"
	case r%mib == 0:
		return strconv.FormatInt(int64(r/mib), 10) + "MiB/s"
	case r%kib == 0:
		return strconv.FormatInt(int64(r/kib), 10) + "KiB/s"
	default:
		return strconv.FormatInt(int64(r), 10) + "B/s"
	}
}

func (r ByteRate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

func (r *ByteRate) UnmarshalText(b []byte) error {
	v, err := ParseByteRate(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// UnmarshalTOML also accepts a bare TOML number (KiB/s).
func (r *ByteRate) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		return r.UnmarshalText([]byte(x))
	case int64:
		return r.UnmarshalText([]byte(strconv.FormatInt(x, 10)))
	case float64:
		return r.UnmarshalText([]byte(strconv.FormatFloat(x, 'f', -1, 64)))
	default:
		return fmt.Errorf("bandwidth must be a string like \"2MiB/s\" or 0, not %T", v)
	}
}

// ParseByteRate reads "0", "off", "unlimited", "512KiB/s", "2M", "1.5GiB",
// "100B/s"; a bare number means KiB/s.
func ParseByteRate(s string) (ByteRate, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "", "0", "off", "unlimited", "none":
		return 0, nil
	}
	t = strings.TrimSuffix(t, "/s")
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = strings.TrimSpace(t[:i]), strings.TrimSpace(t[i:])
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a bandwidth: write it like \"512KiB/s\", \"2MiB/s\" or 0 for unlimited", s)
	}
	var mult float64
	switch strings.ToLower(unit) {
	case "b":
		mult = 1
	case "", "k", "kb", "kib":
		mult = kib
	case "m", "mb", "mib":
		mult = mib
	case "g", "gb", "gib":
		mult = gib
	default:
		return 0, fmt.Errorf("%q has an unknown unit %q: use B, KiB, MiB or GiB (per second)", s, unit)
	}
	v := f * mult
	if v > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return ByteRate(math.Round(v)), nil
}

// Prune says what a pair may remove remotely once it is gone locally.
type Prune string

const (
	PruneNone    Prune = "none"    // never remove anything remotely
	PruneFiles   Prune = "files"   // remove files deleted locally
	PruneFolders Prune = "folders" // remove folders deleted locally
	PruneAll     Prune = "all"     // both
)

// Valid reports whether p is one of the known policies.
func (p Prune) Valid() bool {
	switch p {
	case PruneNone, PruneFiles, PruneFolders, PruneAll:
		return true
	}
	return false
}

// Files reports whether files may be pruned.
func (p Prune) Files() bool { return p == PruneFiles || p == PruneAll }

// Folders reports whether folders may be pruned.
func (p Prune) Folders() bool { return p == PruneFolders || p == PruneAll }
