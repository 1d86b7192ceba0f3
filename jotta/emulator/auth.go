package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// ClientID is the OAuth client the personal-login-token flow uses.
const ClientID = "jottacli"

// authState is the OIDC provider's memory. Tokens are keyed by their
// SHA-256 so the persisted state holds no usable secret.
type authState struct {
	Login    map[string]*loginRec   `json:"login"`
	Families map[string]*family     `json:"families"`
	Refresh  map[string]*refreshRec `json:"refresh"`
	Access   map[string]*accessRec  `json:"access"`
}

type loginRec struct {
	Spent bool `json:"spent"`
}

type family struct {
	Revoked bool `json:"revoked"`
}

type refreshRec struct {
	Family  string `json:"family"`
	Retired bool   `json:"retired"`
}

type accessRec struct {
	Family string    `json:"family"`
	Expiry time.Time `json:"expiry"`
}

func newAuthState() *authState {
	a := &authState{}
	a.reindex()
	return a
}

// reindex makes sure every map exists after decoding.
func (a *authState) reindex() {
	if a.Login == nil {
		a.Login = map[string]*loginRec{}
	}
	if a.Families == nil {
		a.Families = map[string]*family{}
	}
	if a.Refresh == nil {
		a.Refresh = map[string]*refreshRec{}
	}
	if a.Access == nil {
		a.Access = map[string]*accessRec{}
	}
}

// prune forgets expired access tokens.
func (a *authState) prune(now time.Time) {
	for k, v := range a.Access {
		if now.After(v.Expiry) {
			delete(a.Access, k)
		}
	}
}

func tokenKey(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// loginToken is the decoded personal login token.
type loginToken struct {
	Username      string `json:"username"`
	Realm         string `json:"realm"`
	WellKnownLink string `json:"well_known_link"`
	AuthToken     string `json:"auth_token"`
}

// MintLoginToken returns a fresh single-use personal login token for this
// server, as the web UI would hand it out.
func (s *Server) MintLoginToken() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	secret := randomHex(24)
	raw, err := json.Marshal(loginToken{
		Username:      s.email,
		Realm:         s.realm,
		WellKnownLink: s.baseURL + "/auth/realms/" + s.realm + "/.well-known/openid-configuration",
		AuthToken:     secret,
	})
	if err != nil {
		return "", fmt.Errorf("encode login token: %w", err)
	}
	s.auth.Login[tokenKey(secret)] = &loginRec{}
	s.authDirty = true
	s.commit()
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// RevokeSessions revokes every session server-side; refreshes then fail
// with invalid_grant and access tokens with 401.
func (s *Server) RevokeSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.auth.Families {
		if !f.Revoked {
			f.Revoked = true
			s.stats.add(func(st *Stats) { st.Revocations++ })
		}
	}
	s.authDirty = true
	s.commit()
}

// ExpireAccessTokens makes every access token issued so far invalid.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := time.Now().Add(-time.Second)
	for _, a := range s.auth.Access {
		a.Expiry = past
	}
	s.authDirty = true
	s.commit()
}

// fakeJWT builds a token shaped like Keycloak's (header.payload.signature);
// the signature is random, the claims are informative.
func fakeJWT(claims map[string]any) string {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	body, _ := json.Marshal(claims) // a map of plain values always encodes
	sig := base64.RawURLEncoding.EncodeToString([]byte(randomHex(32)))
	return hdr + "." + base64.RawURLEncoding.EncodeToString(body) + "." + sig
}

// issue creates an access and refresh token in family fam. Caller holds s.mu.
func (s *Server) issue(fam string, scope string) map[string]any {
	now := time.Now()
	exp := now.Add(s.tokenLifetime)
	issuer := s.baseURL + "/auth/realms/" + s.realm
	at := fakeJWT(map[string]any{
		"exp": exp.Unix(), "iat": now.Unix(), "jti": randomUUID(), "iss": issuer,
		"sub": "f:" + s.realm + ":" + s.user, "typ": "Bearer", "azp": ClientID,
		"session_state": fam, "scope": scope, "preferred_username": s.user, "email": s.email,
	})
	rt := fakeJWT(map[string]any{
		"iat": now.Unix(), "jti": randomUUID(), "iss": issuer, "sub": "f:" + s.realm + ":" + s.user,
		"typ": "Offline", "azp": ClientID, "session_state": fam, "scope": scope,
	})
	s.auth.Access[tokenKey(at)] = &accessRec{Family: fam, Expiry: exp}
	s.auth.Refresh[tokenKey(rt)] = &refreshRec{Family: fam}
	s.authDirty = true
	secs := int64(s.tokenLifetime / time.Second)
	if secs < 1 {
		secs = 1
	}
	return map[string]any{
		"access_token":       at,
		"expires_in":         secs,
		"refresh_expires_in": 0,
		"refresh_token":      rt,
		"token_type":         "Bearer",
		"id_token":           fakeJWT(map[string]any{"sub": "f:" + s.realm + ":" + s.user, "iat": now.Unix()}),
		"not-before-policy":  0,
		"session_state":      fam,
		"scope":              scope,
	}
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// handleToken is the OIDC token endpoint: password grant with a personal
// login token, and refresh with rotation and reuse detection.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "HTTP method not allowed")
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	form := r.PostForm
	clientID := form.Get("client_id")
	if u, _, ok := r.BasicAuth(); ok {
		if clientID != "" && clientID != u {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "client id in body and header differ")
			return
		}
		clientID = u
	}
	if clientID == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client", "Missing parameter: client_id")
		return
	}
	if clientID != ClientID {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client credentials")
		return
	}
	grant := form.Get("grant_type")
	switch grant {
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Missing form parameter: grant_type")
	case "password":
		s.passwordGrant(w, form.Get("username"), form.Get("password"), form.Get("scope"))
	case "refresh_token":
		s.refreshGrant(w, form.Get("refresh_token"), form.Get("scope"))
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type")
	}
}

