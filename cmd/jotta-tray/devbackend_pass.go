//go:build cgo

package main

// The development backend's simulated backup pass (see devbackend.go).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"jottacloudclient/app/settings"
)

type devFile struct {
	pair string
	path string
	size int64
	err  error
}

func (b *devBackend) startPassLocked() {
	if !b.account.SignedIn || !b.pausedUntil.IsZero() {
		return
	}
	if b.passing {
		b.again = true
		return
	}
	b.passing = true
	b.act = settings.Activity{Running: true}
	pairs := slices.Clone(b.pairs)
	b.publishLocked()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.runPass(pairs)
	}()
}

// runPass reads each enabled pair's files and pretends to upload them,
// about two seconds per pair.
func (b *devBackend) runPass(pairs []settings.Pair) {
	var problems []settings.Problem
	for _, p := range pairs {
		if !p.Enabled {
			continue
		}
		files := listFiles(p)
		var total int64
		for _, f := range files {
			total += f.size
		}
		b.mu.Lock()
		b.act = settings.Activity{Running: true, PairLocal: p.Local, FilesTotal: len(files), BytesTotal: total}
		b.logf("backing up %s: %d files", p.Local, len(files))
		b.publishLocked()
		b.mu.Unlock()

		const ticks = 8
		tick := time.NewTicker(250 * time.Millisecond)
		var done int64
		var pairProblems int
		for i, f := range files {
			if i%max(1, (len(files)+ticks-1)/ticks) == 0 {
				select {
				case <-b.ctx.Done():
					tick.Stop()
					return
				case <-tick.C:
				}
			}
			if f.err != nil {
				pairProblems++
				problems = append(problems, settings.Problem{PairID: p.ID, Path: f.path, Reason: f.err.Error(), Time: time.Now()})
			}
			done += f.size
			b.mu.Lock()
			b.act.FilesDone, b.act.BytesDone, b.act.Current = i+1, done, f.path
			b.act.Rate = float64(total) / 2
			if b.act.Rate > 0 {
				b.act.ETA = time.Duration(float64(total-done) / b.act.Rate * float64(time.Second))
			}
			b.publishLocked()
			b.mu.Unlock()
		}
		tick.Stop()
		b.mu.Lock()
		if i := slices.IndexFunc(b.pairs, func(q settings.Pair) bool { return q.ID == p.ID }); i >= 0 {
			b.pairs[i].Status = settings.PairStatus{LastComplete: time.Now(), Files: int64(len(files) - pairProblems), Bytes: done, Problems: pairProblems}
		}
		b.mu.Unlock()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = problems
	b.passing = false
	b.passes++
	b.act = settings.Activity{}
	b.logf("pass finished: %d problems", len(problems))
	b.publishLocked()
	if b.again {
		b.again = false
		b.startPassLocked()
	}
}

func listFiles(p settings.Pair) []devFile {
	var out []devFile
	_ = filepath.WalkDir(p.Local, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			out = append(out, devFile{pair: p.ID, path: path, err: err})
			return nil
		}
		name := d.Name()
		if path != p.Local && !p.Hidden && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		for _, ex := range p.Excludes {
			rel, _ := filepath.Rel(p.Local, path)
			if m, _ := filepath.Match(strings.TrimSuffix(ex, "/"), name); m || "/"+filepath.ToSlash(rel) == ex {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		if !d.Type().IsRegular() {
			return nil
		}
		f := devFile{pair: p.ID, path: path}
		if fi, err := d.Info(); err == nil {
			f.size = fi.Size()
		}
		if r, err := os.Open(path); err != nil {
			f.err = fmt.Errorf("cannot read the file: %w", errors.Unwrap(err))
		} else {
			r.Close()
		}
		out = append(out, f)
		return nil
	})
	return out
}
