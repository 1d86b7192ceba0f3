package jotta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"jottacloudclient/jotta/api"
)

// ClientID is the OAuth client of personal-login-token sessions.
const ClientID = "jottacli"

// loginScope asks for an offline (non-expiring) refresh token.
const loginScope = "openid offline_access"

// refreshTimeout bounds one refresh. A refresh runs to completion even if
// the caller gives up: once the server has rotated the refresh token, the
// new one must reach the store or the session is lost.
const refreshTimeout = 2 * time.Minute

// Login exchanges a personal login token for a session: it reads the
// OIDC discovery document named in the token, then makes a password grant
// for client "jottacli". The login token is spent by this call. A nil
// httpClient uses a default one. An already used or wrong token gives an
// error matching ErrSignInRequired.
func Login(ctx context.Context, httpClient *http.Client, loginToken string) (*Token, error) {
	hc, err := checkHTTPClient(httpClient)
	if err != nil {
		return nil, err
	}
	lt, err := api.DecodeLoginToken(loginToken)
	if err != nil {
		return nil, fmt.Errorf("jotta: login: %w", err)
	}
	pc := newPacer(authRetry, nil)
	cfg, err := discover(ctx, hc, pc, lt.WellKnownLink)
	if err != nil {
		return nil, fmt.Errorf("jotta: login: %w", err)
	}
	form := url.Values{
		"grant_type": {"password"},
		"client_id":  {ClientID},
		"username":   {lt.Username},
		"password":   {lt.AuthToken},
		"scope":      {loginScope},
	}
	tr, err := postToken(ctx, hc, pc, cfg.TokenEndpoint, form)
	if errors.Is(err, ErrSignInRequired) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("jotta: login: %w", err)
	}
	tok := tokenFromResponse(tr, nil, time.Now())
	tok.TokenURL = cfg.TokenEndpoint
	tok.ClientID = ClientID
	return tok, nil
}

// authRetry is the policy of sign-in calls made without a Client (Login,
// RefreshToken): few attempts, since a person is waiting.
var authRetry = RetryPolicy{MaxAttempts: 3, MinBackoff: 250 * time.Millisecond, MaxThrottled: 4}

