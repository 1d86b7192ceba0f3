package emulator

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Link shapes the emulated network like an internet connection: every
// request waits one round trip (Latency) before it is served, a new
// connection costs one more (the TCP handshake), and request bodies and
// reply bodies each share a cap of Bandwidth bytes per second (the link
// is full duplex). The zero value is a loopback link: no delay, no cap.
type Link struct {
	Latency   time.Duration
	Bandwidth int64 // bytes per second; 0: unlimited
}

// String describes the link for logs and benchmark tables.
func (l Link) String() string {
	if l == (Link{}) {
		return "loopback"
	}
	parts := []string{}
	if l.Latency > 0 {
		parts = append(parts, l.Latency.String()+" round trip")
	}
	if l.Bandwidth > 0 {
		parts = append(parts, strconv.FormatFloat(float64(l.Bandwidth)*8/1e6, 'f', -1, 64)+" Mbit/s")
	}
	return strings.Join(parts, ", ")
}

// linkShaper holds the current link and its two bandwidth buckets.
type linkShaper struct {
	mu       sync.RWMutex
	link     Link
	up, down *rate.Limiter
}

// linkBurst is the largest chunk a body moves at once under a cap.
const linkBurst = 32 << 10

func (ls *linkShaper) set(l Link) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.link = l
	ls.up, ls.down = nil, nil
	if l.Bandwidth > 0 {
		burst := int(min(int64(linkBurst), max(l.Bandwidth/10, 1)))
		ls.up = rate.NewLimiter(rate.Limit(l.Bandwidth), burst)
		ls.down = rate.NewLimiter(rate.Limit(l.Bandwidth), burst)
	}
}

func (ls *linkShaper) get() (Link, *rate.Limiter, *rate.Limiter) {
	ls.mu.RLock()
	defer ls.mu.RUnlock()
	return ls.link, ls.up, ls.down
}

// SetLink changes the link from the next request on.
func (s *Server) SetLink(l Link) { s.shaper.set(l) }

// Link returns the current link.
func (s *Server) Link() Link {
	l, _, _ := s.shaper.get()
	return l
}

// shape delays the request by the link's round trip and caps its bodies.
// It reports false when the client gave up while waiting.
func (s *Server) shape(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, bool) {
	l, up, down := s.shaper.get()
	if l.Latency > 0 {
		t := time.NewTimer(l.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return w, r, false
		case <-t.C:
		}
	}
	if up != nil && r.Body != nil && r.Body != http.NoBody {
		r.Body = &shapedBody{ReadCloser: r.Body, ctx: r.Context(), lim: up}
	}
	if down != nil {
		w = &shapedWriter{ResponseWriter: w, ctx: r.Context(), lim: down}
	}
	return w, r, true
}

// waitN draws n bytes from lim in chunks no larger than its burst.
func waitN(ctx context.Context, lim *rate.Limiter, n int) error {
	for n > 0 {
		c := min(n, lim.Burst())
		if err := lim.WaitN(ctx, c); err != nil {
			return err
		}
		n -= c
	}
	return nil
}

type shapedBody struct {
	io.ReadCloser
	ctx context.Context
	lim *rate.Limiter
}

func (b *shapedBody) Read(p []byte) (int, error) {
	if len(p) > b.lim.Burst() {
		p = p[:b.lim.Burst()]
	}
	n, err := b.ReadCloser.Read(p)
	if werr := waitN(b.ctx, b.lim, n); werr != nil && err == nil {
		err = werr
	}
	return n, err
}

type shapedWriter struct {
	http.ResponseWriter
	ctx context.Context
	lim *rate.Limiter
}

func (w *shapedWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		c := min(len(p), w.lim.Burst())
		if err := waitN(w.ctx, w.lim, c); err != nil {
			return written, err
		}
		n, err := w.ResponseWriter.Write(p[:c])
		written += n
		if err != nil {
			return written, err
		}
		p = p[c:]
	}
	return written, nil
}

func (w *shapedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// linkListener makes the first read of every accepted connection wait one
// round trip, the cost of a TCP handshake.
type linkListener struct {
	net.Listener
	shaper *linkShaper
}

func (l *linkListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &handshakeConn{Conn: c, shaper: l.shaper}, nil
}

type handshakeConn struct {
	net.Conn
	shaper *linkShaper
	once   sync.Once
}

func (c *handshakeConn) Read(p []byte) (int, error) {
	c.once.Do(func() {
		if l, _, _ := c.shaper.get(); l.Latency > 0 {
			time.Sleep(l.Latency)
		}
	})
	return c.Conn.Read(p)
}

// SetLinger reaches the TCP connection, so hanging up can still reset it.
func (c *handshakeConn) SetLinger(sec int) error {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		return tc.SetLinger(sec)
	}
	return nil
}

// ParseBandwidth reads a link speed: bits per second with a decimal
// prefix ("100Mbit", "100Mbit/s", "1Gbps", "512kbit") or bytes per second
// ("12.5MB/s", "10MiB/s", "800KiB"). "0", "off" and "" mean unlimited.
func ParseBandwidth(s string) (int64, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "", "0", "off", "unlimited":
		return 0, nil
	}
	t = strings.TrimSuffix(strings.TrimSuffix(t, "/s"), "ps")
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, fmt.Errorf("bandwidth %q needs a unit, like 100Mbit or 10MiB/s", s)
	}
	f, err := strconv.ParseFloat(t[:i], 64)
	if err != nil || f < 0 || math.IsInf(f, 0) {
		return 0, fmt.Errorf("bandwidth %q is not a number with a unit, like 100Mbit or 10MiB/s", s)
	}
	mult, ok := bandwidthUnit(strings.TrimSpace(t[i:]))
	if !ok {
		return 0, fmt.Errorf("bandwidth %q has an unknown unit: use kbit, Mbit, Gbit, or B, kB, MB, KiB, MiB (per second)", s)
	}
	v := f * mult
	if v > math.MaxInt64/2 {
		return 0, fmt.Errorf("bandwidth %q is too large", s)
	}
	if v > 0 && v < 1 {
		v = 1
	}
	return int64(math.Round(v)), nil
}

// bandwidthUnit is bytes per unit: "bit" forms and a lower-case "b" after
// a prefix ("Mb") are bits, as network speeds are written; "B" is bytes.
func bandwidthUnit(u string) (float64, bool) {
	prefix := map[string]float64{"": 1, "k": 1e3, "m": 1e6, "g": 1e9}
	if p, ok := strings.CutSuffix(strings.ToLower(u), "bit"); ok {
		m, ok := prefix[p]
		return m / 8, ok
	}
	if p, ok := strings.CutSuffix(u, "b"); ok && p != "" {
		m, ok := prefix[strings.ToLower(p)]
		return m / 8, ok
	}
	if p, ok := strings.CutSuffix(u, "iB"); ok {
		m, ok := map[string]float64{"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[strings.ToLower(p)]
		return m, ok
	}
	if p, ok := strings.CutSuffix(u, "B"); ok {
		m, ok := prefix[strings.ToLower(p)]
		return m, ok
	}
	return 0, false
}
