package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Usage is a process's resource use so far.
type Usage struct {
	CPU     time.Duration // user + system
	PeakRSS int64         // bytes (VmHWM)
	RSS     int64         // bytes now (VmRSS)
	RSSFile int64         // bytes of RSS that are mapped files (RssFile), e.g. the index
}

// selfUsage reads this process's CPU time (getrusage) and resident set
// (/proc/self/status).
func selfUsage() (Usage, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Usage{}, fmt.Errorf("getrusage: %w", err)
	}
	u := Usage{CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return u, fmt.Errorf("read memory use: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 {
			continue
		}
		kib, err := strconv.ParseInt(string(f[1]), 10, 64)
		if err != nil {
			continue
		}
		switch string(f[0]) {
		case "VmHWM:":
			u.PeakRSS = kib << 10
		case "VmRSS:":
			u.RSS = kib << 10
		case "RssFile:":
			u.RSSFile = kib << 10
		}
	}
	if u.PeakRSS == 0 || u.RSS == 0 {
		return u, fmt.Errorf("read memory use: no VmHWM or VmRSS in /proc/self/status")
	}
	return u, nil
}