func normScope(scope string) string {
	if strings.TrimSpace(scope) == "" {
		return "openid email offline_access"
	}
	return strings.Join(strings.FieldsFunc(scope, func(r rune) bool { return r == ' ' || r == '+' }), " ")
}

func (s *Server) passwordGrant(w http.ResponseWriter, username, password, scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.auth.Login[tokenKey(password)]
	if rec == nil || rec.Spent || !strings.EqualFold(username, s.email) {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_grant", "Invalid user credentials")
		return
	}
	rec.Spent = true
	fam := randomUUID()
	s.auth.Families[fam] = &family{}
	body := s.issue(fam, normScope(scope))
	s.commit()
	s.stats.add(func(st *Stats) { st.LoginExchanges++ })
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) refreshGrant(w http.ResponseWriter, rt, scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Missing parameter: refresh_token")
		return
	}
	rec := s.auth.Refresh[tokenKey(rt)]
	if rec == nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Invalid refresh token")
		return
	}
	fam := s.auth.Families[rec.Family]
	if fam == nil || fam.Revoked {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Stale token")
		return
	}
	if rec.Retired {
		fam.Revoked = true
		s.authDirty = true
		s.commit()
		s.stats.add(func(st *Stats) { st.Revocations++ })
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Stale token")
		return
	}
	rec.Retired = true
	body := s.issue(rec.Family, normScope(scope))
	s.commit()
	s.stats.add(func(st *Stats) { st.Refreshes++ })
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

// bearerOK reports whether r carries a live access token.
func (s *Server) bearerOK(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	tok := strings.TrimSpace(h[len(prefix):])
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.auth.Access[tokenKey(tok)]
	if a == nil || time.Now().After(a.Expiry) {
		return false
	}
	f := s.auth.Families[a.Family]
	return f != nil && !f.Revoked
}

// handleDiscovery serves the OIDC discovery document.
func (s *Server) handleDiscovery(w http.ResponseWriter) {
	base := s.base()
	iss := base + "/auth/realms/" + s.realm
	oidc := iss + "/protocol/openid-connect"
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                oidc + "/auth",
		"token_endpoint":                        oidc + "/token",
		"token_introspection_endpoint":          oidc + "/token/introspect",
		"introspection_endpoint":                oidc + "/token/introspect",
		"userinfo_endpoint":                     oidc + "/userinfo",
		"end_session_endpoint":                  oidc + "/logout",
		"jwks_uri":                              oidc + "/certs",
		"check_session_iframe":                  oidc + "/login-status-iframe.html",
		"grant_types_supported":                 []string{"authorization_code", "implicit", "refresh_token", "password", "client_credentials"},
		"response_types_supported":              []string{"code", "none", "id_token", "token", "id_token token", "code id_token", "code token", "code id_token token"},
		"subject_types_supported":               []string{"public", "pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt", "client_secret_basic", "client_secret_post", "client_secret_jwt"},
		"scopes_supported":                      []string{"openid", "offline_access", "email", "profile", "jotta-default"},
		"claims_supported":                      []string{"sub", "iss", "auth_time", "name", "given_name", "family_name", "preferred_username", "email"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
		"registration_endpoint":                 iss + "/clients-registrations/openid-connect",
	})
}

func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	if !s.bearerOK(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.realm+`", error="invalid_token"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "Token verification failed")
		return
	}
	user := s.User()
	writeJSON(w, http.StatusOK, map[string]any{
		"sub": "f:" + s.realm + ":" + user, "email_verified": true, "name": "Demo User",
		"realm": s.realm, "preferred_username": user, "given_name": "Demo", "family_name": "User",
		"email": s.email, "username": user,
	})
}

func (s *Server) handleCustomer(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeAPIError(w, http.StatusMethodNotAllowed, "MethodNotAllowedException", "Method not allowed")
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"username": s.user, "email": s.email, "name": "Demo User", "country_code": "NO",
		"language_code": "en", "customer_group_code": "JOTTA", "brand_code": "JOTTA",
		"account_type": s.accountType(), "subscription_type": "MONTHLY",
		"usage": s.usage, "quota": s.quotaOrUnlimited(), "business_usage": 0, "business_quota": 0,
		"write_locked": s.overQuota(), "read_locked": false, "locked_cause": nil,
		"web_hash": "", "android_hash": "", "ios_hash": "",
	})
}

func (s *Server) accountType() string {
	if s.quota > 0 {
		return "free"
	}
	return "unlimited"
}

func (s *Server) quotaOrUnlimited() int64 {
	if s.quota > 0 {
		return s.quota
	}
	return -1
}

// overQuota: usage reached the quota. Caller holds s.mu.
func (s *Server) overQuota() bool { return s.quota > 0 && s.usage >= s.quota }

// wouldExceed: storing extra more bytes would pass the quota.
func (s *Server) wouldExceed(extra int64) bool { return s.quota > 0 && s.usage+extra > s.quota }
