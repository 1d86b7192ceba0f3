package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// LoginToken is the decoded personal login token a user generates in
// JottaCloud's web settings. AuthToken is a single-use secret.
type LoginToken struct {
	Username      string `json:"username"`
	Realm         string `json:"realm"`
	WellKnownLink string `json:"well_known_link"`
	AuthToken     string `json:"auth_token"`
}

// String never reveals the secret.
func (t LoginToken) String() string {
	return fmt.Sprintf("api.LoginToken{Username:%q, Realm:%q, WellKnownLink:%q}", t.Username, t.Realm, t.WellKnownLink)
}

// ErrBadLoginToken reports a string that is not a personal login token.
var ErrBadLoginToken = errors.New("not a JottaCloud personal login token; copy the whole token from JottaCloud's web settings (Settings → Security → Personal login token)")

// loginTokenJSON also accepts the camelCase spelling some clients emit.
type loginTokenJSON struct {
	LoginToken
	WellKnownLinkCamel string `json:"wellKnownLink"`
	AuthTokenCamel     string `json:"authToken"`
}

// DecodeLoginToken decodes a personal login token: base64url JSON without
// padding, leniently also padded or standard base64, surrounding
// whitespace and camelCase field names. Errors never contain the token.
func DecodeLoginToken(s string) (LoginToken, error) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return LoginToken{}, fmt.Errorf("api: empty login token: %w", ErrBadLoginToken)
	}
	raw, err := decodeBase64Lenient(s)
	if err != nil {
		return LoginToken{}, fmt.Errorf("api: login token is not base64: %w", ErrBadLoginToken)
	}
	var v loginTokenJSON
	if err := json.Unmarshal(raw, &v); err != nil {
		return LoginToken{}, fmt.Errorf("api: login token does not hold JSON: %w", ErrBadLoginToken)
	}
	t := v.LoginToken
	if t.WellKnownLink == "" {
		t.WellKnownLink = v.WellKnownLinkCamel
	}
	if t.AuthToken == "" {
		t.AuthToken = v.AuthTokenCamel
	}
	switch {
	case t.AuthToken == "":
		return LoginToken{}, fmt.Errorf("api: login token lacks auth_token: %w", ErrBadLoginToken)
	case t.WellKnownLink == "":
		return LoginToken{}, fmt.Errorf("api: login token lacks well_known_link: %w", ErrBadLoginToken)
	}
	u, err := url.Parse(t.WellKnownLink)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return LoginToken{}, fmt.Errorf("api: login token has an unusable well_known_link: %w", ErrBadLoginToken)
	}
	return t, nil
}

func decodeBase64Lenient(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// EncodeLoginToken is the inverse of DecodeLoginToken in the canonical
// form (RawURL base64 of snake_case JSON).
func EncodeLoginToken(t LoginToken) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
