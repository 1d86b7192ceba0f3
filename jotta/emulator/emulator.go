package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Options configure a Server.
type Options struct {
	DataDir             string        // "" = in memory; otherwise everything persists there and New reloads it
	User                string        // JFS username; default: 24 lowercase hex chars (stable for a DataDir)
	Email               string        // default "demo@example.org"
	Realm               string        // default "jottacloud"
	AccessTokenLifetime time.Duration // default 1h
	Quota               int64         // bytes; 0 or -1 = unlimited
	// Link shapes the network like an internet connection (round-trip
	// delay, bandwidth cap); the zero value is plain loopback.
	Link Link
	// Shapes vary how replies are written, as the real service does
	// (ShapesFromSeed, ShapeVariants); the zero value is the plain shape.
	Shapes Shapes
	Logger *slog.Logger
}

// Server is the emulated JottaCloud, an http.Handler serving the OIDC
// provider, the JFS XML API, the JSON API and upload URLs on one host.
type Server struct {
	log    *slog.Logger
	email  string
	realm  string
	faults *Faults
	stats  statCounters
	shaper linkShaper
	shapes Shapes // fixed at New: read without the lock

	mu            sync.RWMutex
	baseURL       string
	user          string
	tokenLifetime time.Duration
	quota         int64
	usage         int64
	nodes         map[uint64]*node
	devices       map[string]*node
	nextID        uint64
	sessions      map[string]*session
	auth          *authState
	content       contentStore
	clockFn       atomic.Pointer[func() time.Time]

	db        *bolt.DB
	dirty     map[uint64]*node
	removed   map[uint64]struct{}
	dirtySess map[string]*session // nil value: deleted
	authDirty bool
	metaDirty bool
}

// New builds a server; with DataDir set it loads what an earlier server
// left there.
func New(opts Options) (*Server, error) {
	s := &Server{
		log:           opts.Logger,
		email:         opts.Email,
		realm:         opts.Realm,
		faults:        newFaults(),
		baseURL:       "http://127.0.0.1",
		user:          opts.User,
		tokenLifetime: opts.AccessTokenLifetime,
		quota:         opts.Quota,
		shapes:        opts.Shapes,
		nodes:         map[uint64]*node{},
		devices:       map[string]*node{},
		sessions:      map[string]*session{},
		auth:          newAuthState(),
		dirty:         map[uint64]*node{},
		removed:       map[uint64]struct{}{},
		dirtySess:     map[string]*session{},
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.email == "" {
		s.email = "demo@example.org"
	}
	if s.realm == "" {
		s.realm = "jottacloud"
	}
	if s.tokenLifetime <= 0 {
		s.tokenLifetime = time.Hour
	}
	s.shaper.set(opts.Link)
	if opts.DataDir == "" {
		s.content = newMemStore()
		if s.user == "" {
			s.user = randomHex(12)
		}
		s.initJotta()
		s.commit()
		return s, nil
	}
	if err := s.open(opts.DataDir); err != nil {
		return nil, err
	}
	return s, nil
}

// initJotta creates the built-in device and its mount points.
func (s *Server) initJotta() {
	dev := s.newNode(nil, kindDevice, "Jotta")
	dev.DevType = "JOTTA"
	for _, mp := range []string{"Archive", "Shared", "Sync"} {
		s.newNode(dev, kindMount, mp)
	}
}

// SetBaseURL sets the URL clients reach the server at (no trailing slash).
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(u) > 0 && u[len(u)-1] == '/' {
		u = u[:len(u)-1]
	}
	s.baseURL = u
}

func (s *Server) base() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.baseURL
}

// User is the JFS username.
func (s *Server) User() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.user
}

// RefreshTokenRetired reports whether the refresh token rt was issued and
// has since been exchanged for a newer one, so that presenting it again
// revokes its session. A client killed after the server rotated its token
// and before it saved the new one holds such a token.
func (s *Server) RefreshTokenRetired(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.auth.Refresh[tokenKey(rt)]
	return rec != nil && rec.Retired
}

// SetAccessTokenLifetime changes expires_in for tokens issued from now on.
func (s *Server) SetAccessTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenLifetime = d
}

