package tray_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"jottacloudclient/tray"
)

// The end-to-end tests start the real jotta-tray binary named by
// JOTTA_TRAY_BIN under the current DISPLAY and D-Bus session bus (see
// scripts/test, which runs them inside dbus-run-session with Xvfb).

// app is a running jotta-tray with its output followed line by line.
type app struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	all   []string
	done  chan struct{}
	err   error
}

// e2eEnv skips the test unless the binary, a display and a session bus are there,
// and returns an environment with private XDG directories.
func e2eEnv(t *testing.T) (bin string, env []string) {
	t.Helper()
	bin = os.Getenv("JOTTA_TRAY_BIN")
	if bin == "" {
		t.Skip("set JOTTA_TRAY_BIN to the built jotta-tray (needs DISPLAY and a D-Bus session bus)")
	}
	if os.Getenv("DISPLAY") == "" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("needs DISPLAY and DBUS_SESSION_BUS_ADDRESS (run under Xvfb and dbus-run-session)")
	}
	root := t.TempDir()
	env = os.Environ()
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"} {
		dir := filepath.Join(root, strings.ToLower(strings.TrimPrefix(v, "XDG_")))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, v+"="+dir)
	}
	return bin, append(env, "LANG=en_US.UTF-8")
}

func startApp(t *testing.T, bin string, env []string, args ...string) *app {
	t.Helper()
	a := &app{t: t, lines: make(chan string, 1000), done: make(chan struct{})}
	a.cmd = exec.Command(bin, args...)
	a.cmd.Env = env
	pr, pw := io.Pipe()
	a.cmd.Stdout, a.cmd.Stderr = pw, pw
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			a.mu.Lock()
			a.all = append(a.all, sc.Text())
			a.mu.Unlock()
			select {
			case a.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() {
		a.err = a.cmd.Wait()
		pw.Close()
		close(a.done)
	}()
	t.Cleanup(func() {
		select {
		case <-a.done:
		default:
			_ = a.cmd.Process.Kill()
			<-a.done
		}
		if t.Failed() {
			t.Logf("app output:\n%s", a.output())
		}
	})
	return a
}

func (a *app) output() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return strings.Join(a.all, "\n")
}

// waitLine waits for an output line containing sub.
func (a *app) waitLine(sub string, timeout time.Duration) {
	a.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case l := <-a.lines:
			if strings.Contains(l, "panic:") {
				a.t.Fatalf("app panicked: %s", l)
			}
			if strings.Contains(l, sub) {
				return
			}
		case <-a.done:
			a.t.Fatalf("app exited (%v) before printing %q", a.err, sub)
		case <-deadline.C:
			a.t.Fatalf("app did not print %q within %v", sub, timeout)
		}
	}
}

// stop asks the app to quit with SIGTERM and checks it exits cleanly.
func (a *app) stop() {
	a.t.Helper()
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(15 * time.Second):
		a.t.Fatal("app did not exit after SIGTERM")
	}
	if a.err != nil {
		a.t.Errorf("app exit: %v", a.err)
	}
	if strings.Contains(a.output(), "panic:") {
		a.t.Error("app panicked")
	}
}

// watcher plays org.kde.StatusNotifierWatcher and reports registrations.
type watcher struct{ reg chan [2]string }

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	w.reg <- [2]string{string(sender), service}
	return nil
}

type layoutNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

type menuItem struct {
	id      int32
	label   string
	enabled bool
}

type trayClient struct {
	t    *testing.T
	item dbus.BusObject
	menu dbus.BusObject
}

func (c *trayClient) items() []menuItem {
	c.t.Helper()
	var rev uint32
	var root layoutNode
	if err := c.menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		c.t.Fatalf("GetLayout: %v", err)
	}
	var out []menuItem
	for _, ch := range root.Children {
		var n layoutNode
		if err := dbus.Store([]any{ch.Value()}, &n); err != nil {
			c.t.Fatal(err)
		}
		l, ok := n.Props["label"]
		if !ok {
			continue // separator
		}
		it := menuItem{id: n.ID, label: l.Value().(string), enabled: true}
		if e, ok := n.Props["enabled"]; ok {
			it.enabled, _ = e.Value().(bool)
		}
		out = append(out, it)
	}
	return out
}

