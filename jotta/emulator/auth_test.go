package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

func TestDiscoveryFromLoginToken(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	s, err := e.run.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	lt := decodeLogin(t, s)
	if lt.Realm != "jottacloud" || lt.Username != "demo@example.org" || lt.AuthToken == "" {
		t.Fatalf("login token fields: %+v", lt)
	}
	if !strings.HasPrefix(lt.WellKnownLink, e.url+"/") {
		t.Fatalf("well_known_link %q does not point at %s", lt.WellKnownLink, e.url)
	}
	resp, err := http.Get(lt.WellKnownLink)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"issuer":                 e.url + "/auth/realms/jottacloud",
		"token_endpoint":         e.url + "/auth/realms/jottacloud/protocol/openid-connect/token",
		"userinfo_endpoint":      e.url + "/auth/realms/jottacloud/protocol/openid-connect/userinfo",
		"authorization_endpoint": e.url + "/auth/realms/jottacloud/protocol/openid-connect/auth",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %s", k, doc[k], v)
		}
	}
}

func TestLoginTokenIsSingleUse(t *testing.T) {
	e := newEnv(t, emulator.Options{AccessTokenLifetime: 2 * time.Second})
	s, _ := e.run.MintLoginToken()
	lt := decodeLogin(t, s)
	st, tr := e.passwordGrant(lt)
	if st != http.StatusOK || tr.AccessToken == "" || tr.RefreshToken == "" {
		t.Fatalf("first exchange: %d %+v", st, tr)
	}
	if tr.ExpiresIn != 2 || tr.RefreshExpiresIn != 0 || tr.TokenType != "Bearer" {
		t.Fatalf("token reply fields: %+v", tr)
	}
	if parts := strings.Split(tr.AccessToken, "."); len(parts) != 3 {
		t.Fatalf("access token is not JWT-shaped")
	}
	st, tr = e.passwordGrant(lt)
	if st != http.StatusUnauthorized || tr.Error != "invalid_grant" || tr.ErrorDescription != "Invalid user credentials" {
		t.Fatalf("second exchange: %d %+v", st, tr)
	}
	if got := e.run.Stats().LoginExchanges; got != 2 { // newEnv's and this one
		t.Fatalf("LoginExchanges = %d, want 2", got)
	}
}

func TestRefreshRotation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		basic bool
	}{
		{"client id in form", false},
		{"client id in basic auth", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.refresh}}
			if !tc.basic {
				form.Set("client_id", "jottacli")
			}
			st, tr := e.tokenPost(form, tc.basic)
			if st != http.StatusOK {
				t.Fatalf("refresh: %d %+v", st, tr)
			}
			if tr.RefreshToken == e.refresh || tr.AccessToken == e.access {
				t.Fatal("refresh did not rotate the tokens")
			}
			e.access = tr.AccessToken
			mustStatus(t, e.jfs(http.MethodGet, ""), http.StatusOK)
			if got := e.run.Stats().Refreshes; got != 1 {
				t.Fatalf("Refreshes = %d, want 1", got)
			}
		})
	}
}

func TestStaleRefreshRevokesFamily(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	other := e.login() // a second, unrelated session
	rt1 := e.refresh
	refresh := func(rt string) (int, tokenReply) {
		return e.tokenPost(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"jottacli"}}, false)
	}
	st, tr2 := refresh(rt1)
	if st != http.StatusOK {
		t.Fatalf("first refresh: %d", st)
	}
	st, tr := refresh(rt1)
	if st != http.StatusBadRequest || tr.Error != "invalid_grant" || tr.ErrorDescription != "Stale token" {
		t.Fatalf("reuse: %d %+v", st, tr)
	}
	st, tr = refresh(tr2.RefreshToken)
	if st != http.StatusBadRequest || tr.Error != "invalid_grant" {
		t.Fatalf("refresh after family revocation: %d %+v", st, tr)
	}
	e.access = tr2.AccessToken
	mustStatus(t, e.jfs(http.MethodGet, ""), http.StatusUnauthorized)
	e.access = other.AccessToken
	mustStatus(t, e.jfs(http.MethodGet, ""), http.StatusOK)
	if got := e.run.Stats().Revocations; got != 1 {
		t.Fatalf("Revocations = %d, want 1", got)
	}
}

