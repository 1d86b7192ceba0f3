//go:build !linux

package bench

import (
	"errors"
	"time"
)

// Usage is a process's resource use so far.
type Usage struct {
	CPU     time.Duration // user + system
	PeakRSS int64         // bytes
	RSS     int64         // bytes now
	RSSFile int64         // bytes of RSS that are mapped files
}

// selfUsage is only implemented on Linux, where the benchmark runs.
func selfUsage() (Usage, error) {
	return Usage{}, errors.New("measuring memory and CPU is only supported on Linux")
}
