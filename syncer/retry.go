package syncer

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/url"
	"time"
)

// Default retry policy for passes that failed for a reason that passes.
const (
	DefaultRetryMin = 15 * time.Second
	DefaultRetryMax = 10 * time.Minute
)

// RetryPolicy says when a pass that failed for a transient reason (see
// Transient) is tried again: after Min, doubling up to Max, each wait
// jittered by ±20 % so that many clients do not return at once.
type RetryPolicy struct {
	Min time.Duration // first wait (default DefaultRetryMin)
	Max time.Duration // longest wait (default DefaultRetryMax)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Min <= 0 {
		p.Min = DefaultRetryMin
	}
	if p.Max <= 0 {
		p.Max = DefaultRetryMax
	}
	if p.Max < p.Min {
		p.Max = p.Min
	}
	return p
}

// Backoff is the wait before retry number attempt (1-based), before
// jitter.
func (p RetryPolicy) Backoff(attempt int) time.Duration {
	p = p.withDefaults()
	d := p.Min
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// wait is Backoff with ±20 % jitter.
func (p RetryPolicy) wait(attempt int) time.Duration {
	d := p.Backoff(attempt)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Transient reports a pass error that clears by itself — the server was
// unreachable or failing (ErrUnavailable, a network error, a timeout) — so
// the scheduler retries soon. Sign-in and a full account are not
// transient: they wait for the user or for free space.
func Transient(err error) bool {
	if err == nil || errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrQuota) ||
		errors.Is(err, ErrPaused) || errors.Is(err, context.Canceled) {
		return false
	}
	// Not net.Error: a local *fs.PathError has its methods too.
	var oe *net.OpError
	var ue *url.Error
	return errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &oe) || errors.As(err, &ue)
}

// Waiting reports a pass error that waits for the user (sign in again) or
// for room on the account; the pair is tried again on its interval.
func Waiting(err error) bool {
	return errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrQuota)
}

// RetryEvent says that a pair's pass failed for a transient reason and
// when it is tried again (sooner if the network comes back, see
// Engine.NetworkUp). Attempt counts the failures in a row.
type RetryEvent struct {
	Pair    string
	Err     error
	Attempt int
	At      time.Time
}

func (e RetryEvent) PairID() string { return e.Pair }

// NetworkUp tells the engine that the network came back (or changed):
// pairs waiting to retry a failed pass try at once.
func (e *Engine) NetworkUp() {
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.loops {
		select {
		case l.netUp <- struct{}{}:
		default:
		}
	}
}
