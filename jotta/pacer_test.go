package jotta

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func throttleErr(after time.Duration) *Error {
	return &Error{StatusCode: http.StatusTooManyRequests, RetryAfter: after, hasRetryAfter: after >= 0}
}

// TestPacerRetryAfterHoldsEveryCaller: one call's 429 with Retry-After
// holds back a call that starts later, not only the one that got it.
func TestPacerRetryAfterHoldsEveryCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(RetryPolicy{MinBackoff: time.Millisecond}, nil)
		start := time.Now()
		var wg sync.WaitGroup
		var firstRetry, second time.Duration
		wg.Go(func() {
			_ = p.call(t.Context(), 0, func(_ context.Context, n int) (bool, error) {
				if n == 1 {
					return true, throttleErr(time.Second)
				}
				firstRetry = time.Since(start)
				return false, nil
			})
		})
		wg.Go(func() {
			time.Sleep(100 * time.Millisecond)
			_ = p.call(t.Context(), 0, func(context.Context, int) (bool, error) {
				second = time.Since(start)
				return false, nil
			})
		})
		wg.Wait()
		if firstRetry != time.Second {
			t.Errorf("the throttled call retried after %v, want the server's 1s", firstRetry)
		}
		if second != time.Second {
			t.Errorf("a later call started after %v, want it held until 1s", second)
		}
	})
}

func TestPacerCapsRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(RetryPolicy{MaxRetryAfter: 5 * time.Second}, nil)
		start := time.Now()
		_ = p.call(t.Context(), 0, func(_ context.Context, n int) (bool, error) {
			if n == 1 {
				return true, throttleErr(time.Hour)
			}
			return false, nil
		})
		if took := time.Since(start); took != 5*time.Second {
			t.Errorf("waited %v, want the 5s cap", took)
		}
	})
}

// TestPacerSharedPauseGrowsAndShrinks: 429s without Retry-After grow one
// shared pause; successes shrink it.
func TestPacerSharedPauseGrowsAndShrinks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(RetryPolicy{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}, nil)
		var waits []time.Duration
		last := time.Now()
		_ = p.call(t.Context(), 0, func(_ context.Context, n int) (bool, error) {
			waits = append(waits, time.Since(last))
			last = time.Now()
			if n <= 5 {
				return true, throttleErr(-1)
			}
			return false, nil
		})
		// pauses of 100ms, 200ms, 400ms, 800ms, 1s, each jittered to [half, full]
		wantMax := []time.Duration{0, 100, 200, 400, 800, 1000}
		for i, w := range waits {
			if hi := wantMax[i] * time.Millisecond; w > hi || w < hi/2 {
				t.Errorf("wait %d = %v, want within [%v, %v]", i, w, hi/2, hi)
			}
		}
		for range 10 {
			p.succeeded()
		}
		if p.throttle != 0 {
			t.Errorf("shared pause %v after ten successes, want 0", p.throttle)
		}
	})
}

// TestPacerBudgets: ordinary failures stop after MaxAttempts, throttling
// answers after MaxThrottled, and a non-retryable error at once.
func TestPacerBudgets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(RetryPolicy{MaxAttempts: 3, MaxThrottled: 5, MinBackoff: time.Millisecond}, nil)
		count := func(err error, retry bool) int {
			n := 0
			got := p.call(t.Context(), 0, func(context.Context, int) (bool, error) {
				n++
				return retry, err
			})
			if !errors.Is(got, err) {
				t.Errorf("call returned %v, want %v", got, err)
			}
			return n
		}
		if n := count(&Error{StatusCode: 503}, true); n != 3 {
			t.Errorf("%d tries after 503s, want 3", n)
		}
		if n := count(throttleErr(time.Millisecond), true); n != 6 {
			t.Errorf("%d tries after 429s, want 6 (five retries)", n)
		}
		if n := count(&Error{StatusCode: 400}, false); n != 1 {
			t.Errorf("%d tries of a non-retryable failure, want 1", n)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := p.call(ctx, 0, func(context.Context, int) (bool, error) { return false, nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled call: %v", err)
		}
	})
}