func TestTokenEndpointRejects(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	for _, tc := range []struct {
		name     string
		form     url.Values
		status   int
		errCode  string
		descPart string
	}{
		{"uppercase refresh grant", url.Values{"grant_type": {"REFRESH_TOKEN"}, "refresh_token": {e.refresh}, "client_id": {"jottacli"}}, 400, "unsupported_grant_type", ""},
		{"uppercase password grant", url.Values{"grant_type": {"PASSWORD"}, "client_id": {"jottacli"}}, 400, "unsupported_grant_type", ""},
		{"missing grant type", url.Values{"client_id": {"jottacli"}}, 400, "invalid_request", "grant_type"},
		{"unknown client", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.refresh}, "client_id": {"desktop"}}, 401, "invalid_client", ""},
		{"missing client", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.refresh}}, 400, "invalid_client", "client_id"},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {"jottacli"}}, 400, "invalid_grant", ""},
		{"wrong login secret", url.Values{"grant_type": {"password"}, "username": {"demo@example.org"}, "password": {"x"}, "client_id": {"jottacli"}}, 401, "invalid_grant", "Invalid user credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, tr := e.tokenPost(tc.form, false)
			if st != tc.status || tr.Error != tc.errCode || !strings.Contains(tr.ErrorDescription, tc.descPart) {
				t.Fatalf("got %d %q %q, want %d %q containing %q", st, tr.Error, tr.ErrorDescription, tc.status, tc.errCode, tc.descPart)
			}
		})
	}
	// The real refresh token was not spent by the rejected requests.
	st, _ := e.tokenPost(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.refresh}, "client_id": {"jottacli"}}, false)
	if st != http.StatusOK {
		t.Fatalf("refresh after rejected requests: %d", st)
	}
}

func TestBearerRequired(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	_, ar := e.allocate("/jfs/Jotta/Archive/a.txt", md5hex([]byte("a")), 1)
	for _, tc := range []struct {
		name   string
		method string
		path   string
		xml    bool
		token  string
	}{
		{"jfs user without token", "GET", "/jfs/" + e.user, true, ""},
		{"jfs mutation with bad token", "POST", "/jfs/" + e.user + "/Jotta/Archive/x?mkDir=true", true, "garbage"},
		{"customer", "GET", "/account/v1/customer", false, ""},
		{"allocate", "POST", "/files/v1/allocate", false, ""},
		{"upload url", "POST", strings.TrimPrefix(ar.UploadURL, e.url), false, ""},
		{"purge trash", "POST", "/files/v1/purge_trash", false, "x"},
		{"userinfo", "GET", "/auth/realms/jottacloud/protocol/openid-connect/userinfo", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := e.access
			e.access = tc.token
			r := e.do(tc.method, tc.path, nil, strings.NewReader("a"))
			e.access = saved
			mustStatus(t, r, http.StatusUnauthorized)
			if tc.xml {
				xe := decodeXML[xError](t, r)
				if xe.Code != 401 || !strings.Contains(xe.Message, "BadCredentialsException") || len(xe.XID) != 12 {
					t.Fatalf("xml error: %+v", xe)
				}
				return
			}
			var m map[string]any
			if err := json.Unmarshal(r.body, &m); err != nil {
				t.Fatalf("401 body is not JSON: %s", r.body)
			}
		})
	}
}

func TestExpireAndRevoke(t *testing.T) {
	for _, tc := range []struct {
		name        string
		act         func(*emulator.Server)
		refreshWant int
	}{
		{"access tokens expired", (*emulator.Server).ExpireAccessTokens, http.StatusOK},
		{"sessions revoked", (*emulator.Server).RevokeSessions, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			mustStatus(t, e.jfs(http.MethodGet, ""), http.StatusOK)
			tc.act(e.run.Server)
			mustStatus(t, e.jfs(http.MethodGet, ""), http.StatusUnauthorized)
			st, tr := e.tokenPost(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.refresh}, "client_id": {"jottacli"}}, false)
			if st != tc.refreshWant {
				t.Fatalf("refresh: %d %+v", st, tr)
			}
			if st == http.StatusOK {
				e.access = tr.AccessToken
				mustStatus(t, e.jfs(http.MethodGet, ""), http.StatusOK)
			}
		})
	}
}

func TestTokenLifetimeSetting(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.run.SetAccessTokenLifetime(3 * time.Second)
	if tr := e.login(); tr.ExpiresIn != 3 {
		t.Fatalf("expires_in = %d, want 3", tr.ExpiresIn)
	}
}

func TestCustomerAndUserinfo(t *testing.T) {
	e := newEnv(t, emulator.Options{User: "get-45406748", Email: "x@example.org"})
	var cust struct {
		Username    string `json:"username"`
		Email       string `json:"email"`
		Usage       int64  `json:"usage"`
		Quota       int64  `json:"quota"`
		WriteLocked bool   `json:"write_locked"`
	}
	r := e.do("GET", "/account/v1/customer", nil, nil)
	mustStatus(t, r, 200)
	if err := json.Unmarshal(r.body, &cust); err != nil {
		t.Fatal(err)
	}
	if cust.Username != "get-45406748" || cust.Email != "x@example.org" || cust.Quota != -1 || cust.WriteLocked {
		t.Fatalf("customer: %+v", cust)
	}
	var ui map[string]any
	r = e.do("GET", "/auth/realms/jottacloud/protocol/openid-connect/userinfo", nil, nil)
	mustStatus(t, r, 200)
	if err := json.Unmarshal(r.body, &ui); err != nil {
		t.Fatal(err)
	}
	if ui["username"] != "get-45406748" || ui["preferred_username"] != "get-45406748" {
		t.Fatalf("userinfo: %v", ui)
	}
}

func TestDefaultUserIsHex(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	if len(e.user) != 24 || strings.Trim(e.user, "0123456789abcdef") != "" {
		t.Fatalf("default user %q is not 24 lowercase hex chars", e.user)
	}
}
