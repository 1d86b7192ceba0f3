//go:build !windows

package instance

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
)

const (
	sockName     = "instance.sock"
	endpointName = sockName // the file a crashed owner leaves behind
)

// listen opens the unix socket next to the lock. The caller holds the
// lock, so an existing socket file is a crashed owner's leftover. The
// directory is 0700, so only the user can connect; no token is needed.
func listen(dir string) (net.Listener, string, error) {
	path := filepath.Join(dir, sockName)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, "", err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		return nil, "", err
	}
	return ln, "-", nil
}

func dial(ctx context.Context, dir string) (net.Conn, string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", filepath.Join(dir, sockName))
	return conn, "-", err
}

// cleanupEndpoint removes the socket file if closing the listener left it.
func cleanupEndpoint(dir string) { _ = os.Remove(filepath.Join(dir, sockName)) }
