package creds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/zalando/go-keyring"

	"jottacloudclient/jotta"
)

const (
	// KeyringService and KeyringUser name the keyring item holding the session.
	KeyringService = "jottacloudclient"
	KeyringUser    = "session"

	tokenFileName = "session.json"
	lockFileName  = "session.lock"
	recordVersion = 1
)

// DefaultDir is os.UserConfigDir()/jottacloudclient, where the token file
// and the refresh lock live.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(d, "jottacloudclient"), nil
}

// record is what the store persists. Seq grows with every save, so when
// the keyring and the file both hold a session the newer one wins.
type record struct {
	Version  int          `json:"version"`
	Seq      uint64       `json:"seq"`
	Origin   Source       `json:"origin"`
	Username string       `json:"username,omitempty"`
	SavedAt  time.Time    `json:"saved_at"`
	Consumed string       `json:"consumed,omitempty"` // fingerprint of the netrc/env credential exchanged for this session
	Token    *jotta.Token `json:"token"`
}

// Info describes the stored session without its secrets, for 'jotta whoami'.
type Info struct {
	Backend  Source    // where the session lives now: SourceKeyring or SourceFile
	Origin   Source    // where it first came from: SourceLogin, SourceNetrc or SourceEnv
	Username string    // the account name given at sign-in, if known
	SavedAt  time.Time // when the newest refresh token was stored
	Expiry   time.Time // when the stored access token expires
}

// StoreOptions configures NewStore.
type StoreOptions struct {
	Dir     string       // token file and lock directory; "" means DefaultDir()
	Keyring Keyring      // nil means SystemKeyring{}
	Service string       // keyring service name; "" means KeyringService
	Logger  *slog.Logger // nil discards
}

// Store is the writable home of the session: the OS keyring when it works,
// otherwise a 0600 file in Dir. It implements jotta.TokenStore and
// jotta.TokenLocker; refreshes are serialised across the user's processes
// with a file lock in Dir.
type Store struct {
	dir  string
	kr   Keyring
	svc  string
	log  *slog.Logger
	sem  chan struct{} // serialises LockToken holders inside this process
	mu   sync.Mutex    // guards last
	last record        // metadata of the newest record seen, no secrets used

	fallbackNotice sync.Once
}

var (
	_ jotta.TokenStore  = (*Store)(nil)
	_ jotta.TokenLocker = (*Store)(nil)
)

// NewStore creates the directory (0700) if needed and returns the store.
func NewStore(opts StoreOptions) (*Store, error) {
	dir := opts.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create credentials directory: %w", err)
	}
	kr := opts.Keyring
	if kr == nil {
		kr = SystemKeyring{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc := opts.Service
	if svc == "" {
		svc = KeyringService
	}
	return &Store{dir: dir, kr: kr, svc: svc, log: log, sem: make(chan struct{}, 1)}, nil
}

// TokenFile is the path of the fallback token file.
func (s *Store) TokenFile() string { return filepath.Join(s.dir, tokenFileName) }

// LockFile is the path of the refresh lock.
func (s *Store) LockFile() string { return filepath.Join(s.dir, lockFileName) }

// LockToken takes the per-user refresh lock, waiting until it is free or
// ctx ends. The returned unlock is safe to call more than once.
func (s *Store) LockToken(ctx context.Context) (func(), error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the token lock: %w", ctx.Err())
	}
	fl := flock.New(s.LockFile(), flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		<-s.sem
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("wait for the token lock %s: %w", s.LockFile(), err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if err := fl.Unlock(); err != nil {
				s.log.Warn("release token lock", "path", s.LockFile(), "err", err)
			}
			<-s.sem
		})
	}, nil
}

// LoadToken returns the newest stored token, or an error matching
// jotta.ErrSignInRequired when none is stored.
func (s *Store) LoadToken(ctx context.Context) (*jotta.Token, error) {
	rec, _, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	return rec.Token, nil
}

