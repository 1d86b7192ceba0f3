package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const linesFile = `# my backups
[options]
transfers = 0
excludes = ["*.tmp",
  " "]

[[pair]]
id = "docs"
local = "/tmp"
remote = "/Laptop/Docs"
prune = "sometimes"

[[ pair ]] # pictures
id = "docs"
local = "/var"
remote = "/Laptop/Pictures"
interval = "10s"
`

func TestKeyLines(t *testing.T) {
	got := keyLines([]byte(linesFile))
	want := map[string]int{
		"options": 2, "options.transfers": 3, "options.excludes": 4,
		"pair[0]": 7, "pair[0].id": 8, "pair[0].prune": 11,
		"pair[1]": 13, "pair[1].id": 14, "pair[1].interval": 17,
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: line %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
}

// TestValidationNamesTheLine: problems found after a file parsed name the
// line to fix, in the file as the user wrote it.
func TestValidationNamesTheLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(linesFile), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{}
	for _, e := range cfg.Locate(cfg.Validate()) {
		lines[e.Field] = e.Line
	}
	for field, want := range map[string]int{
		"options.transfers":   3,
		"options.excludes[1]": 4,
		"pair[0].prune":       11,
		"pair[1].id":          14,
		"pair[1].interval":    17,
	} {
		if got, ok := lines[field]; !ok || got != want {
			t.Errorf("%s: line %d (reported %v), want %d; all %v", field, got, ok, want, lines)
		}
	}
	msg := ValidationError(cfg.Locate(cfg.Validate())).Error()
	if !strings.Contains(msg, "line 11, pair[0].prune: must be none, files, folders or all") {
		t.Errorf("message does not name the line: %s", msg)
	}
}

// TestLocateAfterSave: a configuration saved by the app names lines of the
// file it wrote, and one made in code names none.
func TestLocateAfterSave(t *testing.T) {
	cfg := Default()
	cfg.Pairs = append(cfg.Pairs, Pair{ID: "a", Local: "/tmp", Remote: "/Laptop/A", Interval: Duration(MinInterval), Prune: PruneNone})
	if got := cfg.Locate([]FieldError{{Field: "pair[0].id"}}); got[0].Line != 0 {
		t.Errorf("a configuration made in code has line %d", got[0].Line)
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := Save(path, cfg); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	got := cfg.Locate([]FieldError{{Field: "pair[0].id"}})[0].Line
	if got == 0 || !strings.HasPrefix(strings.Split(string(data), "\n")[got-1], "id = ") {
		t.Errorf("line %d of the saved file is not the pair's id:\n%s", got, data)
	}
}
