package instance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary act as another instance: with
// INSTANCE_HELPER_DIR set it acquires the lock for INSTANCE_HELPER_ROLE,
// serves show requests (printing "show" for each), prints "ready" and
// runs until stdin closes or it is killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("INSTANCE_HELPER_DIR"); dir != "" {
		os.Exit(helper(dir, os.Getenv("INSTANCE_HELPER_ROLE")))
	}
	os.Exit(m.Run())
}

func helper(dir, role string) int {
	inst, err := Acquire(dir, role)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- inst.Serve(ctx, func() { fmt.Println("show") }) }()
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	cancel()
	<-done
	if err := inst.Release(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startHelper(t *testing.T, dir, role string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "INSTANCE_HELPER_DIR="+dir, "INSTANCE_HELPER_ROLE="+role)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if line := c.line(t); line != "ready" {
		t.Fatalf("helper said %q", line)
	}
	return c
}

func (c *child) line(t *testing.T) string {
	t.Helper()
	s, err := c.out.ReadString('\n')
	if err != nil {
		t.Fatalf("read from helper: %v", err)
	}
	return strings.TrimSpace(s)
}

func TestAcquireConflictNamesOtherProcess(t *testing.T) {
	cases := []struct {
		name      string
		holder    string
		contender string
		wantText  string
	}{
		{name: "run refuses while the tray app runs", holder: RoleTray, contender: RoleRun, wantText: "the tray app (jotta-tray)"},
		{name: "tray refuses while jotta run runs", holder: RoleRun, contender: RoleTray, wantText: "'jotta run'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := startHelper(t, dir, tc.holder)
			inst, err := Acquire(dir, tc.contender)
			var busy *BusyError
			if !errors.As(err, &busy) {
				if inst != nil {
					_ = inst.Release()
				}
				t.Fatalf("err = %v, want *BusyError", err)
			}
			if busy.Role != tc.holder || busy.PID != c.cmd.Process.Pid {
				t.Errorf("busy = %+v, want role %s pid %d", busy, tc.holder, c.cmd.Process.Pid)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantText) || !strings.Contains(msg, fmt.Sprint(c.cmd.Process.Pid)) {
				t.Errorf("message %q does not name the other process", msg)
			}
		})
	}
}

func TestShowRequestReachesOtherProcess(t *testing.T) {
	dir := t.TempDir()
	c := startHelper(t, dir, RoleTray)
	for n := range 2 {
		if err := AskShow(context.Background(), dir); err != nil {
			t.Fatalf("request %d: %v", n, err)
		}
		if line := c.line(t); line != "show" {
			t.Fatalf("helper said %q, want show", line)
		}
	}
}

func TestStaleLockOfKilledProcessIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	c := startHelper(t, dir, RoleTray)
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	// A killed process cannot clean up: its endpoint and owner files stay.
	if _, err := os.Stat(filepath.Join(dir, endpointName)); err != nil {
		t.Fatalf("expected a stale endpoint file: %v", err)
	}
	if err := AskShow(context.Background(), dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("AskShow to a dead instance: %v, want ErrNotRunning", err)
	}

	inst, err := Acquire(dir, RoleRun)
	if err != nil {
		t.Fatalf("take over stale lock: %v", err)
	}
	defer inst.Release()
	shown := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- inst.Serve(ctx, func() { shown <- struct{}{} }) }()
	if err := AskShow(context.Background(), dir); err != nil {
		t.Fatalf("show after takeover: %v", err)
	}
	<-shown
	// The owner file names the new holder.
	other, err := Acquire(dir, RoleTray)
	var busy *BusyError
	if !errors.As(err, &busy) || busy.PID != os.Getpid() || busy.Role != RoleRun {
		if other != nil {
			_ = other.Release()
		}
		t.Errorf("after takeover: %v (%+v)", err, busy)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v after cancel", err)
	}
}

func TestReleaseLetsTheNextInstanceIn(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir, RoleTray)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- first.Serve(context.Background(), nil) }()
	if err := AskShow(context.Background(), dir); err != nil {
		t.Fatalf("show with nil callback: %v", err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after Release: %v", err)
	}
	if err := first.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	if err := AskShow(context.Background(), dir); !errors.Is(err, ErrNotRunning) {
		t.Errorf("AskShow after release: %v, want ErrNotRunning", err)
	}
	for _, name := range []string{ownerName, "instance.sock", "instance.addr"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s left behind after Release", name)
		}
	}
	second, err := Acquire(dir, RoleRun)
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	if err := second.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestAcquireTwiceInOneProcessConflicts(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir, RoleTray)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	second, err := Acquire(dir, RoleTray)
	var busy *BusyError
	if !errors.As(err, &busy) || busy.PID != os.Getpid() {
		if second != nil {
			_ = second.Release()
		}
		t.Fatalf("err = %v, want BusyError with our pid", err)
	}
}

func TestBusyErrorMessages(t *testing.T) {
	cases := []struct {
		err  BusyError
		want string
	}{
		{BusyError{Role: RoleTray, PID: 42}, "the tray app (jotta-tray), pid 42, is already backing up"},
		{BusyError{Role: RoleRun, PID: 7}, "'jotta run', pid 7, is already"},
		{BusyError{Role: "scan", PID: 9}, "'jotta scan', pid 9,"},
		{BusyError{}, "another jottacloudclient process is already"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.err.Error(); !strings.Contains(got, tc.want) || !strings.Contains(got, "quit it first") {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

func TestShowRequestWithWrongTokenIsRefused(t *testing.T) {
	dir := t.TempDir()
	inst, err := Acquire(dir, RoleTray)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Release()
	called := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = inst.Serve(ctx, func() { called <- struct{}{} }) }()
	conn, _, err := dial(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "show not-the-token\n"); err != nil {
		t.Fatal(err)
	}
	reply, _ := bufio.NewReader(conn).ReadString('\n')
	if strings.TrimSpace(reply) != "denied" {
		t.Errorf("reply %q, want denied", reply)
	}
	select {
	case <-called:
		t.Error("onShow called for a bad request")
	default:
	}
}
