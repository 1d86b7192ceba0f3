package tray

import "fmt"

// Notice is a desktop notification the tray decided to show.
type Notice struct{ Title, Body string }

// noticePolicy turns a stream of states into notifications, so that each
// problem is announced once: when a pass fails (again only after a success or
// with a different reason), when files still fail on a second pass in a row,
// and when sign-in becomes necessary. Successful passes are silent.
type noticePolicy struct {
	started       bool
	prev          State
	announcedErr  string // pass error already announced
	problemSince  uint64 // Passes value when problems first appeared (0: none)
	announcedPro  bool   // "files keep failing" already announced
	announcedWarn string // "not backed up since" already announced
	announcedDec  string // "needs your decision" already announced
}

// next returns the notice for s, if any, and remembers s.
func (p *noticePolicy) next(s State) (Notice, bool) {
	prev, first := p.prev, !p.started
	p.prev, p.started = s, true

	if s.Phase == SignedOut {
		if first || prev.Phase != SignedOut {
			return Notice{"Sign in needed", "JottaCloud Backup is not signed in, so nothing is being backed up. Open Settings to sign in."}, true
		}
		return Notice{}, false
	}

	if s.Warning == "" {
		p.announcedWarn = ""
	} else if s.Warning != p.announcedWarn {
		p.announcedWarn = s.Warning
		return Notice{"Not backed up", s.Warning}, true
	}
	if s.Decision == "" {
		p.announcedDec = ""
	} else if s.Decision != p.announcedDec {
		p.announcedDec = s.Decision
		return Notice{"Needs your decision", s.Decision + ". Open Settings → Folders to review them."}, true
	}

	if s.PassError == "" {
		p.announcedErr = ""
	} else if s.PassError != p.announcedErr {
		p.announcedErr = s.PassError
		return Notice{"Backup failed", s.PassError + ". It will be tried again."}, true
	}

	if s.Problems == 0 {
		p.problemSince, p.announcedPro = 0, false
		return Notice{}, false
	}
	if p.problemSince == 0 {
		p.problemSince = s.Passes
		if p.problemSince == 0 {
			p.problemSince = 1 // problems reported before the first counted pass
		}
	}
	if !p.announcedPro && s.Passes > p.problemSince {
		p.announcedPro = true
		return Notice{"Files keep failing",
			fmt.Sprintf("%d %s could not be backed up again. Open Settings → Activity to see why.",
				s.Problems, plural(s.Problems, "file", "files"))}, true
	}
	return Notice{}, false
}
