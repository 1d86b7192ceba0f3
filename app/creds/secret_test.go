package creds

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestNewSecretClassifies(t *testing.T) {
	login := testLoginToken(t, "alice@example.org", "auth-123")
	cases := []struct {
		name     string
		value    string
		wantKind Kind
		wantUser string
		wantErr  error
	}{
		{name: "login token raw url base64", value: login, wantKind: KindLoginToken, wantUser: "alice@example.org"},
		{name: "login token with surrounding space", value: "  " + login + "\n", wantKind: KindLoginToken, wantUser: "alice@example.org"},
		{name: "jwt refresh token", value: testRefreshToken, wantKind: KindRefreshToken},
		{name: "opaque long refresh token", value: "0123456789abcdef0123456789abcdef", wantKind: KindRefreshToken},
		{name: "short password", value: "hunter2", wantErr: ErrPasswordLogin},
		{name: "long password with punctuation", value: "correct horse battery staple!", wantErr: ErrPasswordLogin},
		{name: "empty", value: "", wantErr: errEmptyToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSecret(SourceEnv, "", tc.value)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if tc.value != "" && strings.Contains(err.Error(), tc.value) {
					t.Errorf("error reveals the value: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind != tc.wantKind || s.Username != tc.wantUser {
				t.Errorf("got kind %v user %q, want %v %q", s.Kind, s.Username, tc.wantKind, tc.wantUser)
			}
		})
	}
}

func TestSecretNeverFormatsItsValue(t *testing.T) {
	s, err := NewSecret(SourceNetrc, "alice", testRefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
		t.Run(verb, func(t *testing.T) {
			out := fmt.Sprintf(verb, s)
			if strings.Contains(out, testRefreshToken) || strings.Contains(out, fmt.Sprintf("%x", testRefreshToken)) {
				t.Errorf("%s reveals the secret: %s", verb, out)
			}
			ptr := fmt.Sprintf(verb, &s)
			if strings.Contains(ptr, testRefreshToken) {
				t.Errorf("%s of a pointer reveals the secret: %s", verb, ptr)
			}
		})
	}
	if s.Reveal() != testRefreshToken {
		t.Error("Reveal does not return the value")
	}
}
