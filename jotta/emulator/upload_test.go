package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"jottacloudclient/jotta/emulator"
)

func decodeAPIErr(t *testing.T, r reply) apiErr {
	t.Helper()
	var ae apiErr
	if err := json.Unmarshal(r.body, &ae); err != nil {
		t.Fatalf("error body is not JSON: %s", r.body)
	}
	if len(ae.XID) != 12 || ae.Code == 0 {
		t.Fatalf("error body fields: %+v", ae)
	}
	return ae
}

func TestAllocateStates(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := []byte("some content for allocate")
	sum, size := md5hex(data), int64(len(data))
	e.put("/jfs/Jotta/Archive/orig.txt", data)
	half := []byte("another content, partially sent")
	_, first := e.allocate("/jfs/Jotta/Archive/half.txt", md5hex(half), int64(len(half)))
	mustStatus(t, e.sendBytes(first.UploadURL, half[:10], map[string]string{"Range": "bytes=0-9"}), 420)
	for _, tc := range []struct {
		name   string
		path   string
		md5    string
		size   int64
		state  string
		resume int64
		status int
	}{
		{"new file", "/jfs/Jotta/Archive/new/n.txt", md5hex([]byte("fresh")), 5, "INCOMPLETE", 0, 200},
		{"same content at same path", "/jfs/Jotta/Archive/orig.txt", sum, size, "COMPLETED", size, 200},
		{"dedup across paths", "/jfs/Jotta/Archive/elsewhere/dup.txt", sum, size, "COMPLETED", size, 200},
		{"legacy path form means device Jotta", "/Archive/legacy/dup2.txt", sum, size, "COMPLETED", size, 200},
		{"resume incomplete session", "/jfs/Jotta/Archive/half.txt", md5hex(half), int64(len(half)), "INCOMPLETE", 10, 200},
		{"zero-byte file", "/jfs/Jotta/Archive/empty.txt", "d41d8cd98f00b204e9800998ecf8427e", 0, "COMPLETED", 0, 200},
		{"bad md5", "/jfs/Jotta/Archive/x.txt", "xyz", 1, "", 0, 400},
		{"negative size", "/jfs/Jotta/Archive/x.txt", sum, -1, "", 0, 400},
		{"no file name", "/jfs/Jotta/Archive", sum, size, "", 0, 400},
		{"unknown device", "/jfs/NoDevice/Archive/x.txt", sum, size, "", 0, 404},
		{"folder in the way", "/jfs/Jotta/Archive/new", sum, size, "", 0, 409},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, ar := e.allocate(tc.path, tc.md5, tc.size)
			if st != tc.status {
				t.Fatalf("status %d, want %d", st, tc.status)
			}
			if st != 200 {
				return
			}
			if ar.State != tc.state || ar.ResumePos != tc.resume || ar.Bytes != tc.size {
				t.Fatalf("reply %+v, want state %s resume %d", ar, tc.state, tc.resume)
			}
			if ar.UploadID == "" || !strings.HasPrefix(ar.UploadURL, e.url+"/files/v1/upload/") {
				t.Fatalf("upload id/url: %+v", ar)
			}
			if !strings.HasPrefix(ar.Path, "/jfs/Jotta/") || ar.Name == "" {
				t.Fatalf("path/name: %+v", ar)
			}
		})
	}
	if st, ar := e.allocate("/jfs/Jotta/Archive/half.txt", md5hex(half), int64(len(half))); st != 200 || ar.UploadID != first.UploadID {
		t.Fatalf("resume did not reuse the session: %+v", ar)
	}
	r := e.jfs("GET", "Jotta/Archive/elsewhere/dup.txt?mode=bin")
	mustStatus(t, r, 200)
	if !bytes.Equal(r.body, data) {
		t.Fatal("deduplicated file has other content")
	}
	r = e.jfs("GET", "Jotta/Archive/empty.txt?mode=bin")
	mustStatus(t, r, 200)
	if len(r.body) != 0 {
		t.Fatal("empty file has content")
	}
	// A different md5 for the half-sent path starts over at 0.
	other := []byte("different")
	if _, ar := e.allocate("/jfs/Jotta/Archive/half.txt", md5hex(other), int64(len(other))); ar.ResumePos != 0 || ar.UploadID == first.UploadID {
		t.Fatalf("new content reused the old session: %+v", ar)
	}
	mustStatus(t, e.sendBytes(first.UploadURL, half[10:], map[string]string{"Range": "bytes=10-"}), 404)
}