// SaveToken durably stores tok as the newest session, keeping the origin
// and username of the session it replaces.
func (s *Store) SaveToken(ctx context.Context, tok *jotta.Token) error {
	s.mu.Lock()
	origin, user, consumed := s.last.Origin, s.last.Username, s.last.Consumed
	s.mu.Unlock()
	if origin == "" {
		origin = SourceLogin
	}
	return s.save(ctx, tok, origin, user, consumed)
}

// SaveSession stores a new session (after a login exchange) with where its
// credential came from and the account name, if known.
func (s *Store) SaveSession(ctx context.Context, tok *jotta.Token, origin Source, username string) error {
	return s.save(ctx, tok, origin, username, "")
}

func (s *Store) save(ctx context.Context, tok *jotta.Token, origin Source, username, consumed string) error {
	if tok == nil || tok.RefreshToken == "" {
		return errors.New("save session: the token has no refresh token")
	}
	// The sequence number must exceed every record this process has seen:
	// the keyring may be unreadable right now yet hold the previous record.
	s.mu.Lock()
	seq := s.last.Seq
	s.mu.Unlock()
	if rec, _, err := s.load(ctx); err == nil && rec.Seq > seq {
		seq = rec.Seq
	}
	rec := record{Version: recordVersion, Seq: seq + 1, Origin: origin, Username: username,
		SavedAt: time.Now().UTC(), Consumed: consumed, Token: tok}
	kerr := s.saveKeyring(ctx, rec)
	if kerr == nil {
		if err := os.Remove(s.TokenFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("remove the old token file; the keyring copy is newer and wins", "path", s.TokenFile(), "err", err)
		}
		s.remember(rec)
		return nil
	}
	s.fallbackNotice.Do(func() {
		// Said once: when the session first moves to the file. Later
		// saves to an existing file only log at debug level.
		lvl := slog.LevelWarn
		if _, err := os.Stat(s.TokenFile()); err == nil {
			lvl = slog.LevelDebug
		}
		s.log.Log(ctx, lvl, "the OS keyring is not available; the session is kept in a file only you can read",
			"path", s.TokenFile(), "keyring_err", kerr)
	})
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("save session: encode: %w", err)
	}
	if err := writeFileAtomic(s.TokenFile(), data); err != nil {
		return fmt.Errorf("save session: keyring failed (%v) and the token file failed: %w", kerr, err)
	}
	s.remember(rec)
	return nil
}

func (s *Store) saveKeyring(ctx context.Context, rec record) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	err = withKeyring(ctx, func() error { return s.kr.Set(s.svc, KeyringUser, string(data)) })
	if !errors.Is(err, keyring.ErrSetDataTooBig) {
		return err
	}
	// Windows' Credential Manager holds 2560 bytes: keep the refresh token
	// and drop the access token, which the client then refreshes.
	slim := *rec.Token
	slim.AccessToken, slim.Expiry = "", time.Unix(0, 0).UTC()
	rec.Token = &slim
	if data, err = json.Marshal(rec); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return withKeyring(ctx, func() error { return s.kr.Set(s.svc, KeyringUser, string(data)) })
}

// Info describes the stored session; it fails like LoadToken.
func (s *Store) Info(ctx context.Context) (Info, error) {
	rec, backend, err := s.load(ctx)
	if err != nil {
		return Info{}, err
	}
	return infoOf(rec, backend), nil
}

func infoOf(rec record, backend Source) Info {
	return Info{Backend: backend, Origin: rec.Origin, Username: rec.Username, SavedAt: rec.SavedAt, Expiry: rec.Token.Expiry}
}

// errNoSession is wrapped into the sign-in error when nothing is stored.
var errNoSession = errors.New("no stored session")

