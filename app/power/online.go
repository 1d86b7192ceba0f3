package power

import (
	"context"

	"github.com/godbus/dbus/v5"
)

// nmConnectedGlobal is NetworkManager's NM_STATE_CONNECTED_GLOBAL: the
// computer reaches the internet.
const nmConnectedGlobal = 70

// WatchOnline calls onUp each time NetworkManager reports that the
// computer is connected to the internet again (its StateChanged signal
// reaching CONNECTED_GLOBAL after a lower state), until ctx ends. It
// returns at once; an error means the signal cannot be heard on conn (the
// caller then relies on its retries alone). The Checker's connection is
// used when conn is nil.
func (c *Checker) WatchOnline(ctx context.Context, conn *dbus.Conn, onUp func()) error {
	bctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if conn == nil {
		var err error
		if conn, err = c.bus(bctx); err != nil {
			return err
		}
	}
	opts := []dbus.MatchOption{
		dbus.WithMatchInterface(nmName),
		dbus.WithMatchMember("StateChanged"),
	}
	if err := conn.AddMatchSignalContext(bctx, opts...); err != nil {
		return &UnavailableError{Service: nmName, Err: err}
	}
	ch := make(chan *dbus.Signal, 8)
	conn.Signal(ch)
	go func() {
		defer func() {
			conn.RemoveSignal(ch)
			_ = conn.RemoveMatchSignal(opts...)
		}()
		online := true // a first CONNECTED_GLOBAL after start is no news
		for {
			select {
			case <-ctx.Done():
				return
			case s, ok := <-ch:
				if !ok {
					return
				}
				if s.Name != nmName+".StateChanged" || len(s.Body) != 1 {
					continue
				}
				st, ok := s.Body[0].(uint32)
				if !ok {
					continue
				}
				now := st >= nmConnectedGlobal
				if now && !online {
					onUp()
				}
				online = now
			}
		}
	}()
	return nil
}
