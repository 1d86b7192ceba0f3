package jotta

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// RetryPolicy tunes the client's one retry policy (see pacer). The zero
// value means the defaults.
type RetryPolicy struct {
	MaxAttempts   int           // total tries of one call after failures (default 6)
	MinBackoff    time.Duration // first wait (default 200ms)
	MaxBackoff    time.Duration // cap of the exponential wait (default 10s)
	MaxRetryAfter time.Duration // cap of a server Retry-After (default 60s)
	// MaxThrottled bounds how often one call is tried again after the
	// server asked to slow down (429, or a Retry-After): such an answer
	// says "later", not "failed", so it has its own, larger budget
	// (default 4×MaxAttempts).
	MaxThrottled int
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 6
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = 200 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 10 * time.Second
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 60 * time.Second
	}
	if p.MaxThrottled <= 0 {
		p.MaxThrottled = 4 * p.MaxAttempts
	}
	return p
}

// backoff is the wait before retry number attempt (1-based): exponential
// with "equal jitter", so waits never collapse to zero.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.MinBackoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	half := d / 2
	return half + rand.N(half+1)
}

// pacer is the one retry policy of a Client, in the shape of rclone's
// lib/pacer: a call reports whether it is worth another try and its error,
// and the pacer decides the wait. Ordinary failures (5xx, broken
// connections) back off per call. An answer that asks the client to slow
// down (429, or any answer with Retry-After) holds back every call of the
// client, new ones included, until the time the server named: one
// overloaded server should see one pause, not a retry from each worker.
// Without a Retry-After, the shared pause doubles with each such answer
// and halves with each success.
type pacer struct {
	policy RetryPolicy
	log    *slog.Logger

	mu        sync.Mutex
	notBefore time.Time     // no call starts before this
	throttle  time.Duration // the shared pause for a throttling answer without Retry-After
}

func newPacer(p RetryPolicy, log *slog.Logger) *pacer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &pacer{policy: p.withDefaults(), log: log}
}

// attempt is one try of a paced call. It returns retry=true with its error
// when another try may succeed; a nil error ends the call successfully.
type attempt func(ctx context.Context, n int) (retry bool, err error)

// call runs fn until it succeeds, says not to retry, or runs out of
// attempts (maxAttempts; 0 means the policy's).
func (p *pacer) call(ctx context.Context, maxAttempts int, fn attempt) error {
	if maxAttempts <= 0 {
		maxAttempts = p.policy.MaxAttempts
	}
	failures, throttled := 0, 0
	for n := 1; ; n++ {
		if err := p.ready(ctx); err != nil {
			return err
		}
		retry, err := fn(ctx, n)
		if err == nil {
			p.succeeded()
			return nil
		}
		if !retry || ctx.Err() != nil {
			return err
		}
		if d, ok := throttledBy(err); ok {
			throttled++
			if throttled > p.policy.MaxThrottled {
				return err
			}
			p.slowDown(d)
			continue
		}
		failures++
		if failures >= maxAttempts {
			return err
		}
		if err := sleep(ctx, p.policy.backoff(failures)); err != nil {
			return err
		}
	}
}

// throttledBy reports an answer that asks the client to slow down, with
// the wait it named (-1: none named).
func throttledBy(err error) (time.Duration, bool) {
	var e *Error
	if !errors.As(err, &e) {
		return 0, false
	}
	if e.hasRetryAfter {
		return e.RetryAfter, true
	}
	if e.StatusCode == http.StatusTooManyRequests {
		return -1, true
	}
	return 0, false
}

// slowDown holds every call back: for d when the server named it (capped),
// else (d < 0) for the shared, growing pause.
func (p *pacer) slowDown(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d >= 0 {
		d = min(d, p.policy.MaxRetryAfter)
	} else {
		p.throttle = min(max(2*p.throttle, p.policy.MinBackoff), p.policy.MaxBackoff)
		half := p.throttle / 2
		d = half + rand.N(half+1)
	}
	if until := time.Now().Add(d); until.After(p.notBefore) {
		p.notBefore = until
		p.log.Debug("jotta: the server asked to slow down; pausing every request", "for", d)
	}
}

// succeeded lets the shared pause shrink again.
func (p *pacer) succeeded() {
	p.mu.Lock()
	p.throttle /= 2
	if p.throttle < p.policy.MinBackoff {
		p.throttle = 0
	}
	p.mu.Unlock()
}

// ready waits until calls may start.
func (p *pacer) ready(ctx context.Context) error {
	for {
		p.mu.Lock()
		wait := time.Until(p.notBefore)
		p.mu.Unlock()
		if wait <= 0 {
			return ctx.Err()
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// parseRetryAfter reads delay-seconds or an HTTP-date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > 1<<31 {
			secs = 1 << 31
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// retryableStatus lists the replies worth another attempt.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, 509:
		return true
	}
	return false
}

// retryableNetErr reports a transport failure (not a context end) worth
// another attempt.
func retryableNetErr(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE)
}

// notSent reports a transport error that happened before the request could
// reach the server (the connection was never made), so even a
// non-idempotent request can be sent again.
func notSent(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
