package power_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// busConfig is a minimal session-type bus that lets the test own the
// system services' names and activates nothing.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%DIR%</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// privateBus starts a dbus-daemon of its own for the test and returns its
// address; it stops with the test.
func privateBus(t *testing.T) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon is not installed (apt install dbus)")
	}
	dir, err := os.MkdirTemp("", "jpwr") // short: socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(busConfig, "%DIR%", dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--print-address", "--nofork", "--nopidfile")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer // its warnings matter only when a test fails
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("dbus-daemon said: %s", stderr.String())
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("read the bus address from dbus-daemon: %v", err)
	}
	return strings.TrimSpace(line)
}

// connect opens a connection to the bus at addr for the test's lifetime.
func connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to the test bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// own takes a well-known name on conn.
func own(t *testing.T, conn *dbus.Conn, name string) {
	t.Helper()
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", name, reply, err)
	}
}

// exportProperty publishes one read-only property of a fake service.
func exportProperty(t *testing.T, conn *dbus.Conn, path, iface, name string, value any) *prop.Properties {
	t.Helper()
	props, err := prop.Export(conn, dbus.ObjectPath(path), prop.Map{
		iface: {name: {Value: value, Emit: prop.EmitTrue}},
	})
	if err != nil {
		t.Fatalf("export %s.%s: %v", iface, name, err)
	}
	return props
}

// fakeUPower plays UPower with the given OnBattery value.
func fakeUPower(t *testing.T, conn *dbus.Conn, onBattery any) *prop.Properties {
	t.Helper()
	p := exportProperty(t, conn, "/org/freedesktop/UPower", "org.freedesktop.UPower", "OnBattery", onBattery)
	own(t, conn, "org.freedesktop.UPower")
	return p
}

// fakeNetworkManager plays NetworkManager with the given Metered value.
func fakeNetworkManager(t *testing.T, conn *dbus.Conn, metered any) *prop.Properties {
	t.Helper()
	p := exportProperty(t, conn, "/org/freedesktop/NetworkManager", "org.freedesktop.NetworkManager", "Metered", metered)
	own(t, conn, "org.freedesktop.NetworkManager")
	return p
}

// hungProperties answers no property request until release is closed.
type hungProperties struct{ release chan struct{} }

func (h hungProperties) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	<-h.release
	return dbus.MakeVariant(true), nil
}
