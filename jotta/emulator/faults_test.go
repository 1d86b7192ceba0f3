package emulator_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

func TestStatusFaults(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fault      emulator.Fault
		method     string
		path       string // relative to /jfs/<user>/ when jfs
		jfs        bool
		wantStatus int
		wantBody   bool
		retryAfter string
	}{
		{"503 with retry-after on listing", emulator.Fault{Endpoint: emulator.EndpointJFSGet, Status: 503, RetryAfter: "2", Times: 2}, "GET", "Jotta", true, 503, true, "2"},
		{"500 without body on mutation", emulator.Fault{Endpoint: emulator.EndpointJFSPost, Status: 500, NoBody: true, Times: 1}, "POST", "Jotta/Archive/x?mkDir=true", true, 500, false, ""},
		{"429 http-date on customer", emulator.Fault{Endpoint: emulator.EndpointCustomer, Status: 429, RetryAfter: "Wed, 21 Oct 2026 07:28:00 GMT", Times: 1}, "GET", "/account/v1/customer", false, 429, true, "Wed, 21 Oct 2026 07:28:00 GMT"},
		{"any endpoint", emulator.Fault{Endpoint: emulator.EndpointAny, Status: 502, Times: 1}, "GET", "/account/v1/customer", false, 502, true, ""},
		{"509 on download", emulator.Fault{Endpoint: emulator.EndpointDownload, Status: 509, Times: 1}, "GET", "Jotta/Archive/f.txt?mode=bin", true, 509, true, ""},
		{"421 on upload class does not hit listing", emulator.Fault{Endpoint: emulator.EndpointUpload, Status: 421, Times: 1}, "GET", "Jotta", true, 200, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			e.put("/jfs/Jotta/Archive/f.txt", []byte("f"))
			e.run.Faults().Add(tc.fault)
			p := tc.path
			if tc.jfs {
				p = "/jfs/" + e.user + "/" + p
			}
			r := e.do(tc.method, p, nil, nil)
			mustStatus(t, r, tc.wantStatus)
			if got := r.header.Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After %q, want %q", got, tc.retryAfter)
			}
			if (len(r.body) > 0) != tc.wantBody {
				t.Fatalf("body %q, want body=%v", r.body, tc.wantBody)
			}
			if tc.wantStatus >= 500 && tc.jfs && tc.wantBody {
				decodeXML[xError](t, r)
			}
			// After Times firings the endpoint works again.
			for i := 1; i < tc.fault.Times; i++ {
				mustStatus(t, e.do(tc.method, p, nil, nil), tc.wantStatus)
			}
			if r := e.do(tc.method, p, nil, nil); r.status/100 != 2 {
				t.Fatalf("after the fault: %d %s", r.status, r.body)
			}
		})
	}
}

func TestProbabilityFaultIsDeterministic(t *testing.T) {
	pattern := func() string {
		e := newEnv(t, emulator.Options{})
		e.run.Faults().Seed(42)
		e.run.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointJFSGet, Status: 500, Probability: 0.3})
		var b strings.Builder
		for i := 0; i < 200; i++ {
			if e.jfs("GET", "Jotta").status == 500 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	if a != b {
		t.Fatal("same seed gave different fault patterns")
	}
	n := strings.Count(a, "x")
	if n < 30 || n > 90 {
		t.Fatalf("%d of 200 requests failed at probability 0.3", n)
	}
}

func TestAppliedFault(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.put("/jfs/Jotta/Archive/dir/a.txt", []byte("a"))
	e.put("/jfs/Jotta/Archive/b.txt", []byte("b"))
	for _, tc := range []struct {
		name    string
		rel     string
		gone    string
		present string
	}{
		{"mvDir happened", "Jotta/Archive/dir/?mvDir=" + url.QueryEscape("/"+e.user+"/Jotta/Archive/dir2"), "Jotta/Archive/dir/a.txt", "Jotta/Archive/dir2/a.txt"},
		{"mv happened", "Jotta/Archive/b.txt?mv=" + url.QueryEscape("/"+e.user+"/Jotta/Archive/c.txt"), "Jotta/Archive/b.txt", "Jotta/Archive/c.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.run.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointJFSPost, Status: 500, Applied: true, Times: 1})
			mustStatus(t, e.jfs("POST", tc.rel), 500)
			mustStatus(t, e.jfs("GET", tc.gone), 404)
			mustStatus(t, e.jfs("GET", tc.present), 200)
		})
	}
	f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/c.txt"))
	if f.Current == nil {
		t.Fatal("applied move lost the file")
	}
}

