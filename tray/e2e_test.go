package tray_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
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
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
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
		<-scanned // every line is read before done says the app exited
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
			// The last lines may still wait in the channel.
			for {
				select {
				case l := <-a.lines:
					if strings.Contains(l, sub) {
						return
					}
					continue
				default:
				}
				a.t.Fatalf("app exited (%v) before printing %q", a.err, sub)
			}
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

// clickID clicks the menu item with the given id.
func (c *trayClient) clickID(id int32) {
	c.t.Helper()
	if err := c.menu.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err; err != nil {
		c.t.Fatalf("click %d: %v", id, err)
	}
}

// wantProps checks the item's Status, that its Title is the app's name and
// that its tooltip says the state in words, starting with tipPart.
func (c *trayClient) wantProps(status, tipPart string) {
	c.t.Helper()
	var title, st string
	var tip struct {
		Icon   string
		Pixmap []struct {
			W, H int32
			Data []byte
		}
		Title, Text string
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := c.item.StoreProperty("org.kde.StatusNotifierItem.Status", &st); err != nil {
			c.t.Fatal(err)
		}
		if err := c.item.StoreProperty("org.kde.StatusNotifierItem.ToolTip", &tip); err != nil {
			c.t.Fatal(err)
		}
		if st == status || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := c.item.StoreProperty("org.kde.StatusNotifierItem.Title", &title); err != nil {
		c.t.Fatal(err)
	}
	if st != status {
		c.t.Errorf("Status = %q, want %q", st, status)
	}
	if title != tray.Title {
		c.t.Errorf("Title = %q, want %q", title, tray.Title)
	}
	if !strings.HasPrefix(tip.Title, tray.Title+" — "+tipPart) {
		c.t.Errorf("ToolTip = %q, want %q then %q", tip.Title, tray.Title+" — ", tipPart)
	}
}

// countSignals counts the signals sender emits from now on, by name.
func countSignals(t *testing.T, conn *dbus.Conn, sender string) func() map[string]int {
	t.Helper()
	if err := conn.AddMatchSignal(dbus.WithMatchSender(sender)); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 4096)
	conn.Signal(ch)
	return func() map[string]int {
		conn.RemoveSignal(ch)
		n := map[string]int{}
		for {
			select {
			case sig := <-ch:
				n[sig.Name[strings.LastIndex(sig.Name, ".")+1:]]++
			default:
				return n
			}
		}
	}
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

// ownWatcher plays the StatusNotifierWatcher on a connection of its own.
func ownWatcher(t *testing.T) (*dbus.Conn, *watcher) {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &watcher{reg: make(chan [2]string, 4)}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	r, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own the watcher name: %v %v", r, err)
	}
	t.Cleanup(func() { _, _ = conn.ReleaseName("org.kde.StatusNotifierWatcher") })
	return conn, w
}

