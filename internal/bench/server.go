package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"jottacloudclient/jotta/emulator"
)

// The server process speaks a line protocol on its stdin and stdout. After
// "url=" and "user=" lines it answers each command with one line:
//
//	token                      → login_token=<fresh personal login token>
//	seed <kind> <root> <n>     → ok | error <message>
//	usage                      → usage <json of Usage>
//	link <latency> <bandwidth> → ok (bandwidth in bytes per second, 0: none)
//
// It stops when its stdin closes.

// Serve runs the emulator in memory on a loopback port and answers the
// benchmark's commands on in until it is closed or ctx ends. It is the
// hidden `jotta bench --serve` mode.
func Serve(ctx context.Context, in io.Reader, out io.Writer, log *slog.Logger) error {
	srv, err := emulator.Start("127.0.0.1:0", emulator.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer srv.Close()
	if _, err := fmt.Fprintf(out, "url=%s\nuser=%s\n", srv.URL, srv.User()); err != nil {
		return err
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
			if !ok {
				return nil
			}
		}
		if _, err := fmt.Fprintln(out, serveCommand(ctx, srv, line)); err != nil {
			return err
		}
	}
}

func serveCommand(ctx context.Context, srv *emulator.Running, line string) string {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "error empty command"
	}
	switch f[0] {
	case "token":
		tok, err := srv.MintLoginToken()
		if err != nil {
			return "error " + err.Error()
		}
		return "login_token=" + tok
	case "seed":
		if len(f) != 4 {
			return "error usage: seed <kind> <root> <n>"
		}
		n, err := strconv.Atoi(f[3])
		if err != nil {
			return "error bad count: " + err.Error()
		}
		if err := seedTree(ctx, srv.Server, f[1], f[2], n); err != nil {
			return "error " + err.Error()
		}
		return "ok"
	case "link":
		if len(f) != 3 {
			return "error usage: link <latency> <bytes per second>"
		}
		lat, err := time.ParseDuration(f[1])
		if err != nil {
			return "error bad latency: " + err.Error()
		}
		bw, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return "error bad bandwidth: " + err.Error()
		}
		srv.SetLink(emulator.Link{Latency: lat, Bandwidth: bw})
		return "ok"
	case "usage":
		u, err := selfUsage()
		if err != nil {
			return "error " + err.Error()
		}
		b, _ := json.Marshal(u)
		return "usage " + string(b)
	}
	return "error unknown command " + strconv.Quote(f[0])
}

// seedTree stores the generated tree of kind below root (an allocate-form
// path "/<mountpoint>/…" of device Jotta) without HTTP.
func seedTree(ctx context.Context, srv *emulator.Server, kind, root string, n int) error {
	k, ok := treeKinds[kind]
	if !ok {
		return fmt.Errorf("unknown tree kind %q", kind)
	}
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range n {
		if err := srv.PutFile(ctx, root+"/"+k.rel(i), k.content(i), mod); err != nil {
			return err
		}
	}
	return nil
}

// serverProc is the emulator process as seen by the benchmark.
type serverProc struct {
	URL  string
	User string

	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	mu    sync.Mutex
}

// startServer starts the emulator process with command and reads its
// address.
func startServer(ctx context.Context, command func(ctx context.Context, args ...string) *exec.Cmd, stderr io.Writer) (*serverProc, error) {
	cmd := command(ctx, "bench", "--serve")
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start emulator process: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start emulator process: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator process: %w", err)
	}
	s := &serverProc{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	for _, key := range []string{"url=", "user="} {
		line, err := s.readLine()
		if err != nil || !strings.HasPrefix(line, key) {
			s.Close()
			return nil, fmt.Errorf("emulator process: expected %s line, got %q: %v", key, line, err)
		}
		v := strings.TrimPrefix(line, key)
		if key == "url=" {
			s.URL = v
		} else {
			s.User = v
		}
	}
	return s, nil
}

func (s *serverProc) readLine() (string, error) {
	line, err := s.out.ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// call sends one command and returns the answer line.
func (s *serverProc) call(cmd string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.WriteString(s.stdin, cmd+"\n"); err != nil {
		return "", fmt.Errorf("emulator process: %w", err)
	}
	line, err := s.readLine()
	if err != nil {
		return "", fmt.Errorf("emulator process: %w", err)
	}
	if msg, ok := strings.CutPrefix(line, "error "); ok {
		return "", fmt.Errorf("emulator process: %s", msg)
	}
	return line, nil
}

// loginToken asks for a fresh personal login token.
func (s *serverProc) loginToken() (string, error) {
	line, err := s.call("token")
	if err != nil {
		return "", err
	}
	tok, ok := strings.CutPrefix(line, "login_token=")
	if !ok {
		return "", errors.New("emulator process: no login token in its answer")
	}
	return tok, nil
}

// seed stores n files of the generated tree kind below the allocate-form
// path root on the server.
func (s *serverProc) seed(kind, root string, n int) error {
	_, err := s.call(fmt.Sprintf("seed %s %s %d", kind, root, n))
	return err
}

// usage returns the server process's resource use.
func (s *serverProc) usage() (Usage, error) {
	line, err := s.call("usage")
	if err != nil {
		return Usage{}, err
	}
	var u Usage
	err = json.Unmarshal([]byte(strings.TrimPrefix(line, "usage ")), &u)
	return u, err
}

// Close stops the process and waits for it.
func (s *serverProc) Close() error {
	s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		return <-done
	}
}
