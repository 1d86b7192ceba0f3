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
