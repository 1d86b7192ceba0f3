//go:build unix && !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package syncer

import "syscall"

func ctimeOf(st *syscall.Stat_t) (sec, nsec int64) { return 0, 0 }
