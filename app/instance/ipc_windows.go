//go:build windows

package instance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

const (
	addrName     = "instance.addr"
	endpointName = addrName // the file a crashed owner leaves behind
)

// listen opens 127.0.0.1 on a random port and writes "addr token" into a
// file next to the lock; a request must present the token.
func listen(dir string) (net.Listener, string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	token := hex.EncodeToString(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, addrName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(ln.Addr().String()+" "+token+"\n"), 0o600); err != nil {
		_ = ln.Close()
		return nil, "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = ln.Close()
		_ = os.Remove(tmp)
		return nil, "", err
	}
	return ln, token, nil
}

func dial(ctx context.Context, dir string) (net.Conn, string, error) {
	data, err := os.ReadFile(filepath.Join(dir, addrName))
	if err != nil {
		return nil, "", err
	}
	addr, token, ok := strings.Cut(strings.TrimSpace(string(data)), " ")
	if !ok {
		return nil, "", fmt.Errorf("malformed %s", addrName)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	return conn, token, err
}

func cleanupEndpoint(dir string) { _ = os.Remove(filepath.Join(dir, addrName)) }