// SetQuota sets the account quota in bytes (0 or -1: unlimited).
func (s *Server) SetQuota(bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota = bytes
	s.metaDirty = true
	s.commit()
}

// Faults is the fault-injection switchboard.
func (s *Server) Faults() *Faults { return s.faults }

// Close flushes and closes persistence.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commit()
	if s.db == nil {
		return nil
	}
	db := s.db
	s.db = nil
	if err := db.Sync(); err != nil {
		db.Close()
		return fmt.Errorf("sync emulator state: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close emulator state: %w", err)
	}
	return nil
}

// Running is a server listening on a TCP address.
type Running struct {
	*Server
	URL  string
	http *http.Server
	done chan struct{}
}

// Start listens on addr ("" = 127.0.0.1:0), points the base URL at it and
// serves in the background until Close.
func Start(addr string, opts Options) (*Running, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	r := &Running{Server: s, URL: "http://" + ln.Addr().String(), done: make(chan struct{})}
	s.SetBaseURL(r.URL)
	r.http = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		defer close(r.done)
		if err := r.http.Serve(&linkListener{Listener: ln, shaper: &s.shaper}); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("emulator stopped serving", "err", err)
		}
	}()
	return r, nil
}

// Close stops serving (open connections are cut) and flushes the state.
func (r *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.http.Shutdown(ctx); err != nil {
		r.http.Close()
	}
	<-r.done
	return r.Server.Close()
}

// newNode creates a child of parent (nil: a device).
func (s *Server) newNode(parent *node, k kind, name string) *node {
	s.nextID++
	n := &node{ID: s.nextID, Kind: k, Name: name}
	if k == kindDevice {
		n.SID = randomUUID()
		n.Modified = s.nowSec()
		s.devices[fold(name)] = n
	} else {
		n.ParentID = parent.ID
		n.parent = parent
		if parent.children == nil {
			parent.children = map[string]*node{}
		}
		parent.children[fold(name)] = n
	}
	if k == kindMount {
		n.Modified = s.nowSec()
	}
	if k == kindFile {
		n.UUID = randomUUID()
	}
	s.nodes[n.ID] = n
	s.markDirty(n)
	s.metaDirty = true
	return n
}

func (s *Server) markDirty(n *node) {
	s.dirty[n.ID] = n
}

// addSize propagates a usage change from n up to its device.
func (s *Server) addSize(n *node, delta int64) {
	if delta == 0 {
		return
	}
	for x := n; x != nil; x = x.parent {
		x.size += delta
	}
	s.usage += delta
}

// changeRevs runs fn, which may change n's revisions, and keeps sizes in
// sync.
func (s *Server) changeRevs(n *node, fn func()) {
	before := n.currentSize()
	fn()
	s.addSize(n, n.currentSize()-before)
	s.markDirty(n)
}

// removeNode deletes n and its subtree permanently and reports how many
// folders and files went.
func (s *Server) removeNode(n *node) (folders, files int) {
	s.addSize(n, -n.size)
	n.size = 0
	n.walk(func(x *node) {
		if x.Kind == kindFile {
			files++
			for _, r := range x.Revs {
				if r.UploadID != "" {
					s.dropSession(r.UploadID)
				}
			}
		} else {
			folders++
		}
		delete(s.nodes, x.ID)
		delete(s.dirty, x.ID)
		s.removed[x.ID] = struct{}{}
	})
	if n.parent != nil {
		delete(n.parent.children, fold(n.Name))
	} else {
		delete(s.devices, fold(n.Name))
	}
	n.parent = nil
	return folders, files
}

// attach moves n under parent with a new name.
func (s *Server) attach(n, parent *node, name string) {
	s.addSize(n, -n.size)
	sz := n.size
	if n.parent != nil {
		delete(n.parent.children, fold(n.Name))
	}
	n.Name = name
	n.parent = parent
	n.ParentID = parent.ID
	if parent.children == nil {
		parent.children = map[string]*node{}
	}
	parent.children[fold(name)] = n
	n.size = 0
	s.addSize(n, sz)
	s.markDirty(n)
}

func randomHex(nbytes int) string {
	b := make([]byte, nbytes)
	_, _ = rand.Read(b) // never fails: crypto/rand aborts the process instead
	return hex.EncodeToString(b)
}

func randomUUID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}
