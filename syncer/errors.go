package syncer

import (
	"errors"
	"io/fs"
)

// ErrSourceMissing means a pair's local folder is missing or not a folder;
// the pass changes nothing.
var ErrSourceMissing = errors.New("local folder unavailable")

// ErrPaused is returned for a pass that a Pause interrupted.
var ErrPaused = errors.New("engine paused")

func asPathError(err error, pe **fs.PathError) bool { return errors.As(err, pe) }

// ErrUnavailable means the server could not be reached or failed for a
// reason that passes (network down, DNS, timeout, 5xx). Remotes wrap such
// errors with it; the scheduler retries a pass that ended with it with
// backoff instead of waiting for the pair's interval.
var ErrUnavailable = errors.New("JottaCloud is unavailable for now")
