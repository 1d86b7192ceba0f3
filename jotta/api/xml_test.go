package api

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := ParseTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDecodeUser(t *testing.T) {
	var u User
	if err := xml.Unmarshal(readFixture(t, "user.xml"), &u); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"root", u.XMLName.Local, "user"},
		{"username", u.Username, "a1b2c3d4e5f60718293a4b5c"},
		{"capacity unlimited", u.Capacity, int64(-1)},
		{"usage", u.Usage, int64(5242880)},
		{"enable-sync", u.EnableSync, true},
		{"devices", len(u.Devices), 2},
		{"device type", u.Devices[1].Type, "WORKSTATION"},
		{"device display name", u.Devices[1].DisplayName, "Workstation 7"},
		{"empty modified is zero", u.Devices[1].Modified.IsZero(), true},
		{"device modified", u.Devices[0].Modified.Time, mustTime(t, "2024-04-30T08:15:00Z")},
		{"server time attr", u.Time.Time, mustTime(t, "2024-05-01T10:00:00Z")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestDecodeDevice(t *testing.T) {
	var d Device
	if err := xml.Unmarshal(readFixture(t, "device.xml"), &d); err != nil {
		t.Fatal(err)
	}
	if d.Name != "workstation-7" || d.User != "a1b2c3d4e5f60718293a4b5c" || len(d.MountPoints) != 2 {
		t.Fatalf("device = %+v", d)
	}
	if d.MountPoints[0].Name != "Documents" || !d.MountPoints[0].Deleted.IsZero() {
		t.Errorf("live mount point = %+v", d.MountPoints[0])
	}
	if d.MountPoints[1].Deleted.IsZero() || !d.MountPoints[1].Modified.IsZero() {
		t.Errorf("trashed mount point should carry deleted and an empty modified: %+v", d.MountPoints[1])
	}
	if d.Metadata == nil || d.Metadata.NumMountPoints != 2 {
		t.Errorf("metadata = %+v", d.Metadata)
	}
}

func TestDecodeEntryKinds(t *testing.T) {
	cases := []struct {
		fixture   string
		kind      string
		dir       bool
		name      string
		folders   int
		files     int
		liveFiles int
		deleted   bool
	}{
		{"mountpoint.xml", KindMountPoint, true, "Documents", 1, 1, 1, false},
		{"folder.xml", KindFolder, true, "photos", 2, 4, 2, false},
		{"file.xml", KindFile, false, "report+final.pdf", 0, 0, 0, false},
		{"trash.xml", KindMountPoint, true, "Trash", 1, 1, 0, false},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			var e Entry
			if err := xml.Unmarshal(readFixture(t, c.fixture), &e); err != nil {
				t.Fatal(err)
			}
			if e.Kind() != c.kind || e.IsDir() != c.dir || e.DisplayName() != c.name || e.IsDeleted() != c.deleted {
				t.Errorf("kind=%s dir=%v name=%q deleted=%v", e.Kind(), e.IsDir(), e.DisplayName(), e.IsDeleted())
			}
			if len(e.Folders) != c.folders || len(e.Files) != c.files {
				t.Errorf("folders=%d files=%d", len(e.Folders), len(e.Files))
			}
			live := 0
			for i := range e.Files {
				if e.Files[i].IsLive() {
					live++
				}
			}
			if live != c.liveFiles {
				t.Errorf("live files = %d, want %d", live, c.liveFiles)
			}
		})
	}
}

func TestDecodeFolderStates(t *testing.T) {
	var f Folder
	if err := xml.Unmarshal(readFixture(t, "folder.xml"), &f); err != nil {
		t.Fatal(err)
	}
	byName := map[string]*File{}
	for i := range f.Files {
		byName[f.Files[i].Name] = &f.Files[i]
	}
	cases := []struct {
		name     string
		live     bool
		deleted  bool
		complete bool
		latest   string
	}{
		{"cat.jpg", true, false, true, ""},
		{"movie.mkv", false, false, false, StateIncomplete},
		{"dog.jpg", false, true, true, ""},
		{"bird.png", true, false, true, StateCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := byName[c.name]
			if file == nil {
				t.Fatal("missing")
			}
			if file.IsLive() != c.live || file.IsDeleted() != c.deleted || file.IsComplete() != c.complete {
				t.Errorf("live=%v deleted=%v complete=%v", file.IsLive(), file.IsDeleted(), file.IsComplete())
			}
			got := ""
			if file.LatestRevision != nil {
				got = file.LatestRevision.State
			}
			if got != c.latest {
				t.Errorf("latest state %q, want %q", got, c.latest)
			}
		})
	}
	if byName["movie.mkv"].LatestRevision.Size != 0 {
		t.Error("incomplete listing revision has no size")
	}
	if !f.Folders[1].IsDeleted() || f.Folders[0].IsDeleted() {
		t.Error("folder tombstone not recognised")
	}
	if byName["dog.jpg"].CurrentRevision.Modified.IsZero() == false {
		t.Error("empty <modified></modified> must decode to the zero time")
	}
}

