//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"jottacloudclient/app/config"
	"jottacloudclient/app/instance"
	"jottacloudclient/jotta"
)

// e2eRunProc is a running 'jotta run' whose JSON log lines are collected.
type e2eRunProc struct {
	t      *testing.T
	lines  chan map[string]any
	exited chan error
	proc   *os.Process
	stderr *strings.Builder
}

func (e *e2eEnv) startRun(t *testing.T, args ...string) *e2eRunProc {
	t.Helper()
	cmd := e.command(t, t.Context(), append([]string{"run", "--json"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &e2eRunProc{t: t, lines: make(chan map[string]any, 1000), exited: make(chan error, 1), proc: cmd.Process, stderr: &errb}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"msg": "unparsed", "line": sc.Text()}
			}
			r.lines <- m
		}
		close(r.lines)
		r.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = r.proc.Kill()
	})
	return r
}

// waitFor reads log lines until one has msg and, if pair is set, that
// pair; it fails on exit or after the deadline.
func (r *e2eRunProc) waitFor(msg, pair string, within time.Duration) map[string]any {
	r.t.Helper()
	timeout := time.After(within)
	for {
		select {
		case m, ok := <-r.lines:
			if !ok {
				r.t.Fatalf("jotta run ended while waiting for %q: %v\n%s", msg, <-r.exited, r.stderr)
			}
			if m["msg"] == msg && (pair == "" || m["pair"] == pair) {
				return m
			}
		case <-timeout:
			r.t.Fatalf("no %q log line within %s\n%s", msg, within, r.stderr)
		}
	}
}

// waitForAll reads log lines until each (msg, pair) was seen, in any
// order, and returns the lines by index.
func (r *e2eRunProc) waitForAll(within time.Duration, want ...[2]string) []map[string]any {
	r.t.Helper()
	got := make([]map[string]any, len(want))
	left := len(want)
	timeout := time.After(within)
	for left > 0 {
		select {
		case m, ok := <-r.lines:
			if !ok {
				r.t.Fatalf("jotta run ended while waiting for %v: %v\n%s", want, <-r.exited, r.stderr)
			}
			for i, w := range want {
				pair, _ := m["pair"].(string)
				if got[i] == nil && m["msg"] == w[0] && pair == w[1] {
					got[i] = m
					left--
					break
				}
			}
		case <-timeout:
			r.t.Fatalf("not all of %v logged within %s\n%s", want, within, r.stderr)
		}
	}
	return got
}

// stop sends sig and waits for the process to end; it returns the exit code.
func (r *e2eRunProc) stop(sig os.Signal) int {
	r.t.Helper()
	if err := r.proc.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
	for range r.lines {
	}
	err := <-r.exited
	if err == nil {
		return 0
	}
	if ee, ok := err.(interface{ ExitCode() int }); ok {
		return ee.ExitCode()
	}
	r.t.Fatalf("jotta run: %v", err)
	return -1
}

// writeConfig saves a configuration with the given pairs.
func (e *e2eEnv) writeConfig(t *testing.T, pairs ...config.Pair) {
	t.Helper()
	cfg := config.Default()
	cfg.Pairs = pairs
	if err := os.MkdirAll(filepath.Dir(e.configPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := config.Save(e.configPath(), cfg); err != nil {
		t.Fatal(err)
	}
}

// waitRemote polls the server until path holds md5 or the deadline passes.
func (e *e2eEnv) waitRemote(t *testing.T, root, rel, md5 string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if e.remoteFiles(t, root)[rel] == md5 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s did not reach the server within %s", root, rel, within)
		}
		time.Sleep(50 * time.Millisecond) // polling the server; the engine is not synchronised by this
	}
}

