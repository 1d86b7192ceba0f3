package power

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// Reasons a Check gives for holding a backup back.
const (
	ReasonBattery = "on battery power"
	ReasonMetered = "on a metered network"
)

// D-Bus names of the services asked.
const (
	upowerName  = "org.freedesktop.UPower"
	upowerPath  = "/org/freedesktop/UPower"
	nmName      = "org.freedesktop.NetworkManager"
	nmPath      = "/org/freedesktop/NetworkManager"
	propertyGet = "org.freedesktop.DBus.Properties.Get"
)

// NetworkManager's NMMetered values that mean "metered".
const (
	nmMeteredYes      = 1
	nmMeteredGuessYes = 3
)

// DefaultTimeout bounds one Check when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// redialAfter is how long a failed connection to the system bus is
// remembered before the next Check tries again.
const redialAfter = time.Minute

// ErrUnavailable means the power or network state could not be learned:
// no bus, the service is not running, it answered with something
// unexpected or not in time. Errors from OnBattery and Metered match it.
var ErrUnavailable = errors.New("power and network state unavailable")

// UnavailableError says which question could not be answered and why.
type UnavailableError struct {
	Service string // the D-Bus name asked, or "system bus"
	Err     error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("ask %s: %v", e.Service, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Is makes every UnavailableError match ErrUnavailable.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Options configure a Checker. The zero value asks the system bus.
type Options struct {
	// Conn is the bus to ask; the Checker never closes it. nil: the
	// system bus, connected on first use, kept, and closed by Close.
	Conn *dbus.Conn
	// Timeout bounds one Check, connecting included (default 2 s).
	Timeout time.Duration
	// Logger receives why a state was unavailable (nil: discard).
	Logger *slog.Logger
}

// Checker answers whether the computer is on battery or on a metered
// network. It is safe for concurrent use.
type Checker struct {
	timeout time.Duration
	log     *slog.Logger
	dial    func() (*dbus.Conn, error) // nil when Options.Conn was given
	now     func() time.Time

	mu       sync.Mutex
	conn     *dbus.Conn
	dialing  chan struct{} // closed when the running dial ends
	dialErr  error         // the last failed dial
	failedAt time.Time
	closed   bool
	lastWhy  map[string]string // per service, the last unavailability logged
}

// New returns a Checker. It does no I/O.
func New(o Options) *Checker {
	c := &Checker{timeout: o.Timeout, log: o.Logger, conn: o.Conn, now: time.Now, lastWhy: map[string]string{}}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Conn == nil {
		c.dial = dialSystemBus
	}
	return c
}

// Check reports whether a backup may start now under the two user
// options. When it may not, reason names every cause ("on battery
// power", "on a metered network"). A state that cannot be learned within
// the timeout counts as allowed. With both options off it does no I/O.
func Check(ctx context.Context, conn *dbus.Conn, skipOnBattery, skipOnMetered bool) (ok bool, reason string) {
	return New(Options{Conn: conn}).Check(ctx, skipOnBattery, skipOnMetered)
}

// Check reports whether a backup may start now; see the package-level
// Check. Its bus connection is kept for the next call.
func (c *Checker) Check(ctx context.Context, skipOnBattery, skipOnMetered bool) (ok bool, reason string) {
	if !skipOnBattery && !skipOnMetered {
		return true, ""
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var reasons []string
	if skipOnBattery {
		on, err := c.OnBattery(ctx)
		c.note(err)
		if on {
			reasons = append(reasons, ReasonBattery)
		}
	}
	if skipOnMetered {
		on, err := c.Metered(ctx)
		c.note(err)
		if on {
			reasons = append(reasons, ReasonMetered)
		}
	}
	if len(reasons) == 0 {
		return true, ""
	}
	return false, strings.Join(reasons, " and ")
}

// Gate returns a check for syncer.Options.Gate, or nil when both options
// are off (nothing to hold back).
func (c *Checker) Gate(skipOnBattery, skipOnMetered bool) func(context.Context) (bool, string) {
	if !skipOnBattery && !skipOnMetered {
		return nil
	}
	return func(ctx context.Context) (bool, string) {
		return c.Check(ctx, skipOnBattery, skipOnMetered)
	}
}

// OnBattery asks UPower whether the computer runs on battery. The error
// matches ErrUnavailable when the answer could not be learned.
func (c *Checker) OnBattery(ctx context.Context) (bool, error) {
	v, err := c.property(ctx, upowerName, upowerPath, upowerName, "OnBattery")
	if err != nil {
		return false, err
	}
	on, ok := v.Value().(bool)
	if !ok {
		return false, &UnavailableError{Service: upowerName, Err: fmt.Errorf("OnBattery is %s, not a boolean", v.Signature())}
	}
	return on, nil
}

// Metered asks NetworkManager whether the primary connection is metered
// (known or guessed). The error matches ErrUnavailable when the answer
// could not be learned.
func (c *Checker) Metered(ctx context.Context) (bool, error) {
	v, err := c.property(ctx, nmName, nmPath, nmName, "Metered")
	if err != nil {
		return false, err
	}
	m, ok := v.Value().(uint32)
	if !ok {
		return false, &UnavailableError{Service: nmName, Err: fmt.Errorf("Metered is %s, not a uint32", v.Signature())}
	}
	return m == nmMeteredYes || m == nmMeteredGuessYes, nil
}

// Close closes the system-bus connection the Checker opened. Later checks
// allow backups.
func (c *Checker) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	conn := c.conn
	c.conn = nil
	if conn != nil && c.dial != nil {
		return conn.Close()
	}
	return nil
}

// property reads one D-Bus property within ctx.
func (c *Checker) property(ctx context.Context, dest, path, iface, name string) (dbus.Variant, error) {
	conn, err := c.bus(ctx)
	if err != nil {
		return dbus.Variant{}, err
	}
	var v dbus.Variant
	call := conn.Object(dest, dbus.ObjectPath(path)).CallWithContext(ctx, propertyGet, 0, iface, name)
	if err := call.Store(&v); err != nil {
		return dbus.Variant{}, &UnavailableError{Service: dest, Err: fmt.Errorf("read %s: %w", name, err)}
	}
	return v, nil
}

// bus returns the connection, dialling the system bus once when none is
// held. A dial that does not finish within ctx keeps running in the
// background; the next check picks up its result.
func (c *Checker) bus(ctx context.Context) (*dbus.Conn, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, &UnavailableError{Service: "system bus", Err: errors.New("checker closed")}
		}
		if c.conn != nil && c.conn.Connected() {
			conn := c.conn
			c.mu.Unlock()
			return conn, nil
		}
		if c.dial == nil {
			c.mu.Unlock()
			return nil, &UnavailableError{Service: "system bus", Err: dbus.ErrClosed}
		}
		if c.conn != nil { // the bus went away: drop it and dial again
			_ = c.conn.Close()
			c.conn = nil
		}
		if c.dialing == nil {
			if c.dialErr != nil && c.now().Sub(c.failedAt) < redialAfter {
				err := c.dialErr
				c.mu.Unlock()
				return nil, &UnavailableError{Service: "system bus", Err: err}
			}
			c.dialing = make(chan struct{})
			go c.dialOnce(c.dialing)
		}
		wait := c.dialing
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, &UnavailableError{Service: "system bus", Err: fmt.Errorf("connect: %w", ctx.Err())}
		}
		c.mu.Lock()
		failed := c.conn == nil && c.dialErr != nil && !c.closed
		err := c.dialErr
		c.mu.Unlock()
		if failed {
			return nil, &UnavailableError{Service: "system bus", Err: err}
		}
	}
}

func (c *Checker) dialOnce(done chan struct{}) {
	conn, err := c.dial()
	c.mu.Lock()
	defer c.mu.Unlock()
	defer close(done)
	c.dialing = nil
	if err != nil {
		c.dialErr, c.failedAt = err, c.now()
		return
	}
	if c.closed {
		_ = conn.Close()
		return
	}
	c.conn, c.dialErr = conn, nil
}

// note logs an unavailable state once per service and cause, so a
// missing service is mentioned once, not on every scheduled check.
func (c *Checker) note(err error) {
	if err == nil {
		return
	}
	service := ""
	var ue *UnavailableError
	if errors.As(err, &ue) {
		service = ue.Service
	}
	why := err.Error()
	c.mu.Lock()
	repeat := c.lastWhy[service] == why
	c.lastWhy[service] = why
	c.mu.Unlock()
	if !repeat {
		c.log.Debug("power state unknown; backups are allowed", "err", err)
	}
}
