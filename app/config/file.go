package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/BurntSushi/toml"
)

// LoadError reports a configuration file that could not be read or parsed.
// The file is left exactly as it was; callers start with nothing scheduled.
type LoadError struct {
	Path   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Msg    string
	Err    error
}

func (e *LoadError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s line %d", e.Path, e.Line)
		if e.Column > 0 {
			where += fmt.Sprintf(" column %d", e.Column)
		}
	}
	return fmt.Sprintf("config file %s: %s (the file was not changed: fix it or move it aside)", where, e.Msg)
}

func (e *LoadError) Unwrap() error { return e.Err }

// Warning is a non-fatal remark about the file, such as an unknown key.
type Warning struct {
	Key string
	Msg string
}

func (w Warning) String() string { return w.Key + ": " + w.Msg }

// The file as written, with pointers where a missing key must get a
// non-zero default.
type fileConfig struct {
	Account Account     `toml:"account"`
	Options fileOptions `toml:"options"`
	Pairs   []filePair  `toml:"pair"`
}

type fileOptions struct {
	Transfers      *int     `toml:"transfers"`
	BandwidthLimit ByteRate `toml:"bandwidth_limit"`
	StartAtLogin   bool     `toml:"start_at_login"`
	Notifications  *bool    `toml:"notifications"`
	SkipOnBattery  bool     `toml:"skip_on_battery"`
	SkipOnMetered  bool     `toml:"skip_on_metered"`
	Excludes       []string `toml:"excludes"`
	TrayIcon       *string  `toml:"tray_icon"`
}

type filePair struct {
	ID             string    `toml:"id"`
	Local          string    `toml:"local"`
	Remote         string    `toml:"remote"`
	Enabled        *bool     `toml:"enabled"`
	Interval       *Duration `toml:"interval"`
	Watch          *bool     `toml:"watch"`
	Excludes       []string  `toml:"excludes"`
	Prune          *Prune    `toml:"prune"`
	PruneLimit     int       `toml:"prune_limit"`
	IncludeHidden  *bool     `toml:"include_hidden"`
	FollowSymlinks bool      `toml:"follow_symlinks"`
}

func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func (f *fileConfig) config() *Config {
	c := Default()
	c.Account = f.Account
	o := f.Options
	c.Options = Options{
		Transfers:      orDefault(o.Transfers, DefaultTransfers),
		BandwidthLimit: o.BandwidthLimit,
		StartAtLogin:   o.StartAtLogin,
		Notifications:  orDefault(o.Notifications, true),
		SkipOnBattery:  o.SkipOnBattery,
		SkipOnMetered:  o.SkipOnMetered,
		Excludes:       o.Excludes,
		TrayIcon:       orDefault(o.TrayIcon, TrayIconColour),
	}
	for _, fp := range f.Pairs {
		p := NewPair(fp.ID, fp.Local, fp.Remote)
		p.Enabled = orDefault(fp.Enabled, p.Enabled)
		p.Interval = orDefault(fp.Interval, p.Interval)
		p.Watch = orDefault(fp.Watch, p.Watch)
		p.Excludes = fp.Excludes
		p.Prune = orDefault(fp.Prune, p.Prune)
		p.PruneLimit = fp.PruneLimit
		p.IncludeHidden = orDefault(fp.IncludeHidden, p.IncludeHidden)
		p.FollowSymlinks = fp.FollowSymlinks
		c.Pairs = append(c.Pairs, p)
	}
	return c
}

// Load reads the file at path. A missing file gives Default() and no
// error. A file that cannot be parsed gives a *LoadError naming the line;
// unknown keys give warnings. Load does not validate: call Validate.
func Load(path string) (*Config, []Warning, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil, nil
	}
	if err != nil {
		return nil, nil, &LoadError{Path: path, Msg: "cannot be read: " + err.Error(), Err: err}
	}
	return parse(path, data)
}

func parse(path string, data []byte) (*Config, []Warning, error) {
	var f fileConfig
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		le := &LoadError{Path: path, Msg: err.Error(), Err: err}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			le.Line, le.Column = pe.Position.Line, pe.Position.Col
			le.Msg = pe.Message
			if pe.LastKey != "" {
				le.Msg = fmt.Sprintf("key %s: %s", pe.LastKey, pe.Message)
			}
		} else if m := typeErrRe.FindStringSubmatch(err.Error()); m != nil {
			// Type mismatches carry their position only in the text.
			le.Line, _ = strconv.Atoi(m[1])
			le.Msg = fmt.Sprintf("key %s: %s", m[2], m[3])
		}
		return nil, nil, le
	}
	var warns []Warning
	for _, k := range md.Undecoded() {
		warns = append(warns, Warning{Key: k.String(), Msg: fmt.Sprintf("unknown key in %s (ignored; check the spelling)", path)})
	}
	cfg := f.config()
	cfg.lines = keyLines(data)
	for i, p := range cfg.Pairs {
		if note := RemoteNote(p.Remote); note != "" {
			warns = append(warns, Warning{Key: fmt.Sprintf("pair[%d].remote", i), Msg: p.Remote + ": " + note})
		}
	}
	return cfg, warns, nil
}

var typeErrRe = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

const header = `# jottacloudclient configuration: folder pairs and options.
# The tray app, 'jotta run' and 'jotta scan' all read this file.
# Credentials are never stored here (see 'jotta login').

`

// Save writes cfg to path atomically (temp file in the same directory,
// fsync, rename; mode 0600), creating the directory if needed. It refuses
// to replace an existing file that does not parse, so a hand-edited file
// with a typo is never lost.
func Save(path string, cfg *Config) error {
	if data, err := os.ReadFile(path); err == nil {
		if _, _, perr := parse(path, data); perr != nil {
			return fmt.Errorf("not saving over a config file that does not parse: %w", perr)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("save config: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(cfg); err != nil {
		return fmt.Errorf("save config: encode: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("save config %s: %w", path, err)
	}
	cfg.lines = keyLines(buf.Bytes())
	return nil
}

// Hooks for tests that make a step of the atomic write fail.
var (
	syncFile   = func(f *os.File) error { return f.Sync() }
	renameFile = os.Rename
)

// writeFileAtomic replaces path with data through a 0600 temp file in the
// same directory; on any failure the old file is untouched and the temp
// file removed.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = syncFile(f); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = renameFile(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
