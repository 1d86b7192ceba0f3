package api

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

const wellKnown = "https://id.jottacloud.com/auth/realms/jottacloud/.well-known/openid-configuration"

func TestDecodeLoginToken(t *testing.T) {
	snake := `{"username":"jdoe@example.org","realm":"jottacloud","well_known_link":"` + wellKnown + `","auth_token":"Xk3secret9Q"}`
	camel := `{"username":"jdoe@example.org","realm":"jottacloud","wellKnownLink":"` + wellKnown + `","auth_token":"Xk3secret9Q"}`
	// Bytes chosen so the encodings contain '-' '_' (URL) or '+' '/' (std).
	odd := `{"username":"j??>>~~","realm":"jottacloud","well_known_link":"` + wellKnown + `","auth_token":"Xk3secret9Q"}`
	cases := []struct {
		name string
		in   string
		user string
		err  bool
	}{
		{"rawurl", base64.RawURLEncoding.EncodeToString([]byte(snake)), "jdoe@example.org", false},
		{"padded url", base64.URLEncoding.EncodeToString([]byte(snake + " ")), "jdoe@example.org", false},
		{"std with specials", base64.StdEncoding.EncodeToString([]byte(odd)), "j??>>~~", false},
		{"rawurl with specials", base64.RawURLEncoding.EncodeToString([]byte(odd)), "j??>>~~", false},
		{"camelCase", base64.RawURLEncoding.EncodeToString([]byte(camel)), "jdoe@example.org", false},
		{"surrounding whitespace and line breaks", "  " + wrap(base64.RawURLEncoding.EncodeToString([]byte(snake))) + "\n", "jdoe@example.org", false},
		{"empty", "", "", true},
		{"not base64", "this is not a token!", "", true},
		{"not json", base64.RawURLEncoding.EncodeToString([]byte("hello")), "", true},
		{"no auth token", base64.RawURLEncoding.EncodeToString([]byte(`{"well_known_link":"` + wellKnown + `"}`)), "", true},
		{"no link", base64.RawURLEncoding.EncodeToString([]byte(`{"auth_token":"x"}`)), "", true},
		{"link not a URL", base64.RawURLEncoding.EncodeToString([]byte(`{"auth_token":"x","well_known_link":"ftp:nothing"}`)), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok, err := DecodeLoginToken(c.in)
			if (err != nil) != c.err {
				t.Fatalf("err = %v", err)
			}
			if c.err {
				if !errors.Is(err, ErrBadLoginToken) {
					t.Errorf("error %v does not match ErrBadLoginToken", err)
				}
				if strings.Contains(err.Error(), "Xk3secret9Q") {
					t.Error("error leaks the secret")
				}
				return
			}
			if tok.Username != c.user || tok.WellKnownLink != wellKnown || tok.AuthToken != "Xk3secret9Q" {
				t.Errorf("token = %v", tok)
			}
			if strings.Contains(tok.String(), "Xk3secret9Q") {
				t.Error("String leaks the secret")
			}
		})
	}
}

func wrap(s string) string {
	var b strings.Builder
	for len(s) > 20 {
		b.WriteString(s[:20] + "\n")
		s = s[20:]
	}
	b.WriteString(s)
	return b.String()
}

func FuzzDecodeLoginToken(f *testing.F) {
	tok, _ := EncodeLoginToken(LoginToken{Username: "u", Realm: "r", WellKnownLink: wellKnown, AuthToken: "secret"})
	f.Add(tok)
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"auth_token":"a","wellKnownLink":"http://x/y"}`)))
	f.Add("")
	f.Add("====")
	f.Add("e30")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := DecodeLoginToken(s)
		if err != nil {
			if !errors.Is(err, ErrBadLoginToken) {
				t.Fatalf("error %v is not ErrBadLoginToken", err)
			}
			return
		}
		if got.AuthToken == "" || got.WellKnownLink == "" {
			t.Fatalf("accepted an incomplete token %v", got)
		}
		// Re-encoding and decoding must give the same token.
		enc, err := EncodeLoginToken(got)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeLoginToken(enc)
		if err != nil || again != got {
			t.Fatalf("round trip: %v %v", again, err)
		}
	})
}