// TestE2ERunWatchesReloadsAndStops: 'jotta run' backs up at start, sends a
// file written into a watched pair within the debounce and one pass,
// picks up a new pair on SIGHUP, and exits 0 on SIGTERM; status sees it.
func TestE2ERunWatchesReloadsAndStops(t *testing.T) {
	e := newE2E(t)
	docs := filepath.Join(e.dir, "docs")
	e2eWriteFiles(t, docs, map[string][]byte{"first.txt": []byte("there at start")})
	p := config.NewPair("docs", docs, "/Server/Archive/docs")
	e.writeConfig(t, p)

	r := e.startRun(t, "--debounce", "200ms")
	r.waitFor("pass done", "docs", time.Minute)
	e2eSameFiles(t, e.remoteFiles(t, p.Remote), e2eMD5s(map[string][]byte{"first.txt": []byte("there at start")}))

	// status while the engine runs
	st := e.jotta(t, "status", "--json")
	var rep statusReport
	if err := json.Unmarshal([]byte(st.stdout), &rep); st.code != 0 || err != nil {
		t.Fatalf("status: exit %d, %v\n%s\n%s", st.code, err, st.stdout, st.stderr)
	}
	if !rep.Engine.Running || rep.Engine.Role != instance.RoleRun || rep.Engine.PID != r.proc.Pid {
		t.Errorf("status engine %+v, want 'run' with pid %d", rep.Engine, r.proc.Pid)
	}
	if len(rep.Pairs) != 1 || rep.Pairs[0].LastComplete == nil || time.Since(*rep.Pairs[0].LastComplete) > time.Minute {
		t.Errorf("status pairs %+v, want docs with the pass just done", rep.Pairs)
	}

	// A second engine is refused, naming the first.
	second := e.jotta(t, "run")
	if second.code != exitUsage || !strings.Contains(second.stderr, "'jotta run'") || !strings.Contains(second.stderr, "pid") {
		t.Errorf("second 'jotta run': exit %d, stderr %q; want exit 2 naming the running one", second.code, second.stderr)
	}

	// fsnotify: a new file is backed up without a scan being asked for.
	news := []byte("written while watched")
	e2eWriteFiles(t, docs, map[string][]byte{"sub/new.txt": news})
	e.waitRemote(t, p.Remote, "sub/new.txt", e2eMD5s(map[string][]byte{"x": news})["x"], 30*time.Second)

	// SIGHUP: a second pair in the file starts.
	pics := filepath.Join(e.dir, "pics")
	e2eWriteFiles(t, pics, map[string][]byte{"cat.jpg": []byte("meow")})
	q := config.NewPair("pics", pics, "/Server/Archive/pics")
	e.writeConfig(t, p, q)
	if err := r.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	r.waitForAll(time.Minute, [2]string{"config reloaded", ""}, [2]string{"pass done", "pics"})
	e2eSameFiles(t, e.remoteFiles(t, q.Remote), e2eMD5s(map[string][]byte{"cat.jpg": []byte("meow")}))

	// A broken file on SIGHUP keeps the pairs running.
	if err := os.WriteFile(e.configPath(), []byte("[[pair]\nid = \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	failed := r.waitFor("config reload failed; keeping the previous folder pairs", "", 30*time.Second)
	if !strings.Contains(failed["err"].(string), "line") {
		t.Errorf("reload error does not name the line: %v", failed["err"])
	}
	broken, _ := os.ReadFile(e.configPath())
	if string(broken) != "[[pair]\nid = \n" {
		t.Errorf("the broken config file was rewritten: %q", broken)
	}

	if code := r.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("jotta run exited %d after SIGTERM, want 0\n%s", code, r.stderr)
	}

	// Status after the engine stopped: no engine, pass times known.
	if err := os.Remove(e.configPath()); err != nil {
		t.Fatal(err)
	}
	e.writeConfig(t, p, q)
	st = e.jotta(t, "status", "--json")
	rep = statusReport{}
	if err := json.Unmarshal([]byte(st.stdout), &rep); st.code != 0 || err != nil {
		t.Fatalf("status: exit %d, %v\n%s\n%s", st.code, err, st.stdout, st.stderr)
	}
	if rep.Engine.Running {
		t.Errorf("status says an engine runs after it stopped: %+v", rep.Engine)
	}
	if len(rep.Pairs) != 2 || rep.Pairs[0].LastComplete == nil || rep.Pairs[1].LastComplete == nil {
		t.Errorf("status pairs %+v, want two with a last complete pass", rep.Pairs)
	}
	if !rep.Credentials.SignedIn || rep.Credentials.Origin != "env" {
		t.Errorf("status credentials %+v, want a session that came from the environment", rep.Credentials)
	}
	text := e.jotta(t, "status")
	for _, want := range []string{"not running", "docs", "pics", "last complete backup: 20", "signed in"} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("status text lacks %q:\n%s", want, text.stdout)
		}
	}
}

// TestE2ERunRefusesWhileTrayRuns: with the tray app holding the engine
// lock, 'jotta run' exits 2 and names it with its pid.
func TestE2ERunRefusesWhileTrayRuns(t *testing.T) {
	e := newE2E(t)
	docs := filepath.Join(e.dir, "docs")
	e2eWriteFiles(t, docs, map[string][]byte{"a.txt": []byte("a")})
	e.writeConfig(t, config.NewPair("docs", docs, "/Server/Archive/docs"))
	inst, err := instance.Acquire(filepath.Join(e.dir, "config", "jottacloudclient"), instance.RoleTray)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Release()
	r := e.jotta(t, "run")
	if r.code != exitUsage || !strings.Contains(r.stderr, "tray app") || !strings.Contains(r.stderr, "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("exit %d, stderr %q; want exit 2 naming the tray app and pid %d", r.code, r.stderr, os.Getpid())
	}
	st := e.jotta(t, "status", "--json")
	var rep statusReport
	if err := json.Unmarshal([]byte(st.stdout), &rep); err != nil {
		t.Fatalf("status: %v\n%s", err, st.stdout)
	}
	if !rep.Engine.Running || rep.Engine.Role != instance.RoleTray {
		t.Errorf("status engine %+v, want the tray", rep.Engine)
	}
}