// load reads the keyring and the file and returns the newer record.
func (s *Store) load(ctx context.Context) (record, Source, error) {
	var (
		best    record
		backend Source
		found   bool
	)
	var raw string
	var unreadable error
	kerr := withKeyring(ctx, func() error {
		var err error
		raw, err = s.kr.Get(s.svc, KeyringUser)
		return err
	})
	switch {
	case kerr == nil:
		rec, err := decodeRecord([]byte(raw))
		if err != nil {
			return record{}, "", fmt.Errorf("the session in the OS keyring (%s/%s) is damaged; run 'jotta logout' and sign in again: %w",
				s.svc, KeyringUser, jotta.ErrSignInRequired)
		}
		best, backend, found = rec, SourceKeyring, true
	case errors.Is(kerr, keyring.ErrNotFound):
	case ctx.Err() != nil:
		return record{}, "", fmt.Errorf("read session: %w", ctx.Err())
	default:
		s.log.Debug("OS keyring not readable; trying the token file", "err", kerr)
		unreadable = kerr
	}

	data, err := os.ReadFile(s.TokenFile())
	switch {
	case err == nil:
		rec, derr := decodeRecord(data)
		if derr != nil {
			return record{}, "", fmt.Errorf("the token file %s is damaged; run 'jotta logout' and sign in again: %w",
				s.TokenFile(), jotta.ErrSignInRequired)
		}
		if !found || newer(rec, best) {
			best, backend, found = rec, SourceFile, true
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return record{}, "", fmt.Errorf("read token file: %w", err)
	}
	if !found {
		if unreadable != nil {
			return record{}, "", fmt.Errorf("%w (%w: %v): %w", errNoSession, ErrKeyringUnavailable, unreadable, jotta.ErrSignInRequired)
		}
		return record{}, "", fmt.Errorf("%w: %w", errNoSession, jotta.ErrSignInRequired)
	}
	s.remember(best)
	return best, backend, nil
}

// remember keeps the metadata of rec; the highest sequence number seen
// stays, so a later save outranks everything this process has read.
func (s *Store) remember(rec record) {
	s.mu.Lock()
	seq := max(s.last.Seq, rec.Seq)
	s.last = record{Seq: seq, Origin: rec.Origin, Username: rec.Username, Consumed: rec.Consumed}
	s.mu.Unlock()
}

// newer orders records by sequence number, then by save time.
func newer(a, b record) bool {
	if a.Seq != b.Seq {
		return a.Seq > b.Seq
	}
	return a.SavedAt.After(b.SavedAt)
}

func decodeRecord(data []byte) (record, error) {
	var rec record
	if err := json.Unmarshal(data, &rec); err != nil {
		return record{}, errors.New("not valid JSON")
	}
	if rec.Token == nil || rec.Token.RefreshToken == "" {
		return record{}, errors.New("no refresh token")
	}
	return rec, nil
}

// Delete removes the session from every place the app wrote it: the
// keyring item and the token file. It never touches ~/.netrc. It takes the
// refresh lock, so a refresh in flight finishes first; do not call it while
// holding LockToken. An unreachable keyring gives an error matching
// ErrKeyringUnavailable after the file is gone: an old item may remain.
func (s *Store) Delete(ctx context.Context) error {
	unlock, err := s.LockToken(ctx)
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	defer unlock()
	var errs []error
	kerr := withKeyring(ctx, func() error { return s.kr.Delete(s.svc, KeyringUser) })
	switch {
	case kerr == nil, errors.Is(kerr, keyring.ErrNotFound):
	case ctx.Err() != nil:
		errs = append(errs, fmt.Errorf("remove the keyring item: %w", ctx.Err()))
	default:
		// A keyring that cannot be reached now could still hold an old
		// session; say so rather than pretend everything is gone.
		errs = append(errs, fmt.Errorf("remove the keyring item %s/%s: %w: %w", s.svc, KeyringUser, ErrKeyringUnavailable, kerr))
	}
	if err := os.Remove(s.TokenFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf("remove token file: %w", err))
	}
	s.mu.Lock()
	s.last = record{Seq: s.last.Seq} // a later session still outranks anything left behind
	s.mu.Unlock()
	if len(errs) > 0 {
		return fmt.Errorf("sign out: %w", errors.Join(errs...))
	}
	return nil
}