func TestAllocateAcceptsTimeForms(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	for _, tc := range []struct {
		name     string
		modified any
		want     string
	}{
		{"rfc3339 with offset", "2024-05-01T12:00:00+02:00", "2024-05-01-T10:00:00Z"},
		{"rfc3339 with fraction", "2024-05-01T10:00:00.123Z", "2024-05-01-T10:00:00Z"},
		{"unix milliseconds", 1714557600000, "2024-05-01-T10:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"path": "/jfs/Jotta/Archive/" + tc.name, "bytes": 0,
				"md5": "d41d8cd98f00b204e9800998ecf8427e", "modified": tc.modified, "created": tc.modified})
			mustStatus(t, e.do("POST", "/files/v1/allocate", map[string]string{"Content-Type": "application/json"}, bytes.NewReader(body)), 200)
			f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/"+strings.ReplaceAll(tc.name, " ", "%20")))
			if f.Current == nil || f.Current.Modified != tc.want {
				t.Fatalf("modified %+v, want %s", f.Current, tc.want)
			}
		})
	}
}

func TestUploadRangeRules(t *testing.T) {
	data := []byte("0123456789abcdefghij")
	n := int64(len(data))
	for _, tc := range []struct {
		name  string
		steps []struct {
			from, to int // body is data[from:to]
			hdr      map[string]string
			status   int
		}
		final string
	}{
		{"whole body without range", steps(step(0, 20, nil, 201)), "COMPLETED"},
		{"chunks with closed ranges", steps(step(0, 5, rng("bytes=0-4"), 420), step(5, 12, rng("bytes=5-11"), 420), step(12, 20, rng("bytes=12-19"), 201)), "COMPLETED"},
		{"open range resume", steps(step(0, 8, rng("bytes=0-7"), 420), step(8, 20, rng("bytes=8-"), 201)), "COMPLETED"},
		{"content-range", steps(step(0, 10, cr("bytes 0-9/20"), 420), step(10, 20, cr("bytes 10-19/20"), 201)), "COMPLETED"},
		{"start not at resume_pos", steps(step(0, 5, rng("bytes=0-4"), 420), step(6, 20, rng("bytes=6-"), 416)), "INCOMPLETE"},
		{"restart from zero after data", steps(step(0, 5, rng("bytes=0-4"), 420), step(0, 20, nil, 416)), "INCOMPLETE"},
		{"range past the end", steps(step(0, 20, rng("bytes=0-20"), 416)), "INCOMPLETE"},
		{"content-range total mismatch", steps(step(0, 20, cr("bytes 0-19/21"), 400)), "INCOMPLETE"},
		{"body longer than range", steps(step(0, 10, rng("bytes=0-4"), 400)), "INCOMPLETE"},
		{"short body keeps the prefix", steps(step(0, 7, nil, 420), step(7, 20, rng("bytes=7-19"), 201)), "COMPLETED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			_, ar := e.allocate("/jfs/Jotta/Archive/f.bin", md5hex(data), n)
			var sent int64
			for i, s := range tc.steps {
				r := e.sendBytes(ar.UploadURL, data[s.from:s.to], s.hdr)
				if r.status != s.status {
					t.Fatalf("step %d: status %d, want %d: %s", i, r.status, s.status, r.body)
				}
				switch r.status {
				case 420:
					if ae := decodeAPIErr(t, r); ae.ErrorID != "IncompleteUploadOpenApiException" {
						t.Fatalf("420 error id %q", ae.ErrorID)
					}
					sent = int64(s.to)
				case 201:
					var ok struct {
						Path      string `json:"path"`
						ContentID string `json:"content_id"`
						Bytes     int64  `json:"bytes"`
						MD5       string `json:"md5"`
						Modified  int64  `json:"modified"`
					}
					if err := json.Unmarshal(r.body, &ok); err != nil || ok.Bytes != n || ok.MD5 != md5hex(data) || ok.Modified != 1714557600000 || ok.Path != "/jfs/Jotta/Archive/f.bin" {
						t.Fatalf("completion reply %s (%v)", r.body, err)
					}
				default:
					decodeAPIErr(t, r)
				}
			}
			f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/f.bin"))
			switch tc.final {
			case "COMPLETED":
				if f.Current == nil || f.Latest != nil {
					t.Fatalf("not completed: %+v %+v", f.Current, f.Latest)
				}
				r := e.jfs("GET", "Jotta/Archive/f.bin?mode=bin")
				if !bytes.Equal(r.body, data) {
					t.Fatalf("stored %q", r.body)
				}
			case "INCOMPLETE":
				if f.Current != nil || f.Latest == nil || f.Latest.State != "INCOMPLETE" || *f.Latest.Size != itoa(sent) {
					t.Fatalf("incomplete state: %+v %+v (sent %d)", f.Current, f.Latest, sent)
				}
				if _, again := e.allocate("/jfs/Jotta/Archive/f.bin", md5hex(data), n); again.ResumePos != sent {
					t.Fatalf("resume_pos %d, want %d", again.ResumePos, sent)
				}
			}
		})
	}
}

type uploadStep = struct {
	from, to int
	hdr      map[string]string
	status   int
}

func step(from, to int, hdr map[string]string, status int) uploadStep {
	return uploadStep{from, to, hdr, status}
}