// TestRunConfigErrors: 'jotta run' without pairs, or with a config file
// that does not parse, exits 2 and says what to do.
func TestRunConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config string // "" = no file
		want   []string
	}{
		{"no config file", "", []string{"no enabled folders"}},
		{"no enabled pair", "[[pair]]\nid = \"x\"\nlocal = \"/tmp\"\nremote = \"/A/B/C\"\nenabled = false\n", []string{"no enabled folders"}},
		{"parse error", "[options]\ntransfers = \"many\n", []string{"line 2", "not changed"}},
		{"invalid pair", "[[pair]]\nid = \"x y\"\nlocal = \"relative\"\nremote = \"nope\"\nenabled = true\n", []string{"pair[0].remote"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t)
			if tc.config != "" {
				if err := os.MkdirAll(filepath.Dir(e.configPath()), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(e.configPath(), []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r := e.jotta(t, "run")
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if tc.config != "" {
				b, _ := os.ReadFile(e.configPath())
				if string(b) != tc.config {
					t.Errorf("config file changed to %q", b)
				}
			}
		})
	}
}

// TestE2ERunMissingLocalFolder: a pair whose folder is missing (a drive not
// mounted) does not stop 'jotta run': it is reported, its passes fail
// without touching the server, and the other pairs are backed up.
func TestE2ERunMissingLocalFolder(t *testing.T) {
	e := newE2E(t)
	docs := filepath.Join(e.dir, "docs")
	e2eWriteFiles(t, docs, map[string][]byte{"a.txt": []byte("a")})
	ok := config.NewPair("docs", docs, "/Server/Archive/docs")
	gone := config.NewPair("usb", filepath.Join(e.dir, "usb-drive"), "/Server/Archive/usb")
	e.writeConfig(t, ok, gone)

	r := e.startRun(t, "--no-watch")
	got := r.waitForAll(time.Minute,
		[2]string{"local folder is missing; its passes fail until it appears", "usb"},
		[2]string{"pass stopped", "usb"},
		[2]string{"pass done", "docs"})
	if reason, _ := got[0]["reason"].(string); !strings.Contains(reason, "does not exist") {
		t.Errorf("warning %v does not say the folder does not exist", got[0])
	}
	if msg, _ := got[1]["err"].(string); got[1]["complete"] != false || !strings.Contains(msg, "usb-drive") {
		t.Errorf("pass of the missing folder logged as %v", got[1])
	}
	if code := r.stop(syscall.SIGINT); code != 0 {
		t.Errorf("exit %d after SIGINT, want 0", code)
	}
	e2eSameFiles(t, e.remoteFiles(t, ok.Remote), e2eMD5s(map[string][]byte{"a.txt": []byte("a")}))
	if _, err := e.client.Stat(t.Context(), gone.Remote, jotta.ListOptions{}); err == nil {
		t.Error("the missing folder's remote folder was created")
	}
}

// TestStatusBeforeAnything: on a fresh install status says that there is
// no config, no engine and where a token would come from, without
// exchanging it.
func TestStatusBeforeAnything(t *testing.T) {
	for _, tc := range []struct {
		name      string
		withToken bool
		want      []string
	}{
		{"no credentials", false, []string{"not created yet", "not running", "not signed in", "jotta login", "none configured"}},
		{"token in the environment", true, []string{"JOTTACLOUD_TOKEN will be exchanged for a session on first use"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t)
			if !tc.withToken {
				var env []string
				for _, kv := range e.env {
					if !strings.HasPrefix(kv, "JOTTACLOUD_TOKEN=") {
						env = append(env, kv)
					}
				}
				e.env = env
			}
			r := e.jotta(t, "status")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("status lacks %q:\n%s", w, r.stdout)
				}
			}
			if got := e.emu.Stats().LoginExchanges; got != 1 { // the checking client's own sign-in
				t.Errorf("status exchanged a token: %d login exchanges", got)
			}
		})
	}
}

// TestStatusRefusesWhatRunRefuses: 'jotta status' validates the file as
// 'jotta run' does, so a value run refuses is reported by both.
func TestStatusRefusesWhatRunRefuses(t *testing.T) {
	e := newE2E(t)
	docs := filepath.Join(e.dir, "docs")
	e2eWriteFiles(t, docs, map[string][]byte{"a.txt": []byte("a")})
	bad := "[[pair]]\nid = \"docs\"\nlocal = \"" + docs + "\"\nremote = \"/A/B/docs\"\nprune = \"sometimes\"\n" +
		"[[pair]]\nid = \"docs\"\nlocal = \"" + docs + "\"\nremote = \"/A/B/other\"\n"
	if err := os.MkdirAll(filepath.Dir(e.configPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.configPath(), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	run := e.jotta(t, "run")
	status := e.jotta(t, "status")
	for name, r := range map[string]e2eResult{"run": run, "status": status} {
		if r.code != exitUsage || !strings.Contains(r.stderr, "prune") || !strings.Contains(r.stderr, e.configPath()) {
			t.Errorf("%s: exit %d, stderr %q; want 2 naming the file and the prune value", name, r.code, r.stderr)
		}
	}
	if !strings.Contains(status.stdout, "Folder pairs:") {
		t.Errorf("status printed no report before the error:\n%s", status.stdout)
	}
}