func TestDecodeFileRevisions(t *testing.T) {
	var f File
	if err := xml.Unmarshal(readFixture(t, "file.xml"), &f); err != nil {
		t.Fatal(err)
	}
	if f.Name != "report+final.pdf" || f.CurrentRevision.Number != 10 || len(f.Revisions) != 2 {
		t.Fatalf("file = %+v", f)
	}
	if f.Revisions[0].Number != 9 || f.Revisions[1].Size != 100 || !f.Revisions[1].Modified.IsZero() {
		t.Errorf("revisions = %+v", f.Revisions)
	}
}

func TestDecodeXMLError(t *testing.T) {
	var e XMLError
	if err := xml.Unmarshal(readFixture(t, "error.xml"), &e); err != nil {
		t.Fatal(err)
	}
	class, text := e.Exception()
	if e.Code != 404 || e.XID != "004815162342" || class != "NoSuchPathException" ||
		text != "Directory /a1b2c3d4e5f60718293a4b5c/Jotta/Archive/nope" || e.Reason != "Not Found" {
		t.Errorf("error = %+v class=%q text=%q", e, class, text)
	}
}

func TestSplitException(t *testing.T) {
	cases := []struct{ in, class, text string }{
		{"no.jotta.backup.errors.NoSuchFileException: Source file x does not exist", "NoSuchFileException", "Source file x does not exist"},
		{"org.springframework.security.authentication.BadCredentialsException: Bad credentials", "BadCredentialsException", "Bad credentials"},
		{"no.jotta.backup.errors.UniqueFileException", "UniqueFileException", ""},
		{"java.lang.IllegalArgumentException: Unable to validate decoded path", "IllegalArgumentException", "Unable to validate decoded path"},
		{"Upload without md5 no longer supported. Use header JMd5.", "", "Upload without md5 no longer supported. Use header JMd5."},
		{"Bad request", "", "Bad request"},
		{"", "", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			class, text := SplitException(c.in)
			if class != c.class || text != c.text {
				t.Errorf("got (%q, %q), want (%q, %q)", class, text, c.class, c.text)
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	t.Run("customer", func(t *testing.T) {
		var c Customer
		if err := json.Unmarshal(readFixture(t, "customer.json"), &c); err != nil {
			t.Fatal(err)
		}
		if c.Username != "a1b2c3d4e5f60718293a4b5c" || c.Quota != -1 || c.Usage != 123456789 {
			t.Errorf("customer = %+v", c)
		}
	})
	t.Run("allocate", func(t *testing.T) {
		var a AllocateResponse
		if err := json.Unmarshal(readFixture(t, "allocate.json"), &a); err != nil {
			t.Fatal(err)
		}
		if a.State != StateIncomplete || a.ResumePos != 419430 || a.Bytes == nil || *a.Bytes != 1048576 || a.UploadURL == "" {
			t.Errorf("allocate = %+v", a)
		}
	})
	t.Run("upload", func(t *testing.T) {
		var u UploadResponse
		if err := json.Unmarshal(readFixture(t, "upload.json"), &u); err != nil {
			t.Fatal(err)
		}
		if u.MD5 != "9e107d9d372bb6826bd81d3542a419d6" || u.Bytes == nil || *u.Bytes != 1048576 || !u.Modified.Equal(time.UnixMilli(1714550400000)) {
			t.Errorf("upload = %+v", u)
		}
	})
	t.Run("json error", func(t *testing.T) {
		var e JSONError
		if err := json.Unmarshal(readFixture(t, "error.json"), &e); err != nil {
			t.Fatal(err)
		}
		if e.Code != 420 || e.ErrorID != "IncompleteUploadOpenApiException" || e.XID != "004815162342" {
			t.Errorf("error = %+v", e)
		}
	})
	t.Run("oauth error", func(t *testing.T) {
		var e OAuthError
		if err := json.Unmarshal(readFixture(t, "oauth_error.json"), &e); err != nil {
			t.Fatal(err)
		}
		if e.Error != "invalid_grant" || e.ErrorDescription != "Stale token" {
			t.Errorf("error = %+v", e)
		}
	})
	t.Run("token", func(t *testing.T) {
		var tr TokenResponse
		if err := json.Unmarshal(readFixture(t, "token.json"), &tr); err != nil {
			t.Fatal(err)
		}
		if tr.ExpiresIn != 3600 || tr.RefreshToken == "" || tr.TokenType != "Bearer" {
			t.Errorf("token response decoded wrongly")
		}
	})
	t.Run("oidc", func(t *testing.T) {
		var o OIDCConfiguration
		if err := json.Unmarshal(readFixture(t, "oidc.json"), &o); err != nil {
			t.Fatal(err)
		}
		if o.TokenEndpoint != "https://id.jottacloud.com/auth/realms/jottacloud/protocol/openid-connect/token" {
			t.Errorf("token endpoint = %q", o.TokenEndpoint)
		}
	})
}

func TestJSONTime(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"1714550400000", time.UnixMilli(1714550400000), false},
		{`"1714550400000"`, time.UnixMilli(1714550400000), false},
		{`"2024-05-01T08:00:00Z"`, time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), false},
		{`"2024-05-01-T08:00:00Z"`, time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), false},
		{"null", time.Time{}, false},
		{`"yesterday"`, time.Time{}, true},
		{"true", time.Time{}, true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			var v JSONTime
			err := v.UnmarshalJSON([]byte(c.in))
			if (err != nil) != c.err {
				t.Fatalf("err = %v", err)
			}
			if !c.err && !v.Equal(c.want) {
				t.Errorf("got %v, want %v", v.Time, c.want)
			}
		})
	}
}

