package jotta

import (
	"context"
	"io"

	"golang.org/x/time/rate"
)

// RateLimitedReader returns an UploadOptions.WrapReader that draws every
// read from lim (bytes per second). Share one limiter between uploads for
// a global bandwidth cap.
func RateLimitedReader(lim *rate.Limiter) func(ctx context.Context, r io.Reader) io.Reader {
	return func(ctx context.Context, r io.Reader) io.Reader {
		return &limitedReader{ctx: ctx, r: r, lim: lim}
	}
}

type limitedReader struct {
	ctx context.Context
	r   io.Reader
	lim *rate.Limiter
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if b := l.lim.Burst(); b > 0 && len(p) > b {
		p = p[:b]
	}
	n, err := l.r.Read(p)
	if n > 0 {
		if werr := l.lim.WaitN(l.ctx, n); werr != nil {
			return n, werr
		}
	}
	return n, err
}
