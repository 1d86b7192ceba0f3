package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// startCPUProfile writes a CPU profile to dir/name until the returned
// function is called; with no dir it does nothing.
func startCPUProfile(dir, name string) (func() error, error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	f, err := createProfile(dir, name)
	if err != nil {
		return nil, fmt.Errorf("create profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("start CPU profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// writeHeapProfile writes the heap profile (in use and allocated) to
// dir/name; with no dir it does nothing.
func writeHeapProfile(dir, name string) error {
	if dir == "" {
		return nil
	}
	f, err := createProfile(dir, name)
	if err != nil {
		return fmt.Errorf("create profile: %w", err)
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write heap profile: %w", err)
	}
	return f.Close()
}

// peakHeapProfiler keeps the heap profile taken nearest to the peak of
// the live heap, sampled every 20 ms, to show what holds memory at the
// peak rather than after the work.
type peakHeapProfiler struct {
	stop chan struct{}
	done chan struct{}
	best []byte
}

func startPeakHeapProfile(dir string) *peakHeapProfiler {
	p := &peakHeapProfiler{stop: make(chan struct{}), done: make(chan struct{})}
	if dir == "" {
		close(p.done)
		return p
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var last uint64
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
			if h := heapLive(); h > last+last/5 {
				var b bytes.Buffer
				if pprof.Lookup("heap").WriteTo(&b, 0) == nil {
					p.best, last = b.Bytes(), h
				}
			}
		}
	}()
	return p
}

// finish stops sampling and writes the kept profile to dir/name.
func (p *peakHeapProfiler) finish(dir, name string) error {
	close(p.stop)
	<-p.done
	if dir == "" || p.best == nil {
		return nil
	}
	return os.WriteFile(filepath.Join(dir, name), p.best, 0o644)
}

// liveSampler tracks the largest live heap (as marked by the last GC)
// while work runs.
type liveSampler struct {
	stop chan struct{}
	done chan struct{}
	max  uint64
}

func startLiveSampler() *liveSampler {
	l := &liveSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			if s[0].Value.Kind() == metrics.KindUint64 {
				l.max = max(l.max, s[0].Value.Uint64())
			}
			select {
			case <-l.stop:
				return
			case <-t.C:
			}
		}
	}()
	return l
}

// finish stops sampling and returns the largest live heap seen.
func (l *liveSampler) finish() uint64 {
	close(l.stop)
	<-l.done
	return l.max
}

// createProfile creates dir (if needed) and the profile file in it.
func createProfile(dir, name string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return os.Create(filepath.Join(dir, name))
}