func (c *trayClient) status() string {
	if its := c.items(); len(its) > 0 {
		return its[0].label
	}
	return ""
}

func (c *trayClient) click(label string) {
	c.t.Helper()
	for _, it := range c.items() {
		if it.label == label {
			if err := c.menu.Call("com.canonical.dbusmenu.Event", 0, it.id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err; err != nil {
				c.t.Fatalf("click %q: %v", label, err)
			}
			return
		}
	}
	c.t.Fatalf("no menu item %q in %v", label, c.items())
}

func (c *trayClient) icon() []byte {
	c.t.Helper()
	var pix []struct {
		W, H int32
		Data []byte
	}
	if err := c.item.StoreProperty("org.kde.StatusNotifierItem.IconPixmap", &pix); err != nil || len(pix) == 0 {
		c.t.Fatalf("IconPixmap: %v %v", pix, err)
	}
	return pix[0].Data
}

// waitStatus polls the menu until the status line satisfies ok.
func (c *trayClient) waitStatus(what string, ok func(string) bool) string {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var s string
	for range tick.C {
		if s = c.status(); ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			break
		}
	}
	c.t.Fatalf("status line never became %s; last %q", what, s)
	return ""
}

func TestTrayE2E(t *testing.T) {
	bin, env := e2eEnv(t)
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := &watcher{reg: make(chan [2]string, 4)}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	r, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own the watcher name: %v %v", r, err)
	}
	defer conn.ReleaseName("org.kde.StatusNotifierWatcher")

	// A bandwidth limit makes the pass after "Back up now" long enough to
	// be seen while it uploads.
	cfgDir := filepath.Join(envDir(env, "XDG_CONFIG_HOME"), "jottacloudclient")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "config.toml"), []byte("[options]\ntransfers = 2\nbandwidth_limit = \"1MiB/s\"\nnotifications = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, bin, env, "--minimized", "--demo")
	var sender string
	select {
	case reg := <-w.reg:
		sender = reg[0]
		if reg[1] != "/StatusNotifierItem" {
			t.Fatalf("registered path %q", reg[1])
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the app never registered a StatusNotifierItem")
	}
	item := conn.Object(sender, "/StatusNotifierItem")
	var menuPath dbus.ObjectPath
	if err := item.StoreProperty("org.kde.StatusNotifierItem.Menu", &menuPath); err != nil {
		t.Fatal(err)
	}
	c := &trayClient{t: t, item: item, menu: conn.Object(sender, menuPath)}

	var labels []string
	for _, it := range c.items()[1:] {
		labels = append(labels, it.label)
	}
	want := []string{tray.LabelBackupNow, tray.LabelPauseHour, tray.LabelPauseTomorrow, tray.LabelResume, tray.LabelSettings, tray.LabelQuit}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Fatalf("menu = %q, want status line then %q", labels, want)
	}

	// The demo's first pass ends with the folder backed up.
	c.waitStatus("backed up", func(s string) bool { return s == "Backed up just now" })
	idleIcon := c.icon()

	// Back up now starts a pass: the status line and icon change, then
	// return to backed up.
	// A new 3 MiB file in the demo folder gives the next pass work.
	sample := filepath.Join(envDir(env, "XDG_CACHE_HOME"), "jottacloudclient", "demo", "Sample files", "big.bin")
	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(i * 31)
	}
	if err := os.WriteFile(sample, big, 0o644); err != nil {
		t.Fatal(err)
	}
	c.click(tray.LabelBackupNow)
	a.waitLine("tray: back up now", 10*time.Second)
	got := c.waitStatus("uploading", func(s string) bool {
		return strings.HasPrefix(s, "Uploading ") || strings.HasPrefix(s, "Looking for changes")
	})
	t.Logf("while backing up: %q", got)
	if string(c.icon()) == string(idleIcon) {
		t.Error("the icon did not change while backing up")
	}
	c.waitStatus("backed up again", func(s string) bool { return s == "Backed up just now" })

	// Pause for 1 hour, then resume.
	c.click(tray.LabelPauseHour)
	c.waitStatus("paused", func(s string) bool { return strings.HasPrefix(s, "Paused until ") })
	for _, it := range c.items() {
		if it.label == tray.LabelResume && !it.enabled {
			t.Error("Resume is disabled while paused")
		}
		if it.label == tray.LabelPauseHour && it.enabled {
			t.Error("Pause for 1 hour is enabled while paused")
		}
	}
	c.click(tray.LabelResume)
	c.waitStatus("resumed", func(s string) bool { return !strings.HasPrefix(s, "Paused") })

	// Quit from the menu ends the app cleanly.
	c.click(tray.LabelQuit)
	select {
	case <-a.done:
		if a.err != nil {
			t.Errorf("exit after Quit: %v", a.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the app did not exit after Quit")
	}
}

// TestWindowE2E starts the app hidden in the tray, asks it through a second
// start to show its settings window, and checks the window rendered.
func TestWindowE2E(t *testing.T) {
	bin, env := e2eEnv(t)
	if _, err := exec.LookPath("import"); err != nil {
		t.Skip("needs imagemagick's import and identify")
	}
	shot := filepath.Join(t.TempDir(), "jotta-tray-window.png")

	a := startApp(t, bin, env, "--minimized", "--demo")
	a.waitLine("jotta-tray: started", 30*time.Second)
	// The demo's first pass, so the window has something to show.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(a.output(), "msg=\"backed up "); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the demo folder was never backed up; output:\n%s", a.output())
		}
	}
	if !strings.Contains(a.output(), "tray=true") {
		t.Fatalf("the app started without a tray")
	}
	if n := colours(t, shot); n > 20 {
		t.Errorf("a window is visible before it was asked for (%d colours)", n)
	}

	second := startApp(t, bin, env)
	second.waitLine("already running", 20*time.Second)
	<-second.done
	if second.err != nil {
		t.Fatalf("second start: %v", second.err)
	}

	// Poll the screen until the window has been drawn.
	var n int
	deadline := time.Now().Add(20 * time.Second)
	for n = colours(t, shot); n < 200 && time.Now().Before(deadline); n = colours(t, shot) {
		time.Sleep(200 * time.Millisecond) // waiting for an external renderer; there is nothing to wait on
	}
	t.Logf("screenshot %s: %d colours", shot, n)
	if dir := os.Getenv("JOTTA_SCREENSHOT_DIR"); dir != "" {
		if data, err := os.ReadFile(shot); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "jotta-tray-window.png"), data, 0o644)
		}
	}
	if n < 200 {
		t.Fatalf("the settings window did not render: %d colours on screen", n)
	}
	a.stop()
}

// colours takes a screenshot of the whole display and counts its colours.
func colours(t *testing.T, path string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "import", "-window", "root", path).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, "identify", "-format", "%k", path).Output()
	if err != nil {
		t.Fatalf("identify: %v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("identify printed %q", out)
	}
	return n
}

// envDir returns the value of key in env.
func envDir(env []string, key string) string {
	dir := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			dir = v
		}
	}
	return dir
}

// TestNoDisplayE2E: without a graphical session the app says what to do
// instead of crashing in the windowing library.
func TestNoDisplayE2E(t *testing.T) {
	bin := os.Getenv("JOTTA_TRAY_BIN")
	if bin == "" {
		t.Skip("set JOTTA_TRAY_BIN to the built jotta-tray")
	}
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "no graphical desktop") || strings.Contains(string(out), "panic") {
		t.Errorf("output does not explain the missing desktop:\n%s", out)
	}
}
