package creds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"jottacloudclient/jotta"
)

// Environment variables the chain reads.
const (
	EnvToken    = "JOTTACLOUD_TOKEN"    // a personal login token or a refresh token
	EnvUsername = "JOTTACLOUD_USERNAME" // the seed's; recognised, passwords are refused
	EnvPassword = "JOTTACLOUD_PASSWORD" // the seed's; recognised, passwords are refused
)

// Exchange turns a credential from ~/.netrc or the environment into a
// session: for a personal login token the OIDC password grant (see
// jotta.Login), for a refresh token one refresh. It is called at most once
// per credential; the result is persisted before Resolve returns.
type Exchange func(ctx context.Context, s Secret) (*jotta.Token, error)

// Chain looks for credentials in order: the writable store (OS keyring,
// then the token file), ~/.netrc, the environment.
type Chain struct {
	Store     *Store
	NetrcPath string              // "" means DefaultNetrcPath()
	Getenv    func(string) string // nil means os.Getenv
	Logger    *slog.Logger        // nil discards
}

func (c *Chain) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c.Logger
}

func (c *Chain) getenv(k string) string {
	if c.Getenv == nil {
		return os.Getenv(k)
	}
	return c.Getenv(k)
}

// Resolve makes sure a session is stored and says where it came from. A
// stored session wins. Otherwise the token from ~/.netrc or
// JOTTACLOUD_TOKEN is exchanged once under the refresh lock, so two
// processes starting together never both spend a single-use login token,
// and the resulting session is stored before Resolve returns. From then on
// the Store serves it, unless a different token later appears in the
// place the session came from (a user replacing a revoked session's token
// in ~/.netrc): that one is exchanged and replaces the session. With
// nothing found the error matches jotta.ErrSignInRequired (and is
// ErrNoCredentials).
func (c *Chain) Resolve(ctx context.Context, exchange Exchange) (Info, error) {
	if c.Store == nil {
		return Info{}, errors.New("resolve credentials: no store")
	}
	unlock, err := c.Store.LockToken(ctx)
	if err != nil {
		return Info{}, fmt.Errorf("resolve credentials: %w", err)
	}
	defer unlock()

	rec, backend, err := c.Store.load(ctx)
	if err == nil {
		if info, replaced := c.replaceIfNew(ctx, rec, exchange); replaced {
			return info, nil
		}
		return infoOf(rec, backend), nil
	}
	if !errors.Is(err, errNoSession) {
		return Info{}, err
	}
	// A keyring that cannot be read may hold the session: say so when the
	// fallbacks do not help either.
	var hint error
	if errors.Is(err, ErrKeyringUnavailable) {
		hint = fmt.Errorf("if you signed in before, the session may be in the keyring (%w)", ErrKeyringUnavailable)
	}
	sec, ok, err := c.External()
	if err != nil {
		return Info{}, err
	}
	if !ok {
		if hint != nil {
			return Info{}, fmt.Errorf("%w; %w", ErrNoCredentials, hint)
		}
		return Info{}, ErrNoCredentials
	}
	if exchange == nil {
		return Info{}, errors.New("resolve credentials: no exchange function")
	}
	info, err := c.exchange(ctx, sec, exchange)
	if err != nil && hint != nil {
		return Info{}, fmt.Errorf("%w; %w", err, hint)
	}
	return info, err
}

func (c *Chain) exchange(ctx context.Context, sec Secret, exchange Exchange) (Info, error) {
	c.logger().Info("signing in with a credential", "kind", sec.Kind.String(), "source", string(sec.Source))
	tok, err := exchange(ctx, sec)
	if err != nil {
		return Info{}, fmt.Errorf("sign in with the %s from %s: %w", sec.Kind, describeSource(sec.Source), err)
	}
	if err := c.Store.save(ctx, tok, sec.Source, sec.Username, sec.fingerprint()); err != nil {
		return Info{}, fmt.Errorf("sign in with the %s from %s: %w", sec.Kind, describeSource(sec.Source), err)
	}
	return c.Store.Info(ctx)
}

// replaceIfNew handles a user who put a new token where the stored session
// came from (typically after the old session was revoked): the new
// credential is exchanged and replaces the session. Tokens the session
// already came from, and credentials in other places, are left alone; a
// failed exchange keeps the stored session.
func (c *Chain) replaceIfNew(ctx context.Context, rec record, exchange Exchange) (Info, bool) {
	if exchange == nil || (rec.Origin != SourceNetrc && rec.Origin != SourceEnv) {
		return Info{}, false
	}
	sec, ok, err := c.External()
	if err != nil || !ok || sec.Source != rec.Origin || sec.fingerprint() == rec.Consumed {
		return Info{}, false
	}
	info, err := c.exchange(ctx, sec, exchange)
	if err != nil {
		c.logger().Warn("a new credential was found but could not be used; keeping the stored session",
			"source", string(sec.Source), "err", err)
		return Info{}, false
	}
	return info, true
}

// External looks in ~/.netrc, then the environment, without touching the
// store. ok is false when neither holds a JottaCloud credential. The seed's
// JOTTACLOUD_USERNAME/JOTTACLOUD_PASSWORD give ErrPasswordLogin.
func (c *Chain) External() (Secret, bool, error) {
	path := c.NetrcPath
	if path == "" {
		p, err := DefaultNetrcPath()
		if err != nil {
			c.logger().Debug("no netrc path", "err", err)
		}
		path = p
	}
	if path != "" {
		s, ok, err := readNetrcSecret(path)
		if err != nil {
			return Secret{}, false, err
		}
		if ok {
			return s, true, nil
		}
	}
	if v := c.getenv(EnvToken); v != "" {
		s, err := NewSecret(SourceEnv, c.getenv(EnvUsername), v)
		if err != nil {
			return Secret{}, false, fmt.Errorf("%s: %w", EnvToken, err)
		}
		return s, true, nil
	}
	if c.getenv(EnvUsername) != "" || c.getenv(EnvPassword) != "" {
		return Secret{}, false, fmt.Errorf("%s/%s are set: %w", EnvUsername, EnvPassword, ErrPasswordLogin)
	}
	return Secret{}, false, nil
}

func describeSource(s Source) string {
	switch s {
	case SourceNetrc:
		return "~/.netrc"
	case SourceEnv:
		return EnvToken
	default:
		return string(s)
	}
}

// Login signs in with a token the user typed or pasted ('jotta login', the
// settings window): a personal login token or a refresh token. It is
// exchanged under the refresh lock and replaces any stored session.
func (s *Store) Login(ctx context.Context, token string, exchange Exchange) (Info, error) {
	sec, err := NewSecret(SourceLogin, "", token)
	if err != nil {
		return Info{}, fmt.Errorf("sign in: %w", err)
	}
	if exchange == nil {
		return Info{}, errors.New("sign in: no exchange function")
	}
	unlock, err := s.LockToken(ctx)
	if err != nil {
		return Info{}, fmt.Errorf("sign in: %w", err)
	}
	defer unlock()
	tok, err := exchange(ctx, sec)
	if err != nil {
		return Info{}, fmt.Errorf("sign in with the %s: %w", sec.Kind, err)
	}
	if err := s.save(ctx, tok, SourceLogin, sec.Username, ""); err != nil {
		return Info{}, fmt.Errorf("sign in: %w", err)
	}
	return s.Info(ctx)
}
