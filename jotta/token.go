package jotta

import (
	"context"
	"errors"
	"time"
)

// Token is the OAuth state of one signed-in session. The refresh token
// rotates on every refresh: the previous one becomes invalid, and presenting
// it again makes the server revoke the whole session.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry"`           // when AccessToken stops working
	TokenURL     string    `json:"token_url"`        // the OIDC token endpoint that issued it
	ClientID     string    `json:"client_id"`        // OAuth client id, "jottacli" for login-token sessions
	Issued       time.Time `json:"issued,omitempty"` // when the client received it; sizes the early-refresh margin
}

// String never reveals the secrets.
func (t *Token) String() string { return "jotta.Token{…}" }

// TokenStore persists the newest token. The client calls SaveToken with a
// rotated refresh token before it uses the access token that came with it,
// so a crash never leaves the store holding a spent refresh token.
type TokenStore interface {
	// LoadToken returns the newest persisted token, or ErrSignInRequired
	// (wrapped) when there is none.
	LoadToken(ctx context.Context) (*Token, error)
	// SaveToken durably replaces the persisted token.
	SaveToken(ctx context.Context, tok *Token) error
}

// TokenLocker is implemented by a TokenStore that is shared between
// processes. The client holds the lock around each refresh and reloads the
// token under it, so two processes never refresh the same refresh token.
type TokenLocker interface {
	LockToken(ctx context.Context) (unlock func(), err error)
}

// ErrSignInRequired reports that the session is gone (spent login token,
// stale or revoked refresh token, no stored token): the user must sign in
// again with a new personal login token. Test with errors.Is.
var ErrSignInRequired = errors.New("jotta: sign in again: the JottaCloud session is no longer valid; create a new personal login token in JottaCloud's web settings (Settings → Security) and run 'jotta login'")
