package emulator_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"jottacloudclient/jotta/emulator"
)

// env is one emulator on loopback plus a signed-in session.
type env struct {
	t       testing.TB
	run     *emulator.Running
	url     string
	user    string
	access  string
	refresh string
}

type tokenReply struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	RefreshToken     string `json:"refresh_token"`
	TokenType        string `json:"token_type"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

type loginToken struct {
	Username      string `json:"username"`
	Realm         string `json:"realm"`
	WellKnownLink string `json:"well_known_link"`
	AuthToken     string `json:"auth_token"`
}

func newEnv(t testing.TB, opts emulator.Options) *env {
	t.Helper()
	run, err := emulator.Start("", opts)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { run.Close() })
	e := &env{t: t, run: run, url: run.URL, user: run.User()}
	tr := e.login()
	if tr.AccessToken == "" {
		t.Fatalf("login failed: %s %s", tr.Error, tr.ErrorDescription)
	}
	e.access, e.refresh = tr.AccessToken, tr.RefreshToken
	return e
}

func decodeLogin(t testing.TB, s string) loginToken {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("login token is not RawURL base64: %v", err)
	}
	var lt loginToken
	if err := json.Unmarshal(raw, &lt); err != nil {
		t.Fatalf("login token is not JSON: %v", err)
	}
	return lt
}

// login mints a login token and exchanges it.
func (e *env) login() tokenReply {
	e.t.Helper()
	s, err := e.run.MintLoginToken()
	if err != nil {
		e.t.Fatalf("mint: %v", err)
	}
	lt := decodeLogin(e.t, s)
	_, tr := e.passwordGrant(lt)
	return tr
}

func (e *env) passwordGrant(lt loginToken) (int, tokenReply) {
	return e.tokenPost(url.Values{"grant_type": {"password"}, "client_id": {"jottacli"},
		"username": {lt.Username}, "password": {lt.AuthToken}, "scope": {"openid offline_access"}}, false)
}

func (e *env) tokenPost(form url.Values, basic bool) (int, tokenReply) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/auth/realms/jottacloud/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth("jottacli", "")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var tr tokenReply
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		e.t.Fatalf("token reply: %v", err)
	}
	return resp.StatusCode, tr
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return string(r.body) }

// do sends a request with the session's bearer token. path is the raw
// (escaped) path plus query.
func (e *env) do(method, path string, hdr map[string]string, body io.Reader) reply {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	if e.access != "" {
		req.Header.Set("Authorization", "Bearer "+e.access)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read %s %s: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// jfs is a request to /jfs/<user>/rel (rel already escaped).
func (e *env) jfs(method, rel string) reply {
	e.t.Helper()
	return e.do(method, "/jfs/"+e.user+"/"+rel, nil, nil)
}

func md5hex(b []byte) string {
	h := md5.Sum(b)
	return hex.EncodeToString(h[:])
}

type allocReply struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	State     string `json:"state"`
	UploadID  string `json:"upload_id"`
	UploadURL string `json:"upload_url"`
	Bytes     int64  `json:"bytes"`
	ResumePos int64  `json:"resume_pos"`
}

type apiErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	ErrorID string `json:"error_id"`
	XID     string `json:"x-id"`
}

func (e *env) allocate(path, md5 string, size int64) (int, allocReply) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"path": path, "bytes": size, "md5": md5,
		"created": "2024-05-01T10:00:00Z", "modified": "2024-05-01T12:00:00+02:00"})
	r := e.do(http.MethodPost, "/files/v1/allocate", map[string]string{"Content-Type": "application/json"}, bytes.NewReader(body))
	var ar allocReply
	if r.status == http.StatusOK {
		if err := json.Unmarshal(r.body, &ar); err != nil {
			e.t.Fatalf("allocate reply: %v", err)
		}
	}
	return r.status, ar
}

// sendBytes posts data to an upload URL with an optional range header.
func (e *env) sendBytes(uploadURL string, data []byte, hdr map[string]string) reply {
	e.t.Helper()
	h := map[string]string{"Content-Type": "application/octet-stream"}
	for k, v := range hdr {
		h[k] = v
	}
	return e.do(http.MethodPost, strings.TrimPrefix(uploadURL, e.url), h, bytes.NewReader(data))
}

// put uploads data to path (allocate form "/jfs/<dev>/<mp>/…") and
// requires success.
func (e *env) put(path string, data []byte) {
	e.t.Helper()
	st, ar := e.allocate(path, md5hex(data), int64(len(data)))
	if st != http.StatusOK {
		e.t.Fatalf("allocate %s: %d", path, st)
	}
	if ar.State == "COMPLETED" {
		return
	}
	var hdr map[string]string
	if ar.ResumePos > 0 {
		hdr = map[string]string{"Range": "bytes=" + itoa(ar.ResumePos) + "-" + itoa(int64(len(data))-1)}
	}
	r := e.sendBytes(ar.UploadURL, data[ar.ResumePos:], hdr)
	if r.status/100 != 2 {
		e.t.Fatalf("upload %s: %d %s", path, r.status, r)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// XML shapes the tests read.

type xRevision struct {
	Number   int     `xml:"number"`
	State    string  `xml:"state"`
	Created  string  `xml:"created"`
	Modified string  `xml:"modified"`
	Size     *string `xml:"size"`
	MD5      string  `xml:"md5"`
	Updated  string  `xml:"updated"`
}

type xFile struct {
	XMLName     xml.Name    `xml:"file"`
	Name        string      `xml:"name,attr"`
	UUID        string      `xml:"uuid,attr"`
	Deleted     string      `xml:"deleted,attr"`
	ContextType string      `xml:"contextType,attr"`
	Path        string      `xml:"path"`
	Abspath     string      `xml:"abspath"`
	Current     *xRevision  `xml:"currentRevision"`
	Latest      *xRevision  `xml:"latestRevision"`
	Revisions   []xRevision `xml:"revisions>revision"`
}

type xFolderRef struct {
	Name    string `xml:"name,attr"`
	Deleted string `xml:"deleted,attr"`
	Abspath string `xml:"abspath"`
}

type xMeta struct {
	Total      string `xml:"total,attr"`
	NumFolders string `xml:"num_folders,attr"`
	NumFiles   string `xml:"num_files,attr"`
	NumMounts  string `xml:"num_mountpoints,attr"`
}

type xFolder struct {
	XMLName xml.Name     `xml:""`
	Name    string       `xml:"name,attr"`
	NameEl  string       `xml:"name"`
	Deleted string       `xml:"deleted,attr"`
	Path    string       `xml:"path"`
	Abspath string       `xml:"abspath"`
	Size    string       `xml:"size"`
	Folders []xFolderRef `xml:"folders>folder"`
	Files   []xFile      `xml:"files>file"`
	Meta    xMeta        `xml:"metadata"`
}

type xDevice struct {
	XMLName xml.Name `xml:"device"`
	Name    string   `xml:"name"`
	Type    string   `xml:"type"`
	Mounts  []struct {
		Name    string `xml:"name"`
		Size    int64  `xml:"size"`
		Deleted string `xml:"deleted"`
	} `xml:"mountPoints>mountPoint"`
	Meta xMeta `xml:"metadata"`
}

type xUser struct {
	XMLName     xml.Name `xml:"user"`
	Username    string   `xml:"username"`
	Capacity    int64    `xml:"capacity"`
	Usage       int64    `xml:"usage"`
	WriteLocked bool     `xml:"write-locked"`
	QuotaLocked bool     `xml:"quota-write-locked"`
	Devices     []struct {
		Name string `xml:"name"`
		Type string `xml:"type"`
		Size int64  `xml:"size"`
	} `xml:"devices>device"`
}

type xError struct {
	XMLName  xml.Name `xml:"error"`
	Code     int      `xml:"code"`
	Message  string   `xml:"message"`
	Reason   string   `xml:"reason"`
	Hostname string   `xml:"hostname"`
	XID      string   `xml:"x-id"`
}

func decodeXML[T any](t testing.TB, r reply) T {
	t.Helper()
	var v T
	if err := xml.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %T from %d reply: %v\n%s", v, r.status, err, r.body)
	}
	return v
}

func mustStatus(t testing.TB, r reply, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}