func TestParseAndFormatTime(t *testing.T) {
	want := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2024-05-01-T10:00:00Z", want, false},
		{"2024-05-01-T12:00:00+0200", want, false},
		{"2024-05-01T10:00:00Z", want, false},
		{"2024-05-01T10:00:00.000Z", want, false},
		{"2024-05-01T12:00:00+02:00", want, false},
		{"2024-05-01T10:00:00Z+00:00", want, false},
		{"2024-05-01-T10:00:00.000Z", want, false},
		{"2024-05-01-T12:00:00.000+0200", want, false},
		{"2024-05-01-T12:00:00+02:00", want, false},
		{"2024-05-01T12:00:00.000+02:00", want, false},
		{"2024-05-01T12:00:00.000+0200", want, false},
		{"2024-05-01T12:00:00+0200", want, false},
		{"2024-05-01T10:00:00", want, false},
		{"", time.Time{}, false},
		{"  ", time.Time{}, false},
		{"01.05.2024", time.Time{}, true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseTime(c.in)
			if (err != nil) != c.err {
				t.Fatalf("err = %v", err)
			}
			if !got.Equal(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	if s := FormatTime(time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("x", 7200))); s != "2024-05-01-T10:00:00Z" {
		t.Errorf("FormatTime = %q", s)
	}
	if s := FormatRFC3339(time.Date(2024, 5, 1, 12, 0, 0, 999, time.FixedZone("x", 7200))); s != "2024-05-01T10:00:00Z" {
		t.Errorf("FormatRFC3339 = %q", s)
	}
}

func TestTimeRoundTripXML(t *testing.T) {
	type doc struct {
		XMLName  xml.Name `xml:"x"`
		Deleted  Time     `xml:"deleted,attr"`
		Modified Time     `xml:"modified"`
		Empty    Time     `xml:"empty"`
	}
	in := doc{Deleted: Time{want()}, Modified: Time{want()}}
	b, err := xml.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out doc
	if err := xml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out.Deleted.Equal(want()) || !out.Modified.Equal(want()) || !out.Empty.IsZero() {
		t.Errorf("round trip of %s gave %+v", b, out)
	}
}

func want() time.Time { return time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC) }

