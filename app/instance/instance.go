package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// Roles of the processes that run the engine.
const (
	RoleTray = "tray" // the tray app, jotta-tray
	RoleRun  = "run"  // the headless 'jotta run'
)

const (
	lockName  = "instance.lock"
	ownerName = "instance.owner"
)

// ErrNotRunning reports that no instance answers show requests.
var ErrNotRunning = errors.New("no running jottacloudclient instance")

// BusyError says another process of this user holds the engine.
type BusyError struct {
	Role string // RoleTray, RoleRun or another role; "" if the owner is unknown
	PID  int    // 0 if unknown
}

func (e *BusyError) Error() string {
	var who string
	switch e.Role {
	case RoleTray:
		who = "the tray app (jotta-tray)"
	case RoleRun:
		who = "'jotta run'"
	case "":
		who = "another jottacloudclient process"
	default:
		who = fmt.Sprintf("'jotta %s'", e.Role)
	}
	if e.PID > 0 {
		who = fmt.Sprintf("%s, pid %d,", who, e.PID)
	}
	return fmt.Sprintf("%s is already backing up for this user; only one may run at a time: quit it first", who)
}

// DefaultDir is os.UserConfigDir()/jottacloudclient: the same for every
// session, service and terminal of the user.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(d, "jottacloudclient"), nil
}

type owner struct {
	PID     int       `json:"pid"`
	Role    string    `json:"role"`
	Started time.Time `json:"started"`
}

// Instance is the held single-instance lock and its IPC endpoint.
type Instance struct {
	dir   string
	role  string
	fl    *flock.Flock
	ln    net.Listener
	token string

	once   sync.Once
	relErr error
}

// Acquire takes the per-user engine lock in dir for role. When another
// process holds it, the error is a *BusyError naming that process. A lock
// left by a crashed process is taken over, its socket file replaced.
func Acquire(dir, role string) (*Instance, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create instance directory: %w", err)
	}
	fl := flock.New(filepath.Join(dir, lockName), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("take instance lock %s: %w", fl.Path(), err)
	}
	if !ok {
		return nil, readBusy(dir)
	}
	inst := &Instance{dir: dir, role: role, fl: fl}
	if err := writeOwner(dir, owner{PID: os.Getpid(), Role: role, Started: time.Now().UTC()}); err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("record instance owner: %w", err)
	}
	ln, token, err := listen(dir)
	if err != nil {
		_ = os.Remove(filepath.Join(dir, ownerName))
		_ = fl.Unlock()
		return nil, fmt.Errorf("open show-request endpoint: %w", err)
	}
	inst.ln, inst.token = ln, token
	return inst, nil
}

// readBusy names the holder. The holder writes its owner file right after
// taking the lock, so a missing file is retried briefly.
func readBusy(dir string) error {
	for range 20 {
		data, err := os.ReadFile(filepath.Join(dir, ownerName))
		if err == nil {
			var o owner
			if json.Unmarshal(data, &o) == nil && o.PID > 0 {
				return &BusyError{Role: o.Role, PID: o.PID}
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return &BusyError{}
}

func writeOwner(dir string, o owner) error {
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, ownerName)
	f, err := os.CreateTemp(dir, "."+ownerName+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		_ = os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// Role is the role this instance was acquired for.
func (i *Instance) Role() string { return i.role }

// Dir is the directory holding the lock.
func (i *Instance) Dir() string { return i.dir }

// Serve answers show requests from later instances, calling onShow (which
// may be nil) for each, until ctx ends or Release is called; then it
// returns nil.
func (i *Instance) Serve(ctx context.Context, onShow func()) error {
	stop := context.AfterFunc(ctx, func() { _ = i.ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := i.ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("accept show request: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			i.handle(conn, onShow)
		}()
	}
}

const requestTimeout = 5 * time.Second

func (i *Instance) handle(conn net.Conn, onShow func()) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(requestTimeout))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return
	}
	cmd, token, _ := strings.Cut(strings.TrimSpace(line), " ")
	if cmd != "show" || token != i.token {
		_, _ = conn.Write([]byte("denied\n"))
		return
	}
	if onShow != nil {
		onShow()
	}
	_, _ = conn.Write([]byte("ok\n"))
}

// AskShow asks the instance holding the lock in dir to show its settings
// window. It returns an error matching ErrNotRunning when nobody answers.
func AskShow(ctx context.Context, dir string) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	conn, token, err := dial(ctx, dir)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotRunning, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := fmt.Fprintf(conn, "show %s\n", token); err != nil {
		return fmt.Errorf("send show request: %w", err)
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read show reply: %w", err)
	}
	if strings.TrimSpace(reply) != "ok" {
		return fmt.Errorf("show request refused: %q", strings.TrimSpace(reply))
	}
	return nil
}

// Release closes the endpoint, removes the owner and endpoint files and
// unlocks. The lock file itself stays: removing it could let two processes
// lock different files. Release is safe to call more than once.
func (i *Instance) Release() error {
	i.once.Do(func() {
		var errs []error
		if err := i.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
		cleanupEndpoint(i.dir)
		if err := os.Remove(filepath.Join(i.dir, ownerName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		if err := i.fl.Unlock(); err != nil {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			i.relErr = fmt.Errorf("release instance lock: %w", errors.Join(errs...))
		}
	})
	return i.relErr
}

// Probe reports whether an engine holds the lock in dir, and who, without
// keeping the lock: a nil error means nobody runs; a *BusyError names the
// holder.
func Probe(dir string) error {
	fl := flock.New(filepath.Join(dir, lockName))
	ok, err := fl.TryRLock()
	switch {
	case err == nil && ok:
		_ = fl.Unlock()
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("probe instance lock %s: %w", fl.Path(), err)
	}
	return readBusy(dir)
}