// rawUpload posts without failing the test on a transport error.
func rawUpload(e *env, uploadURL string, data []byte, hdr map[string]string) (int, error) {
	req, _ := http.NewRequest("POST", uploadURL, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+e.access)
	req.Header.Set("Content-Type", "application/octet-stream")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestDropAfterBytes(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000) // 10 000 bytes
	for _, tc := range []struct {
		name       string
		drop       int64
		wantState  string
		wantResume int64
	}{
		{"keeps the received prefix", 3000, "INCOMPLETE", 3000},
		{"keeps nothing", -1, "INCOMPLETE", 0},
		{"all bytes stored, reply lost", 10000, "COMPLETED", 10000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			_, ar := e.allocate("/jfs/Jotta/Archive/big.bin", md5hex(data), int64(len(data)))
			e.run.Faults().Add(emulator.Fault{DropAfterBytes: tc.drop, Times: 1})
			if st, err := rawUpload(e, ar.UploadURL, data, nil); err == nil {
				t.Fatalf("upload got a reply (%d) despite the dropped connection", st)
			}
			_, again := e.allocate("/jfs/Jotta/Archive/big.bin", md5hex(data), int64(len(data)))
			if again.State != tc.wantState || again.ResumePos != tc.wantResume {
				t.Fatalf("after drop: %+v, want %s at %d", again, tc.wantState, tc.wantResume)
			}
			if again.State == "INCOMPLETE" {
				hdr := map[string]string{}
				if again.ResumePos > 0 {
					hdr["Range"] = "bytes=" + itoa(again.ResumePos) + "-" + itoa(int64(len(data))-1)
				}
				mustStatus(t, e.sendBytes(again.UploadURL, data[again.ResumePos:], hdr), 201)
			}
			r := e.jfs("GET", "Jotta/Archive/big.bin?mode=bin")
			if !bytes.Equal(r.body, data) {
				t.Fatalf("content after resume differs (%d bytes)", len(r.body))
			}
		})
	}
}

func TestCorruptMD5Fault(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := []byte("perfectly good bytes")
	_, ar := e.allocate("/jfs/Jotta/Archive/x.bin", md5hex(data), int64(len(data)))
	e.run.Faults().Add(emulator.Fault{CorruptMD5: true, Times: 1})
	r := e.sendBytes(ar.UploadURL, data, nil)
	mustStatus(t, r, 400)
	if ae := decodeAPIErr(t, r); ae.ErrorID != "CorruptUploadOpenApiException" {
		t.Fatalf("error id %q", ae.ErrorID)
	}
	f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/x.bin"))
	if f.Latest == nil || f.Latest.State != "CORRUPT" || f.Current != nil {
		t.Fatalf("state after corrupt fault: %+v %+v", f.Current, f.Latest)
	}
	e.put("/jfs/Jotta/Archive/x.bin", data)
	if f = decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/x.bin")); f.Current == nil || f.Current.Number != 2 {
		t.Fatalf("retry after corrupt: %+v", f.Current)
	}
}