// discover fetches the OIDC discovery document (a GET, so any transient
// failure is retried).
func discover(ctx context.Context, hc *http.Client, pc *pacer, wellKnown string) (*api.OIDCConfiguration, error) {
	var cfg api.OIDCConfiguration
	err := pc.call(ctx, 0, func(ctx context.Context, _ int) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, wellKnown, nil)
		if err != nil {
			return false, fmt.Errorf("openid discovery: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return retryableNetErr(ctx, err), fmt.Errorf("openid discovery: %w", stripURL(err))
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return retryableStatus(resp.StatusCode), fmt.Errorf("openid discovery: %w", responseError(resp))
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&cfg); err != nil {
			return false, fmt.Errorf("openid discovery: unreadable document: %w", err)
		}
		if cfg.TokenEndpoint == "" {
			return false, errors.New("openid discovery: the document names no token endpoint")
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return &cfg, nil
}

// postToken makes one token-endpoint call. It is repeated only when the
// server cannot have acted on it (connection refused, 502/503/504/429): a
// token grant is not idempotent, since login tokens are single use and
// refresh tokens rotate. A lost reply surfaces as a network error; the
// calling request's own retry may then refresh again.
func postToken(ctx context.Context, hc *http.Client, pc *pacer, tokenURL string, form url.Values) (*api.TokenResponse, error) {
	if err := checkBaseURL(tokenURL); err != nil {
		return nil, fmt.Errorf("token endpoint: %w", err)
	}
	var tr api.TokenResponse
	err := pc.call(ctx, 0, func(ctx context.Context, _ int) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
		if err != nil {
			return false, fmt.Errorf("token request: %w", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return notSent(err) && ctx.Err() == nil, fmt.Errorf("token request: %w", stripURL(err))
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			apiErr := responseError(resp)
			if isInvalidGrant(apiErr) {
				return false, fmt.Errorf("%w (token endpoint: %w)", ErrSignInRequired, apiErr)
			}
			switch resp.StatusCode {
			case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
				return true, fmt.Errorf("token request: %w", apiErr)
			}
			return false, fmt.Errorf("token request: %w", apiErr)
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tr); err != nil {
			return false, errors.New("token request: unreadable token reply")
		}
		if tr.AccessToken == "" {
			return false, errors.New("token request: the reply holds no access token")
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return &tr, nil
}

// tokenFromResponse builds the Token for a reply; prev supplies what the
// reply leaves out (a refresh reply without a new refresh token keeps the
// old one, as OAuth allows).
func tokenFromResponse(tr *api.TokenResponse, prev *Token, now time.Time) *Token {
	t := &Token{AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken, Issued: now}
	if tr.ExpiresIn > 0 {
		t.Expiry = now.Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	if prev != nil {
		if t.RefreshToken == "" {
			t.RefreshToken = prev.RefreshToken
		}
		t.TokenURL, t.ClientID = prev.TokenURL, prev.ClientID
	}
	return t
}

// refreshMargin is how long before expiry a token counts as stale.
func refreshMargin(t *Token) time.Duration {
	const margin = 30 * time.Second
	if !t.Issued.IsZero() && !t.Expiry.IsZero() {
		return min(margin, t.Expiry.Sub(t.Issued)/4)
	}
	return margin
}

func (c *Client) fresh(t *Token) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	return t.Expiry.IsZero() || c.now().Add(refreshMargin(t)).Before(t.Expiry)
}

// currentToken returns the in-memory token, loading it from the store the
// first time.
func (c *Client) currentToken(ctx context.Context) (*Token, error) {
	c.tokMu.Lock()
	t := c.tok
	c.tokMu.Unlock()
	if t != nil {
		return t, nil
	}
	t, err := c.loadToken(ctx)
	if err != nil {
		return nil, err
	}
	c.tokMu.Lock()
	if c.tok == nil {
		c.tok = t
	}
	t = c.tok
	c.tokMu.Unlock()
	return t, nil
}

func (c *Client) loadToken(ctx context.Context) (*Token, error) {
	t, err := c.store.LoadToken(ctx)
	if err != nil {
		if errors.Is(err, ErrSignInRequired) {
			return nil, err
		}
		return nil, fmt.Errorf("jotta: load token: %w", err)
	}
	if t == nil || (t.RefreshToken == "" && t.AccessToken == "") {
		return nil, fmt.Errorf("jotta: no stored session: %w", ErrSignInRequired)
	}
	return t, nil
}

// accessToken returns a usable access token, refreshing first when the
// current one is about to expire.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	t, err := c.currentToken(ctx)
	if err != nil {
		return "", err
	}
	if c.fresh(t) {
		return t.AccessToken, nil
	}
	return c.refresh(ctx, t.AccessToken)
}

// Token returns the client's current token (for callers that show expiry
// or persist it elsewhere). It does not refresh.
func (c *Client) Token(ctx context.Context) (*Token, error) {
	t, err := c.currentToken(ctx)
	if err != nil {
		return nil, err
	}
	cp := *t
	return &cp, nil
}

// refresh replaces the access token stale (the one that expired or was
// refused) and returns the new one. Concurrent callers share one refresh.
func (c *Client) refresh(ctx context.Context, stale string) (string, error) {
	ch := c.sf.DoChan("refresh", func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		return c.doRefresh(rctx, stale)
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil
	}
}

func (c *Client) doRefresh(ctx context.Context, stale string) (string, error) {
	c.tokMu.Lock()
	cur := c.tok
	c.tokMu.Unlock()
	if cur != nil && cur.AccessToken != stale && c.fresh(cur) {
		return cur.AccessToken, nil // refreshed meanwhile in this process
	}
	if l, ok := c.store.(TokenLocker); ok {
		unlock, err := l.LockToken(ctx)
		if err != nil {
			return "", fmt.Errorf("jotta: lock token: %w", err)
		}
		defer unlock()
	}
	// Another process may have refreshed: the store holds the newest token.
	stored, err := c.loadToken(ctx)
	if err != nil {
		return "", err
	}
	if stored.AccessToken != stale && c.fresh(stored) {
		c.setToken(stored)
		c.log.Debug("jotta: using a token refreshed by another process")
		return stored.AccessToken, nil
	}
	if stored.RefreshToken == "" {
		return "", fmt.Errorf("jotta: the stored session has no refresh token: %w", ErrSignInRequired)
	}
	tokenURL := stored.TokenURL
	if tokenURL == "" {
		return "", fmt.Errorf("jotta: the stored session names no token endpoint: %w", ErrSignInRequired)
	}
	clientID := stored.ClientID
	if clientID == "" {
		clientID = ClientID
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {stored.RefreshToken},
		"client_id":     {clientID},
	}
	tr, err := postToken(ctx, c.hc, c.pacer, tokenURL, form)
	if err != nil {
		c.log.Warn("jotta: token refresh failed", "err", err)
		if errors.Is(err, ErrSignInRequired) {
			return "", err
		}
		return "", fmt.Errorf("jotta: refresh: %w", err)
	}
	nt := tokenFromResponse(tr, stored, c.now())
	if nt.ClientID == "" {
		nt.ClientID = clientID
	}
	// Persist the rotated refresh token before the new access token is used.
	if err := c.store.SaveToken(ctx, nt); err != nil {
		// Keep it in memory: the old refresh token is spent, so this is the
		// only copy; the next refresh will try to save again.
		c.setToken(nt)
		c.log.Error("jotta: could not save the rotated token", "err", err)
		return "", fmt.Errorf("jotta: save rotated token: %w", err)
	}
	c.setToken(nt)
	c.log.Debug("jotta: token refreshed", "expires", nt.Expiry)
	return nt.AccessToken, nil
}

func (c *Client) setToken(t *Token) {
	c.tokMu.Lock()
	c.tok = t
	c.tokMu.Unlock()
}

// DefaultTokenURL is the main brand's OIDC token endpoint, used for a bare
// refresh token that arrives without the session it belongs to.
const DefaultTokenURL = "https://id.jottacloud.com/auth/realms/jottacloud/protocol/openid-connect/token"

// IsLoginToken reports whether s decodes as a personal login token (as
// opposed to, say, a bare refresh token).
func IsLoginToken(s string) bool {
	_, err := api.DecodeLoginToken(s)
	return err == nil
}

// RefreshToken turns a bare refresh token into a session with one refresh
// grant at tokenURL (DefaultTokenURL if empty). The refresh token given is
// spent: persist the returned token before using it. A stale or revoked
// token gives an error matching ErrSignInRequired.
func RefreshToken(ctx context.Context, httpClient *http.Client, tokenURL, refreshToken string) (*Token, error) {
	hc, err := checkHTTPClient(httpClient)
	if err != nil {
		return nil, err
	}
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	if strings.TrimSpace(refreshToken) == "" {
		return nil, fmt.Errorf("jotta: empty refresh token: %w", ErrSignInRequired)
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {strings.TrimSpace(refreshToken)},
		"client_id":     {ClientID},
	}
	tr, err := postToken(ctx, hc, newPacer(authRetry, nil), tokenURL, form)
	if errors.Is(err, ErrSignInRequired) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("jotta: refresh: %w", err)
	}
	prev := &Token{RefreshToken: refreshToken, TokenURL: tokenURL, ClientID: ClientID}
	return tokenFromResponse(tr, prev, time.Now()), nil
}
