package power_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"jottacloudclient/app/power"
)

// NMMetered values.
const (
	meteredUnknown  = uint32(0)
	meteredYes      = uint32(1)
	meteredNo       = uint32(2)
	meteredGuessYes = uint32(3)
	meteredGuessNo  = uint32(4)
)

func TestCheckAgainstFakeServices(t *testing.T) {
	tests := []struct {
		name          string
		onBattery     any // nil: no UPower on the bus
		metered       any // nil: no NetworkManager on the bus
		skipOnBattery bool
		skipOnMetered bool
		wantOK        bool
		wantReason    string
	}{
		{name: "mains, unmetered, both options", onBattery: false, metered: meteredNo, skipOnBattery: true, skipOnMetered: true, wantOK: true},
		{name: "battery, skip on battery", onBattery: true, metered: meteredNo, skipOnBattery: true, wantReason: power.ReasonBattery},
		{name: "battery, only skip on metered", onBattery: true, metered: meteredNo, skipOnMetered: true, wantOK: true},
		{name: "battery, no options", onBattery: true, metered: meteredYes, wantOK: true},
		{name: "metered, skip on metered", onBattery: false, metered: meteredYes, skipOnMetered: true, wantReason: power.ReasonMetered},
		{name: "guessed metered, skip on metered", onBattery: false, metered: meteredGuessYes, skipOnMetered: true, wantReason: power.ReasonMetered},
		{name: "guessed unmetered", onBattery: false, metered: meteredGuessNo, skipOnMetered: true, wantOK: true},
		{name: "metered state unknown", onBattery: false, metered: meteredUnknown, skipOnMetered: true, wantOK: true},
		{name: "metered, only skip on battery", onBattery: false, metered: meteredYes, skipOnBattery: true, wantOK: true},
		{name: "battery and metered, both options", onBattery: true, metered: meteredGuessYes, skipOnBattery: true, skipOnMetered: true,
			wantReason: power.ReasonBattery + " and " + power.ReasonMetered},
		{name: "no UPower", metered: meteredNo, skipOnBattery: true, skipOnMetered: true, wantOK: true},
		{name: "no UPower, metered", metered: meteredYes, skipOnBattery: true, skipOnMetered: true, wantReason: power.ReasonMetered},
		{name: "no NetworkManager", onBattery: false, skipOnBattery: true, skipOnMetered: true, wantOK: true},
		{name: "no NetworkManager, battery", onBattery: true, skipOnBattery: true, skipOnMetered: true, wantReason: power.ReasonBattery},
		{name: "neither service", skipOnBattery: true, skipOnMetered: true, wantOK: true},
		{name: "OnBattery of the wrong type", onBattery: "yes", metered: meteredNo, skipOnBattery: true, wantOK: true},
		{name: "Metered of the wrong type", onBattery: false, metered: int32(1), skipOnMetered: true, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := privateBus(t)
			svc := connect(t, addr)
			if tt.onBattery != nil {
				fakeUPower(t, svc, tt.onBattery)
			}
			if tt.metered != nil {
				fakeNetworkManager(t, svc, tt.metered)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			ok, reason := power.Check(ctx, connect(t, addr), tt.skipOnBattery, tt.skipOnMetered)
			if ok != tt.wantOK || reason != tt.wantReason {
				t.Errorf("Check = %v, %q; want %v, %q", ok, reason, tt.wantOK, tt.wantReason)
			}
		})
	}
}

// TestCheckerFollowsChanges keeps one Checker over a bus whose services
// change their state, as the scheduler's periodic checks see it.
func TestCheckerFollowsChanges(t *testing.T) {
	addr := privateBus(t)
	svc := connect(t, addr)
	upower := fakeUPower(t, svc, false)
	nm := fakeNetworkManager(t, svc, meteredNo)
	c := power.New(power.Options{Conn: connect(t, addr)})
	gate := c.Gate(true, true)
	ctx := context.Background()

	steps := []struct {
		name       string
		onBattery  bool
		metered    uint32
		wantReason string
	}{
		{"mains", false, meteredNo, ""},
		{"unplugged", true, meteredNo, power.ReasonBattery},
		{"tethered", true, meteredYes, power.ReasonBattery + " and " + power.ReasonMetered},
		{"plugged in", false, meteredYes, power.ReasonMetered},
		{"home wifi", false, meteredGuessNo, ""},
	}
	for _, s := range steps {
		upower.SetMust("org.freedesktop.UPower", "OnBattery", s.onBattery)
		nm.SetMust("org.freedesktop.NetworkManager", "Metered", s.metered)
		ok, reason := gate(ctx)
		if ok != (s.wantReason == "") || reason != s.wantReason {
			t.Errorf("%s: gate = %v, %q; want reason %q", s.name, ok, reason, s.wantReason)
		}
		on, err := c.OnBattery(ctx)
		if err != nil || on != s.onBattery {
			t.Errorf("%s: OnBattery = %v, %v; want %v", s.name, on, err, s.onBattery)
		}
	}
	if g := c.Gate(false, false); g != nil {
		t.Error("Gate with both options off is not nil")
	}
	if err := c.Close(); err != nil {
		t.Errorf("close with an injected connection: %v", err)
	}
}

func TestUnavailableErrors(t *testing.T) {
	addr := privateBus(t)
	c := power.New(power.Options{Conn: connect(t, addr)})
	ctx := context.Background()
	if _, err := c.OnBattery(ctx); !errors.Is(err, power.ErrUnavailable) {
		t.Errorf("OnBattery without UPower: err = %v, want ErrUnavailable", err)
	} else {
		var ue *power.UnavailableError
		if !errors.As(err, &ue) || ue.Service != "org.freedesktop.UPower" {
			t.Errorf("OnBattery error %v does not name UPower", err)
		}
	}
	if _, err := c.Metered(ctx); !errors.Is(err, power.ErrUnavailable) {
		t.Errorf("Metered without NetworkManager: err = %v, want ErrUnavailable", err)
	}
}

// TestHungServiceAllows: a service that never answers holds a check no
// longer than the timeout, and the backup is allowed.
func TestHungServiceAllows(t *testing.T) {
	addr := privateBus(t)
	svc := connect(t, addr)
	h := hungProperties{release: make(chan struct{})}
	defer close(h.release)
	if err := svc.Export(h, "/org/freedesktop/UPower", "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	own(t, svc, "org.freedesktop.UPower")
	c := power.New(power.Options{Conn: connect(t, addr), Timeout: 100 * time.Millisecond})
	ok, reason := c.Check(context.Background(), true, false)
	if !ok || reason != "" {
		t.Errorf("Check with a hung UPower = %v, %q; want allowed", ok, reason)
	}
	if _, err := c.OnBattery(mustTimeout(t, 100*time.Millisecond)); !errors.Is(err, power.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("OnBattery with a hung UPower: err = %v, want ErrUnavailable from the deadline", err)
	}
}

func mustTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestNoSystemBusAllows points the default checker at a system bus that
// does not exist.
func TestNoSystemBusAllows(t *testing.T) {
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+t.TempDir()+"/none")
	c := power.New(power.Options{})
	defer c.Close()
	for i := range 2 {
		ok, reason := c.Check(context.Background(), true, true)
		if !ok || reason != "" {
			t.Errorf("check %d without a system bus = %v, %q; want allowed", i, ok, reason)
		}
	}
	if _, err := c.Metered(context.Background()); !errors.Is(err, power.ErrUnavailable) {
		t.Errorf("Metered without a system bus: err = %v, want ErrUnavailable", err)
	}
}
