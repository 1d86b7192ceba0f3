package emulator_test

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jottacloudclient/jotta/emulator"
)

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	opts := emulator.Options{DataDir: dir, Quota: 1 << 20}

	run1, err := emulator.Start("", opts)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, run: run1, url: run1.URL, user: run1.User()}
	tr := e.login()
	e.access, e.refresh = tr.AccessToken, tr.RefreshToken
	user := e.user
	files := map[string][]byte{
		"Jotta/Archive/a.txt":         []byte("alpha"),
		"Jotta/Archive/dir/b.txt":     []byte("bravo bravo"),
		"Jotta/Archive/dir/sub/c.bin": bytes.Repeat([]byte{0, 1, 2}, 1000),
	}
	for p, data := range files {
		e.put("/jfs/"+p, data)
	}
	e.put("/jfs/Jotta/Archive/a.txt", []byte("alpha v2"))
	files["Jotta/Archive/a.txt"] = []byte("alpha v2")
	mustStatus(t, e.jfs("POST", "Jotta/Archive/dir/b.txt?dl=true"), 200)
	big := bytes.Repeat([]byte("resume me "), 500)
	_, ar := e.allocate("/jfs/Jotta/Archive/big.bin", md5hex(big), int64(len(big)))
	mustStatus(t, e.sendBytes(ar.UploadURL, big[:1234], map[string]string{"Range": "bytes=0-1233"}), 420)
	spare, err := run1.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := run1.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	run2, err := emulator.Start("", emulator.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() { run2.Close() })
	e.run, e.url = run2, run2.URL
	if run2.User() != user {
		t.Fatalf("user %q after restart, want %q", run2.User(), user)
	}
	// The access token and the refresh token survive.
	mustStatus(t, e.jfs("GET", ""), 200)
	st, tr2 := e.tokenPost(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {e.refresh}, "client_id": {"jottacli"}}, false)
	if st != 200 {
		t.Fatalf("refresh after restart: %d %+v", st, tr2)
	}
	e.access = tr2.AccessToken
	// So does an unused login token.
	if st, _ := e.passwordGrant(decodeLogin(t, spare)); st != 200 {
		t.Fatalf("unused login token after restart: %d", st)
	}
	for p, data := range files {
		f := decodeXML[xFile](t, e.jfs("GET", p))
		if f.Current == nil || f.Current.MD5 != md5hex(data) {
			t.Fatalf("%s: md5 after restart: %+v", p, f.Current)
		}
		r := e.jfs("GET", p+"?mode=bin")
		if !bytes.Equal(r.body, data) {
			t.Fatalf("%s: content after restart differs", p)
		}
	}
	if f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/a.txt")); f.Current.Number != 2 || len(f.Revisions) != 1 {
		t.Fatalf("revisions after restart: %+v %+v", f.Current, f.Revisions)
	}
	if f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/dir/b.txt")); f.Deleted == "" {
		t.Fatal("trashed file came back live after restart")
	}
	u := decodeXML[xUser](t, e.jfs("GET", ""))
	want := int64(len("alpha v2") + len("bravo bravo") + 3000)
	if u.Usage != want || u.Capacity != 1<<20 {
		t.Fatalf("usage %d capacity %d, want %d and %d", u.Usage, u.Capacity, want, 1<<20)
	}
	// The incomplete upload resumes where it stopped.
	_, again := e.allocate("/jfs/Jotta/Archive/big.bin", md5hex(big), int64(len(big)))
	if again.State != "INCOMPLETE" || again.ResumePos != 1234 || again.UploadID != ar.UploadID {
		t.Fatalf("allocate after restart: %+v", again)
	}
	if !strings.HasPrefix(again.UploadURL, run2.URL) {
		t.Fatalf("upload url %q does not point at the new address", again.UploadURL)
	}
	mustStatus(t, e.sendBytes(again.UploadURL, big[1234:], map[string]string{"Range": "bytes=1234-"}), 201)
	if r := e.jfs("GET", "Jotta/Archive/big.bin?mode=bin"); !bytes.Equal(r.body, big) {
		t.Fatal("resumed upload content differs")
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs", md5hex(big)+"-"+itoa(int64(len(big))))); err != nil {
		t.Fatalf("blob not stored by md5-size name: %v", err)
	}
}

func TestDataDirBelongsToOneUser(t *testing.T) {
	dir := t.TempDir()
	s, err := emulator.New(emulator.Options{DataDir: dir, User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		user string
		ok   bool
	}{
		{"same user", "alice", true},
		{"default user", "", true},
		{"other user", "bob", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := emulator.New(emulator.Options{DataDir: dir, User: tc.user})
			if (err == nil) != tc.ok {
				t.Fatalf("error %v, want ok=%v", err, tc.ok)
			}
			if err == nil {
				if s.User() != "alice" {
					t.Fatalf("user %q", s.User())
				}
				s.Close()
			}
		})
	}
}
