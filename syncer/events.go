package syncer

import (
	"sync"
	"time"
)

// Event is anything the engine reports. Concrete types: StateEvent,
// ProgressEvent, ProblemEvent, FolderCreatedEvent, NoticeEvent, PassEvent,
// DroppedEvent.
type Event interface {
	// PairID names the folder pair the event is about ("" for the engine).
	PairID() string
}

// State is what a pair (or the engine) is doing.
type State int

const (
	StateIdle State = iota
	StateScanning
	StateUploading
	StatePaused
	StateError
)

func (s State) String() string {
	switch s {
	case StateScanning:
		return "scanning"
	case StateUploading:
		return "uploading"
	case StatePaused:
		return "paused"
	case StateError:
		return "error"
	default:
		return "idle"
	}
}

// StateEvent reports a state change; Err is set with StateError.
type StateEvent struct {
	Pair  string
	State State
	Err   error
}

// ProgressEvent reports the running pass. Slow consumers see only the latest.
type ProgressEvent struct {
	Pair       string
	Phase      State // StateScanning (hashing) or StateUploading
	FilesDone  int
	FilesTotal int
	BytesDone  int64
	BytesTotal int64
	Current    string        // local relative path being worked on
	Rate       float64       // bytes per second over the phase so far
	ETA        time.Duration // 0 when unknown
	// Counting says the totals still grow: the walk is still finding
	// files, so there is no fraction done and no time left to show yet.
	Counting bool
}

// Problem is a per-file issue: the file was not backed up (or not pruned)
// this pass, the pass itself went on.
type Problem struct {
	Path   string // local relative path, '/'-separated
	Reason string
	// Unreadable marks a file or folder the walk could not read (as
	// opposed to one it skipped by rule).
	Unreadable bool
	// Err is the cause when there is one, for app/message to put in
	// words; Reason stays the technical description.
	Err error
}

// ProblemEvent reports one Problem as soon as it is found.
type ProblemEvent struct {
	Pair string
	Problem
}

// FolderCreatedEvent reports a device, mount point or folder the engine
// created on the server for a pair's remote root.
type FolderCreatedEvent struct {
	Pair string
	Path string
}

// NoticeEvent is an informational message for the user (watch limit hit,
// catch-up after wake, prune refused, …).
type NoticeEvent struct {
	Pair    string
	Message string
}

// PassEvent carries the result of a finished pass.
type PassEvent struct {
	Result *PassResult
}

// DroppedEvent tells a subscriber that it was too slow and Count events were
// discarded.
type DroppedEvent struct {
	Count int
}

func (e StateEvent) PairID() string         { return e.Pair }
func (e ProgressEvent) PairID() string      { return e.Pair }
func (e ProblemEvent) PairID() string       { return e.Pair }
func (e FolderCreatedEvent) PairID() string { return e.Pair }
func (e NoticeEvent) PairID() string        { return e.Pair }
func (e PassEvent) PairID() string          { return e.Result.Pair }
func (e DroppedEvent) PairID() string       { return "" }

// maxQueued bounds each subscriber's backlog of non-progress events.
const maxQueued = 10000

// bus fans events out to subscribers without ever blocking the publisher.
type bus struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// Subscription delivers events in order; progress events are coalesced per
// pair and, past a large backlog, other events are dropped and counted.
type Subscription struct {
	c       chan Event
	wake    chan struct{}
	done    chan struct{}
	once    sync.Once
	bus     *bus
	mu      sync.Mutex
	queue   []Event
	pending map[string]ProgressEvent
	order   []string
	dropped int
}

// C is the channel events arrive on. It is closed by Close.
func (s *Subscription) C() <-chan Event { return s.c }

// Close stops delivery.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		s.bus.mu.Unlock()
		close(s.done)
	})
}

func (b *bus) subscribe() *Subscription {
	s := &Subscription{
		c:       make(chan Event),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		bus:     b,
		pending: map[string]ProgressEvent{},
	}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[*Subscription]struct{}{}
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go s.pump()
	return s
}

func (b *bus) publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.push(ev)
	}
}

func (s *Subscription) push(ev Event) {
	s.mu.Lock()
	switch e := ev.(type) {
	case ProgressEvent:
		if _, ok := s.pending[e.Pair]; !ok {
			s.order = append(s.order, e.Pair)
		}
		s.pending[e.Pair] = e
	default:
		if pe, ok := ev.(PassEvent); ok {
			s.dropProgress(pe.Result.Pair)
		}
		if len(s.queue) >= maxQueued {
			s.dropped++
		} else {
			s.queue = append(s.queue, ev)
		}
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Subscription) dropProgress(pair string) {
	if _, ok := s.pending[pair]; !ok {
		return
	}
	delete(s.pending, pair)
	for i, p := range s.order {
		if p == pair {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

// next takes the next event to deliver: a drop notice first, then queued
// events in order, then the latest progress.
func (s *Subscription) next() (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped > 0 && len(s.queue) < maxQueued {
		n := s.dropped
		s.dropped = 0
		return DroppedEvent{Count: n}, true
	}
	if len(s.queue) > 0 {
		ev := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		return ev, true
	}
	if len(s.order) > 0 {
		p := s.order[0]
		s.order = s.order[1:]
		ev := s.pending[p]
		delete(s.pending, p)
		return ev, true
	}
	return nil, false
}

func (s *Subscription) pump() {
	defer close(s.c)
	for {
		ev, ok := s.next()
		if !ok {
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		select {
		case s.c <- ev:
		case <-s.done:
			return
		}
	}
}
