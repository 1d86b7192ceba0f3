package power_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"jottacloudclient/app/power"
)

// dialer opens connections to a test bus and counts them; the test can
// make it fail or hang.
type dialer struct {
	addr string
	mu   sync.Mutex
	n    int
	fail error
	hold chan struct{} // when set, a dial waits for it to close
	last *dbus.Conn
}

func (d *dialer) dial() (*dbus.Conn, error) {
	d.mu.Lock()
	d.n++
	fail, hold := d.fail, d.hold
	d.mu.Unlock()
	if hold != nil {
		<-hold
	}
	if fail != nil {
		return nil, fail
	}
	conn, err := dbus.Connect(d.addr)
	d.mu.Lock()
	d.last = conn
	d.mu.Unlock()
	return conn, err
}

func (d *dialer) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestCheckerKeepsOneConnection: the lazily dialled bus is dialled once
// and kept; a failed dial is not retried on every check; a bus that goes
// away is dialled again; Close ends it.
func TestCheckerKeepsOneConnection(t *testing.T) {
	addr := privateBus(t)
	fakeUPower(t, connect(t, addr), true)
	d := &dialer{addr: addr, fail: errors.New("system bus not found")}
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := power.NewDialing(power.Options{}, d.dial, clk.Now)
	ctx := context.Background()

	steps := []struct {
		name      string
		do        func()
		wantOK    bool
		wantDials int
	}{
		{"no bus yet", func() {}, true, 1},
		{"failure remembered", func() { clk.add(power.RedialAfter / 2) }, true, 1},
		{"bus up, redial after the delay", func() {
			d.mu.Lock()
			d.fail = nil
			d.mu.Unlock()
			clk.add(power.RedialAfter)
		}, false, 2},
		{"connection kept", func() {}, false, 2},
		{"connection kept again", func() {}, false, 2},
		{"bus went away", func() {
			d.mu.Lock()
			d.last.Close()
			d.mu.Unlock()
		}, false, 3},
	}
	for _, s := range steps {
		s.do()
		ok, reason := c.Check(ctx, true, false)
		if ok != s.wantOK {
			t.Errorf("%s: Check = %v, %q; want ok=%v", s.name, ok, reason, s.wantOK)
		}
		if n := d.count(); n != s.wantDials {
			t.Errorf("%s: %d dials, want %d", s.name, n, s.wantDials)
		}
	}
	if err := c.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	d.mu.Lock()
	connected := d.last.Connected()
	d.mu.Unlock()
	if connected {
		t.Error("Close left the dialled connection open")
	}
	if ok, _ := c.Check(ctx, true, false); !ok {
		t.Error("a closed checker holds backups back")
	}
	if n := d.count(); n != 3 {
		t.Errorf("a closed checker dialled again (%d dials)", n)
	}
}

// TestCheckerHungDial: a dial that hangs costs each check at most its
// timeout, is not repeated while it runs, and its connection is used once
// it arrives.
func TestCheckerHungDial(t *testing.T) {
	addr := privateBus(t)
	fakeUPower(t, connect(t, addr), true)
	hold := make(chan struct{})
	d := &dialer{addr: addr, hold: hold}
	c := power.NewDialing(power.Options{Timeout: 50 * time.Millisecond}, d.dial, time.Now)
	defer c.Close()
	for i := range 2 {
		if ok, reason := c.Check(context.Background(), true, false); !ok {
			t.Errorf("check %d during a hung dial = %v, %q; want allowed", i, ok, reason)
		}
	}
	if n := d.count(); n != 1 {
		t.Errorf("%d dials while the first hangs, want 1", n)
	}
	close(hold)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	on, err := c.OnBattery(ctx) // waits for the dial under ctx, not the timeout
	if err != nil || !on {
		t.Errorf("OnBattery once the dial finished = %v, %v; want true", on, err)
	}
	if n := d.count(); n != 1 {
		t.Errorf("%d dials, want the one that hung", n)
	}
}