// TestTrayE2E drives the tray over D-Bus as a panel does: the menu and its
// commands, the signals during a 300-file backup, clicks on ids read before
// the progress changed, the title, tooltip and attention status.
func TestTrayE2E(t *testing.T) {
	bin, env := e2eEnv(t)
	conn, w := ownWatcher(t)

	// A bandwidth limit makes the pass after "Back up now" long enough to
	// be seen while it uploads.
	cfgDir := filepath.Join(envDir(env, "XDG_CONFIG_HOME"), "jottacloudclient")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "config.toml"), []byte("[options]\ntransfers = 2\nbandwidth_limit = \"512KiB/s\"\nnotifications = true\n"), 0o600); err != nil {
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

	// The item registers before its menu is built: a panel that reads the
	// menu at once sees it grow, item by item, within moments.
	want := []string{tray.LabelBackupNow, tray.LabelPauseHour, tray.LabelPauseTomorrow, tray.LabelResume, tray.LabelSettings, tray.LabelQuit}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var labels []string
		if items := c.items(); len(items) > 0 {
			for _, it := range items[1:] {
				labels = append(labels, it.label)
			}
		}
		if strings.Join(labels, "|") == strings.Join(want, "|") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("menu = %q, want status line then %q", labels, want)
		}
	}

	// The demo's first pass ends with the folder backed up.
	c.waitStatus("backed up", func(s string) bool { return s == "Backed up just now" })
	idleIcon := c.icon()
	c.wantProps("Active", "backed up just now")

	// 300 new files of 40 kB, uploaded at 512 KiB/s: a backup that runs
	// for more than the 10 s the signals are counted.
	sample := filepath.Join(envDir(env, "XDG_CACHE_HOME"), "jottacloudclient", "demo", "Sample files")
	body := make([]byte, 40_000)
	for i := range 300 {
		for j := range body {
			body[j] = byte(i*7 + j*31)
		}
		if err := os.WriteFile(filepath.Join(sample, fmt.Sprintf("photo %03d.jpg", i)), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]int32{} // read once, before any progress
	for _, it := range c.items() {
		ids[it.label] = it.id
	}
	signals := countSignals(t, conn, sender)
	c.clickID(ids[tray.LabelBackupNow])
	a.waitLine("tray: back up now", 10*time.Second)
	got := c.waitStatus("uploading", func(s string) bool { return strings.HasPrefix(s, "Uploading ") })
	t.Logf("while backing up: %q", got)
	if string(c.icon()) == string(idleIcon) {
		t.Error("the icon did not change while backing up")
	}
	c.wantProps("Active", "uploading ")
	time.Sleep(10 * time.Second)
	n := signals()
	t.Logf("signals in 10 s of backing up: %v", n)
	if n["LayoutUpdated"] > 25 || n["NewIcon"] > 10 {
		t.Errorf("in 10 s: %d LayoutUpdated and %d NewIcon signals; want at most 25 and 10", n["LayoutUpdated"], n["NewIcon"])
	}
	if s := c.status(); !strings.HasPrefix(s, "Uploading ") {
		t.Fatalf("the 300 files were backed up within 10 s (%q): the signal count proves nothing", s)
	}

	// Pause for 1 hour, clicked by the id read before the progress, then resume.
	c.clickID(ids[tray.LabelPauseHour])
	c.waitStatus("paused", func(s string) bool { return strings.HasPrefix(s, "Paused until ") })
	for _, it := range c.items() {
		if it.label == tray.LabelResume && !it.enabled {
			t.Error("Resume is disabled while paused")
		}
		if it.label == tray.LabelPauseHour && it.enabled {
			t.Error("Pause for 1 hour is enabled while paused")
		}
		if want, ok := ids[it.label]; ok && it.id != want {
			t.Errorf("%q changed its id from %d to %d", it.label, want, it.id)
		}
	}
	c.clickID(ids[tray.LabelResume])
	c.waitStatus("resumed", func(s string) bool { return !strings.HasPrefix(s, "Paused") })

	// A pass that fails (the folder went away while it ran) asks for attention.
	if err := os.Rename(sample, sample+" moved"); err != nil {
		t.Fatal(err)
	}
	c.clickID(ids[tray.LabelBackupNow])
	c.waitStatus("a problem", func(s string) bool {
		return !strings.HasPrefix(s, "Backed up") && !strings.HasPrefix(s, "Uploading") && !strings.HasPrefix(s, "Looking")
	})
	c.wantProps("NeedsAttention", "")

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

	ownWatcher(t)
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

// TestNoTrayHostE2E starts the app "minimized" where no panel shows tray
// icons (no StatusNotifierWatcher): the window must show anyway, saying why.
func TestNoTrayHostE2E(t *testing.T) {
	bin, env := e2eEnv(t)
	if _, err := exec.LookPath("import"); err != nil {
		t.Skip("needs imagemagick's import and identify")
	}
	shot := filepath.Join(t.TempDir(), "no-tray-host.png")
	a := startApp(t, bin, env, "--minimized")
	a.waitLine("no tray host", 30*time.Second)
	a.waitLine("jotta-tray: started", 30*time.Second)
	if !strings.Contains(a.output(), "minimized=false") {
		t.Error("the app started minimized without a tray icon to reach it")
	}
	var n int
	deadline := time.Now().Add(20 * time.Second)
	for n = colours(t, shot); n < 200 && time.Now().Before(deadline); n = colours(t, shot) {
		time.Sleep(200 * time.Millisecond) // waiting for an external renderer; there is nothing to wait on
	}
	if n < 200 {
		t.Fatalf("no window on screen without a tray host: %d colours", n)
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
