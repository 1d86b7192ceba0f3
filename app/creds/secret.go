package creds

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Kind says what a credential string read from ~/.netrc or the environment
// is.
type Kind int

const (
	// KindLoginToken is a personal login token from JottaCloud's web
	// settings: single use, exchanged once for a session.
	KindLoginToken Kind = iota + 1
	// KindRefreshToken is an OAuth refresh token of an existing session.
	KindRefreshToken
)

func (k Kind) String() string {
	switch k {
	case KindLoginToken:
		return "personal login token"
	case KindRefreshToken:
		return "refresh token"
	default:
		return "unknown credential"
	}
}

// Secret is a credential read from ~/.netrc or the environment, waiting to
// be exchanged for a session. Its value is only available through Reveal;
// every formatted form of a Secret is redacted.
type Secret struct {
	Kind     Kind
	Source   Source // SourceNetrc or SourceEnv
	Username string // the netrc login or the login token's username, if known
	value    string
}

// NewSecret classifies value and wraps it. It fails with ErrPasswordLogin
// when the value looks like an account password rather than a token.
func NewSecret(src Source, username, value string) (Secret, error) {
	value = strings.TrimSpace(value)
	kind, tokenUser, err := classify(value)
	if err != nil {
		return Secret{}, err
	}
	if username == "" {
		username = tokenUser
	}
	return Secret{Kind: kind, Source: src, Username: username, value: value}, nil
}

// Reveal returns the secret value, for the login exchange only.
func (s Secret) Reveal() string { return s.value }

// String never reveals the value.
func (s Secret) String() string {
	return fmt.Sprintf("creds.Secret{%s from %s, user %q, value redacted}", s.Kind, s.Source, s.Username)
}

// GoString keeps %#v redacted too.
func (s Secret) GoString() string { return s.String() }

// Format keeps every verb (%v, %+v, %s, %q, %x) redacted.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, s.String()) }

// fingerprint identifies the secret without revealing it: the first 16
// bytes of its SHA-256, hex.
func (s Secret) fingerprint() string {
	sum := sha256.Sum256([]byte(s.value))
	return hex.EncodeToString(sum[:16])
}

// loginTokenBody is the JSON inside a personal login token.
type loginTokenBody struct {
	Username      string `json:"username"`
	Realm         string `json:"realm"`
	WellKnownLink string `json:"well_known_link"`
	WellKnownAlt  string `json:"wellKnownLink"`
	AuthToken     string `json:"auth_token"`
}

// classify tells a personal login token (base64 of a JSON object with an
// auth_token) from a refresh token (a JWT or another long opaque string)
// and rejects what looks like a password.
func classify(v string) (Kind, string, error) {
	if v == "" {
		return 0, "", fmt.Errorf("empty credential: %w", errEmptyToken)
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		raw, err := enc.DecodeString(v)
		if err != nil {
			continue
		}
		var body loginTokenBody
		if json.Unmarshal(raw, &body) == nil && body.AuthToken != "" {
			return KindLoginToken, body.Username, nil
		}
	}
	if looksLikeToken(v) {
		return KindRefreshToken, "", nil
	}
	return 0, "", ErrPasswordLogin
}

// looksLikeToken accepts JWTs and long opaque strings made of URL-safe or
// base64 characters. Passwords are usually shorter or contain other
// punctuation.
func looksLikeToken(v string) bool {
	if len(v) < 20 {
		return false
	}
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("-_.~+/=", r):
		default:
			return false
		}
	}
	return true
}
