package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"jottacloudclient/internal/bench"
)

// benchExec runs the CLI in-process with captured output.
func benchExec(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	g := newGlobals()
	g.stdout, g.stderr = &stdout, &stderr
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	err := root.ExecuteContext(context.Background())
	return stdout.String(), stderr.String(), err
}

func TestBenchCommandFlags(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		wantCode int // -1: no error
		wantOut  string
		wantErr  string
	}{
		{"list names every case", []string{"bench", "--list"}, -1, strings.Join(bench.Cases, "\n") + "\n", ""},
		{"unknown case", []string{"bench", "--case", "initial,speed"}, exitUsage, "", `unknown case "speed"`},
		{"arguments refused", []string{"bench", "now"}, -1, "", "unknown command"},
		{"bad log level", []string{"bench", "--list", "--loglevel", "loud"}, exitUsage, "", "unknown --loglevel"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := benchExec(t, c.args...)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
			if c.wantCode >= 0 {
				var ee *exitError
				if !errors.As(err, &ee) || ee.code != c.wantCode {
					t.Errorf("error %v, want exit code %d", err, c.wantCode)
				}
			}
			if c.wantOut != "" && out != c.wantOut {
				t.Errorf("stdout %q, want %q", out, c.wantOut)
			}
		})
	}
}

func TestBenchHiddenModesStayHidden(t *testing.T) {
	out, _, err := benchExec(t, "bench", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, hidden := range []string{"--serve", "--child"} {
		if strings.Contains(out, hidden) {
			t.Errorf("help shows the internal flag %s:\n%s", hidden, out)
		}
	}
	for _, shown := range []string{"--quick", "--case", "--profile"} {
		if !strings.Contains(out, shown) {
			t.Errorf("help lacks %s:\n%s", shown, out)
		}
	}
}
