package app

import (
	"context"
	"errors"
	"net"
	"net/url"
	"time"

	"jottacloudclient/app/message"
)

// probeTimeout bounds one reachability probe.
const probeTimeout = 3 * time.Second

// Reachable is the engine's retry probe (syncer.Options.Probe): after a
// pass failed because JottaCloud could not be reached, it tries to open a
// connection to the host that failed, and says true as soon as one opens.
// It sends no request, so it costs the service nothing; for other
// failures (the server answered with an error) it says false and the
// backoff decides.
func Reachable(ctx context.Context, lastErr error) bool {
	if message.For(lastErr).Kind != message.KindOffline {
		return false
	}
	addr := failedAddr(lastErr)
	if addr == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// failedAddr finds host:port of the connection that failed in err.
func failedAddr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			port := u.Port()
			if port == "" {
				port = "443"
				if u.Scheme == "http" {
					port = "80"
				}
			}
			return net.JoinHostPort(u.Hostname(), port)
		}
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Addr != nil {
		return oe.Addr.String()
	}
	return ""
}