func TestTokenEndpointDown(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.run.Faults().Add(emulator.Fault{TokenEndpointDown: true, Times: 1})
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.refresh}, "client_id": {"jottacli"}}
	resp, err := http.PostForm(e.url+"/auth/realms/jottacloud/protocol/openid-connect/token", form)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("token endpoint answered %d while down", resp.StatusCode)
	}
	// The refresh token was not spent by the outage.
	if st, tr := e.tokenPost(form, false); st != 200 || tr.AccessToken == "" {
		t.Fatalf("refresh after outage: %d %+v", st, tr)
	}
	e.run.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointToken, Status: 503})
	if st, _ := e.tokenPost(form, false); st != 503 {
		t.Fatalf("token endpoint 5xx fault: %d", st)
	}
	e.run.Faults().Clear()
	if st, _ := e.tokenPost(form, false); st != 400 { // form's token was rotated above
		t.Fatalf("after Clear: %d", st)
	}
}

func TestClientDisconnectKeepsPrefix(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := bytes.Repeat([]byte("abcdefghij"), 100)
	_, ar := e.allocate("/jfs/Jotta/Archive/cut.bin", md5hex(data), int64(len(data)))
	u, _ := url.Parse(ar.UploadURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	head := "POST " + u.Path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAuthorization: Bearer " + e.access +
		"\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"
	if _, err := conn.Write(append([]byte(head), data[:400]...)); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	io.Copy(io.Discard, conn) // the server answers or closes once it sees the short body
	conn.Close()
	_, again := e.allocate("/jfs/Jotta/Archive/cut.bin", md5hex(data), int64(len(data)))
	if again.State != "INCOMPLETE" || again.ResumePos != 400 {
		t.Fatalf("after client disconnect: %+v, want resume at 400", again)
	}
	mustStatus(t, e.sendBytes(again.UploadURL, data[400:], map[string]string{"Range": "bytes=400-999"}), 201)
}

func TestBodyFaults(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10_000)
	for _, tc := range []struct {
		name  string
		fault emulator.Fault
		rel   string
		rng   string
		check func(t *testing.T, status int, body []byte, err error)
	}{
		{"truncated download", emulator.Fault{Endpoint: emulator.EndpointDownload, TruncateAfterBytes: 5000, Times: 1}, "Jotta/Archive/d.bin?mode=bin", "",
			func(t *testing.T, status int, body []byte, err error) {
				if err == nil || len(body) != 5000 || status != 200 {
					t.Fatalf("status %d, %d bytes, err %v; want 5000 bytes and a read error", status, len(body), err)
				}
			}},
		{"range ignored", emulator.Fault{Endpoint: emulator.EndpointDownload, IgnoreRange: true, Times: 1}, "Jotta/Archive/d.bin?mode=bin", "bytes=10-19",
			func(t *testing.T, status int, body []byte, err error) {
				if err != nil || status != 200 || len(body) != len(data) {
					t.Fatalf("status %d, %d bytes, err %v; want the whole file with 200", status, len(body), err)
				}
			}},
		{"stalled liststream", emulator.Fault{Endpoint: emulator.EndpointListStream, StallAfterBytes: 10, Times: 1}, "Jotta/Archive?mode=liststream", "",
			func(t *testing.T, status int, body []byte, err error) {
				if err == nil || len(body) != 10 {
					t.Fatalf("%d bytes, err %v; want 10 bytes then a timeout", len(body), err)
				}
			}},
		{"wrong liststream stats", emulator.Fault{Endpoint: emulator.EndpointListStream, WrongStats: true, Times: 1}, "Jotta/Archive?mode=liststream", "",
			func(t *testing.T, status int, body []byte, err error) {
				if err != nil || !bytes.Contains(body, []byte("<stats><folders>1</folders><files>2</files></stats>")) {
					t.Fatalf("err %v, body %s", err, body)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			e.put("/jfs/Jotta/Archive/d.bin", data)
			e.run.Faults().Add(tc.fault)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/jfs/"+e.user+"/"+tc.rel, nil)
			req.Header.Set("Authorization", "Bearer "+e.access)
			if tc.rng != "" {
				req.Header.Set("Range", tc.rng)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			tc.check(t, resp.StatusCode, body, err)
			// The fault fired once; the next request is whole.
			r := e.jfs("GET", "Jotta/Archive/d.bin?mode=bin")
			if !bytes.Equal(r.body, data) {
				t.Fatal("download after the fault differs")
			}
		})
	}
}