// TestDecodeRevisionsInBothPlaces: a <revision> directly under <file>
// counts like one inside <revisions>, in a direct GET and in a listing,
// whatever the order, and a repeat of the current revision is not an
// older one.
func TestDecodeRevisionsInBothPlaces(t *testing.T) {
	rev := func(n int, md5 string) string {
		return fmt.Sprintf("<revision><number>%d</number><state>COMPLETED</state><size>%d</size><md5>%s</md5></revision>", n, n, md5)
	}
	cur := "<currentRevision><number>10</number><state>COMPLETED</state><size>10</size><md5>aa</md5></currentRevision>"
	cases := []struct{ name, body string }{
		{"inside revisions", cur + "<revisions>" + rev(9, "99") + rev(8, "88") + "</revisions>"},
		{"directly under file", cur + rev(9, "99") + rev(8, "88")},
		{"directly under file, oldest first", cur + rev(8, "88") + rev(9, "99")},
		{"both places", cur + rev(8, "88") + "<revisions>" + rev(9, "99") + "</revisions>"},
		{"current repeated among them", cur + rev(10, "AA") + rev(9, "99") + rev(8, "88")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check := func(what string, f *File) {
				t.Helper()
				if len(f.Revisions) != 2 || f.Revisions[0].Number != 9 || f.Revisions[1].Number != 8 || len(f.LooseRevisions) != 0 {
					t.Errorf("%s: revisions %+v (loose %d), want 9 then 8", what, f.Revisions, len(f.LooseRevisions))
				}
				if f.CurrentRevision == nil || f.CurrentRevision.Number != 10 {
					t.Errorf("%s: current revision %+v", what, f.CurrentRevision)
				}
			}
			doc := `<file name="a.txt">` + c.body + `</file>`
			var e Entry
			if err := xml.Unmarshal([]byte(doc), &e); err != nil {
				t.Fatal(err)
			}
			check("entry", e.AsFile())
			var f File
			if err := xml.Unmarshal([]byte(doc), &f); err != nil {
				t.Fatal(err)
			}
			check("file", &f)
			var d Folder
			if err := xml.Unmarshal([]byte(`<folder name="x"><files>`+doc+`</files></folder>`), &d); err != nil {
				t.Fatal(err)
			}
			if len(d.Files) != 1 {
				t.Fatalf("listing has %d files", len(d.Files))
			}
			check("listing", &d.Files[0])
		})
	}
	var f File
	if err := xml.Unmarshal(readFixture(t, "file_loose_revisions.xml"), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Revisions) != 2 || f.Revisions[0].Number != 9 || f.Revisions[1].Size != 100 {
		t.Errorf("fixture: revisions %+v", f.Revisions)
	}
}

// TestDecodeViewRoots: the replies of the built-in device's virtual
// views and of mode=list are recognised for what they are.
func TestDecodeViewRoots(t *testing.T) {
	for _, c := range []struct {
		fixture, kind string
		files         int
	}{
		{"searchresult.xml", KindSearchResult, 1},
		{"filedirlist.xml", KindFileDirList, 0},
	} {
		var e Entry
		if err := xml.Unmarshal(readFixture(t, c.fixture), &e); err != nil {
			t.Fatal(err)
		}
		if e.Kind() != c.kind || !e.IsView() || e.IsDir() || len(e.Files) != c.files {
			t.Errorf("%s: kind %q view %v dir %v files %d", c.fixture, e.Kind(), e.IsView(), e.IsDir(), len(e.Files))
		}
	}
	var s SearchResult
	if err := xml.Unmarshal(readFixture(t, "searchresult.xml"), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 1 || !s.Files[0].IsLive() || s.Files[0].Path == "" || s.Metadata.NumFiles != 1 {
		t.Errorf("search result: %+v", s)
	}
	var l FileDirList
	if err := xml.Unmarshal(readFixture(t, "filedirlist.xml"), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Folders) != 2 || l.Folders[0].Name != "photos" || len(l.Folders[0].Files) != 1 || l.Folders[1].Path == "" {
		t.Fatalf("file dir list: %+v", l)
	}
	if got := l.Folders[0].Files[0].CurrentRevision.MD5; !strings.EqualFold(got, "5d41402abc4b2a76b9719d911017c592") {
		t.Errorf("md5 %q", got)
	}
}

// TestDecodeFreshMountPoint: a mount point nobody wrote to yet has empty
// <size> and <modified>.
func TestDecodeFreshMountPoint(t *testing.T) {
	var e Entry
	if err := xml.Unmarshal(readFixture(t, "mountpoint_fresh.xml"), &e); err != nil {
		t.Fatal(err)
	}
	if e.Kind() != KindMountPoint || !e.IsDir() || e.Size != 0 || !e.Modified.IsZero() || e.DisplayName() != "Documents" {
		t.Errorf("fresh mount point: %+v", e)
	}
}
