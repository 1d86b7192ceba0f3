package power_test

import (
	"context"
	"testing"
	"time"

	"jottacloudclient/app/power"
)

func TestWatchOnline(t *testing.T) {
	addr := privateBus(t)
	nm := connect(t, addr)
	own(t, nm, "org.freedesktop.NetworkManager")
	client := connect(t, addr)

	ups := make(chan struct{}, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := power.New(power.Options{Conn: client})
	if err := c.WatchOnline(ctx, client, func() { ups <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	emit := func(state uint32) {
		t.Helper()
		if err := nm.Emit("/org/freedesktop/NetworkManager", "org.freedesktop.NetworkManager.StateChanged", state); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(want bool, what string) {
		t.Helper()
		select {
		case <-ups:
			if !want {
				t.Errorf("%s: called onUp", what)
			}
		case <-time.After(500 * time.Millisecond):
			if want {
				t.Errorf("%s: onUp not called", what)
			}
		}
	}
	emit(70)
	expect(false, "connected while already online")
	emit(20) // disconnected
	expect(false, "going offline")
	emit(60) // site only
	expect(false, "local network only")
	emit(70)
	expect(true, "back online")
	cancel()
	time.Sleep(50 * time.Millisecond)
	emit(20)
	emit(70)
	expect(false, "after the watch ended")
}