func steps(s ...uploadStep) []uploadStep { return s }

func rng(v string) map[string]string { return map[string]string{"Range": v} }
func cr(v string) map[string]string  { return map[string]string{"Content-Range": v} }

func TestCorruptUpload(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	good := []byte("good version")
	e.put("/jfs/Jotta/Archive/c.txt", good)
	claimed := []byte("claimed bytes")
	_, ar := e.allocate("/jfs/Jotta/Archive/c.txt", md5hex(claimed), int64(len(claimed)))
	r := e.sendBytes(ar.UploadURL, []byte("other bytes!!"), nil)
	mustStatus(t, r, 400)
	if ae := decodeAPIErr(t, r); ae.ErrorID != "CorruptUploadOpenApiException" {
		t.Fatalf("error id %q", ae.ErrorID)
	}
	f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/c.txt"))
	if f.Current == nil || f.Current.MD5 != md5hex(good) || f.Latest == nil || f.Latest.State != "CORRUPT" || f.Latest.Size != nil {
		t.Fatalf("after corrupt upload: %+v / %+v", f.Current, f.Latest)
	}
	l := decodeXML[xFolder](t, e.jfs("GET", "Jotta/Archive"))
	if len(l.Files) != 1 || l.Files[0].Latest == nil || l.Files[0].Latest.Size != nil {
		t.Fatalf("listing of corrupt file: %+v", l.Files)
	}
	r = e.jfs("GET", "Jotta/Archive/c.txt?mode=bin")
	if !bytes.Equal(r.body, good) {
		t.Fatalf("download after corrupt upload %q", r.body)
	}
	// The upload URL is spent.
	mustStatus(t, e.sendBytes(ar.UploadURL, claimed, nil), 404)
}

func TestQuota(t *testing.T) {
	e := newEnv(t, emulator.Options{Quota: 10})
	e.put("/jfs/Jotta/Archive/a.bin", []byte("12345678"))
	data := []byte("abcde")
	st, _ := e.allocate("/jfs/Jotta/Archive/b.bin", md5hex(data), 5)
	if st != 460 {
		t.Fatalf("allocate over quota: %d, want 460", st)
	}
	u := decodeXML[xUser](t, e.jfs("GET", ""))
	if u.Capacity != 10 || u.Usage != 8 || u.WriteLocked {
		t.Fatalf("user before reaching quota: %+v", u)
	}
	e.put("/jfs/Jotta/Archive/c.bin", []byte("xy"))
	u = decodeXML[xUser](t, e.jfs("GET", ""))
	if !u.WriteLocked || !u.QuotaLocked {
		t.Fatalf("write-locked flags not set at quota: %+v", u)
	}
	e.run.SetQuota(-1)
	if st, _ := e.allocate("/jfs/Jotta/Archive/b.bin", md5hex(data), 5); st != 200 {
		t.Fatalf("allocate after lifting quota: %d", st)
	}
	e.run.SetQuota(12)
	_, ar := e.allocate("/jfs/Jotta/Archive/b.bin", md5hex(data), 5)
	r := e.sendBytes(ar.UploadURL, data, nil)
	mustStatus(t, r, 460)
	if ae := decodeAPIErr(t, r); ae.Code != 460 {
		t.Fatalf("460 body: %+v", ae)
	}
}

func TestUploadStats(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.run.ResetStats()
	data := bytes.Repeat([]byte("s"), 1000)
	e.put("/jfs/Jotta/Archive/s.bin", data)
	e.put("/jfs/Jotta/Archive/s2.bin", data) // dedup: no bytes
	st := e.run.Stats()
	if st.UploadBytes != 1000 || st.Requests[emulator.EndpointAllocate] != 2 || st.Requests[emulator.EndpointUpload] != 1 {
		t.Fatalf("stats %+v", st)
	}
	e.run.ResetStats()
	if st := e.run.Stats(); st.UploadBytes != 0 || len(st.Requests) != 0 {
		t.Fatalf("stats after reset %+v", st)
	}
}

func TestChunkedBodyLongerThanRange(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := []byte("0123456789")
	_, ar := e.allocate("/jfs/Jotta/Archive/chunked.bin", md5hex(data), 10)
	// An io.MultiReader has no known length, so the body goes chunked.
	r := e.do("POST", strings.TrimPrefix(ar.UploadURL, e.url), map[string]string{"Range": "bytes=0-4"}, io.MultiReader(bytes.NewReader(data)))
	mustStatus(t, r, 400)
	if ae := decodeAPIErr(t, r); ae.ErrorID != "InvalidArgumentException" {
		t.Fatalf("error id %q", ae.ErrorID)
	}
	if _, again := e.allocate("/jfs/Jotta/Archive/chunked.bin", md5hex(data), 10); again.ResumePos != 5 {
		t.Fatalf("resume_pos %d, want the 5 bytes inside the range", again.ResumePos)
	}
}
