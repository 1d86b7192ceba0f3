package emulator_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

func TestUserDeviceAndMountPoints(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	u := decodeXML[xUser](t, e.jfs("GET", ""))
	if u.Username != e.user || u.Capacity != -1 || len(u.Devices) != 1 || u.Devices[0].Name != "Jotta" || u.Devices[0].Type != "JOTTA" {
		t.Fatalf("user: %+v", u)
	}
	r := e.jfs("POST", "LAPTOP-1?type=WORKSTATION")
	mustStatus(t, r, http.StatusCreated)
	if d := decodeXML[xDevice](t, r); d.Name != "LAPTOP-1" || d.Type != "WORKSTATION" {
		t.Fatalf("created device: %+v", d)
	}
	mustStatus(t, e.jfs("POST", "LAPTOP-1?type=WORKSTATION"), http.StatusCreated)
	mustStatus(t, e.jfs("POST", "LAPTOP-2?type=TOASTER"), http.StatusBadRequest)
	if u = decodeXML[xUser](t, e.jfs("GET", "")); len(u.Devices) != 2 {
		t.Fatalf("devices after create: %+v", u.Devices)
	}
	for _, tc := range []struct {
		name   string
		status int
	}{{"first create", http.StatusCreated}, {"second create", http.StatusOK}} {
		t.Run(tc.name, func(t *testing.T) {
			mustStatus(t, e.jfs("POST", "laptop-1/Documents"), tc.status)
		})
	}
	d := decodeXML[xDevice](t, e.jfs("GET", "Jotta"))
	if d.Meta.NumMounts != "3" || len(d.Mounts) != 3 || d.Mounts[0].Name != "Archive" {
		t.Fatalf("Jotta device: %+v", d)
	}
	e.put("/jfs/LAPTOP-1/Documents/a/b.txt", []byte("hello"))
	d = decodeXML[xDevice](t, e.jfs("GET", "LAPTOP-1"))
	if len(d.Mounts) != 1 || d.Mounts[0].Name != "Documents" || d.Mounts[0].Size != 5 {
		t.Fatalf("backup device: %+v", d)
	}
	mp := decodeXML[xFolder](t, e.jfs("GET", "LAPTOP-1/Documents"))
	if mp.XMLName.Local != "mountPoint" || mp.Path != "/"+e.user+"/LAPTOP-1" || mp.Size != "5" || mp.Meta.NumFolders != "1" {
		t.Fatalf("mount point: %+v", mp)
	}
	if u = decodeXML[xUser](t, e.jfs("GET", "")); u.Usage != 5 {
		t.Fatalf("usage = %d, want 5", u.Usage)
	}
	mustStatus(t, e.jfs("GET", "NoSuchDevice"), http.StatusNotFound)
	r = e.jfs("GET", "Jotta/NoSuchMount")
	mustStatus(t, r, http.StatusNotFound)
	if xe := decodeXML[xError](t, r); !strings.Contains(xe.Message, "NoSuchMountPointException") {
		t.Fatalf("missing mount point error: %+v", xe)
	}
	mustStatus(t, e.jfs("POST", "LAPTOP-1?rm=true"), http.StatusOK)
	if u = decodeXML[xUser](t, e.jfs("GET", "")); len(u.Devices) != 1 || u.Usage != 0 {
		t.Fatalf("after device delete: %+v", u)
	}
}

func TestFolderListing(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.put("/jfs/Jotta/Archive/photos/cat.jpg", []byte("meow"))
	e.put("/jfs/Jotta/Archive/photos/dog.jpg", []byte("woof"))
	e.put("/jfs/Jotta/Archive/photos/2023/x.txt", []byte("x"))
	mustStatus(t, e.jfs("POST", "Jotta/Archive/photos/old?mkDir=true"), 200)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/photos/old?dlDir=true"), 200)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/photos/dog.jpg?dl=true"), 200)
	big := bytes.Repeat([]byte("z"), 100)
	if st, _ := e.allocate("/jfs/Jotta/Archive/photos/movie.mkv", md5hex(big), 100); st != 200 {
		t.Fatal("allocate failed")
	}
	f := decodeXML[xFolder](t, e.jfs("GET", "Jotta/Archive/photos"))
	parent := "/" + e.user + "/Jotta/Archive"
	if f.XMLName.Local != "folder" || f.Name != "photos" || f.Path != parent || f.Abspath != parent || f.Deleted != "" {
		t.Fatalf("folder root: %+v", f)
	}
	if f.Meta.Total != "5" || f.Meta.NumFolders != "2" || f.Meta.NumFiles != "3" {
		t.Fatalf("metadata counts %+v, want total 5, 2 folders, 3 files", f.Meta)
	}
	byName := map[string]xFile{}
	for _, x := range f.Files {
		byName[x.Name] = x
		if len(x.Revisions) != 0 {
			t.Errorf("%s: listing carries revision history", x.Name)
		}
	}
	if c := byName["cat.jpg"].Current; c == nil || c.State != "COMPLETED" || c.Size == nil || *c.Size != "4" || c.MD5 != md5hex([]byte("meow")) {
		t.Fatalf("cat.jpg current: %+v", c)
	}
	if c := byName["cat.jpg"].Current; c.Created != "2024-05-01-T10:00:00Z" || c.Modified != "2024-05-01-T10:00:00Z" {
		t.Fatalf("cat.jpg times %q %q, want Jotta format UTC", c.Created, c.Modified)
	}
	if d := byName["dog.jpg"]; d.Deleted == "" || d.Abspath != parent+"/photos" {
		t.Fatalf("dog.jpg tombstone: %+v", d)
	}
	if m := byName["movie.mkv"]; m.Current != nil || m.Latest == nil || m.Latest.State != "INCOMPLETE" || m.Latest.Size != nil {
		t.Fatalf("movie.mkv incomplete: %+v / %+v", m.Current, m.Latest)
	}
	var old xFolderRef
	for _, x := range f.Folders {
		if x.Name == "old" {
			old = x
		}
	}
	if old.Deleted == "" || old.Abspath != parent+"/photos" {
		t.Fatalf("trashed subfolder: %+v", f.Folders)
	}
	tr := decodeXML[xFolder](t, e.jfs("GET", "Jotta/Archive/photos/old"))
	mustStatus(t, e.jfs("GET", "Jotta/Archive/photos/old"), 200)
	if tr.Deleted == "" {
		t.Fatal("GET of a trashed folder lacks the deleted attribute")
	}
	df := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/photos/dog.jpg"))
	if df.Deleted == "" || df.Current == nil {
		t.Fatalf("GET of trashed file: %+v", df)
	}
}

func TestFileRevisions(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	for i := 0; i < 7; i++ {
		e.put("/jfs/Jotta/Archive/doc.txt", []byte(strings.Repeat("v", i+1)))
	}
	data := []byte("partial upload content")
	_, ar := e.allocate("/jfs/Jotta/Archive/doc.txt", md5hex(data), int64(len(data)))
	r := e.sendBytes(ar.UploadURL, data[:5], map[string]string{"Range": "bytes=0-4"})
	mustStatus(t, r, 420)
	f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/doc.txt"))
	if f.Path != "/"+e.user+"/Jotta/Archive" || f.UUID == "" {
		t.Fatalf("file path/uuid: %+v", f)
	}
	if f.Current == nil || f.Current.Number != 7 || *f.Current.Size != "7" {
		t.Fatalf("current: %+v", f.Current)
	}
	if f.Latest == nil || f.Latest.Number != 8 || f.Latest.State != "INCOMPLETE" || f.Latest.Size == nil || *f.Latest.Size != "5" {
		t.Fatalf("latest (direct GET shows received bytes): %+v", f.Latest)
	}
	var nums []int
	for _, rv := range f.Revisions {
		nums = append(nums, rv.Number)
	}
	if len(nums) != 3 || nums[0] != 6 || nums[2] != 4 {
		t.Fatalf("older revisions %v, want [6 5 4] (5 kept in all)", nums)
	}
	r = e.jfs("GET", "Jotta/Archive/doc.txt?mode=bin&revision=5")
	mustStatus(t, r, 200)
	if string(r.body) != "vvvvv" {
		t.Fatalf("revision 5 content %q", r.body)
	}
	mustStatus(t, e.jfs("GET", "Jotta/Archive/doc.txt?mode=bin&revision=1"), 404)
}

func TestPathDecoding(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.put("/jfs/Jotta/Archive/a b.txt", []byte("space"))
	e.put("/jfs/Jotta/Archive/c+d.txt", []byte("plus"))
	e.put("/jfs/Jotta/Archive/Mixed Case.TXT", []byte("case"))
	for _, tc := range []struct {
		name    string
		rel     string
		status  int
		errPart string
	}{
		{"percent-encoded space", "Jotta/Archive/a%20b.txt", 200, ""},
		{"plus decodes to space", "Jotta/Archive/a+b.txt", 200, ""},
		{"escaped plus", "Jotta/Archive/c%2Bd.txt", 200, ""},
		{"raw plus is not a plus", "Jotta/Archive/c+d.txt", 404, "NoSuch"},
		{"case-insensitive", "jotta/archive/MIXED%20case.txt", 200, ""},
		{"name too long", "Jotta/Archive/" + strings.Repeat("n", 256), 400, "InvalidArgumentException"},
		{"name of 255 bytes", "Jotta/Archive/" + strings.Repeat("n", 255), 404, ""},
		{"invalid utf-8", "Jotta/Archive/%FF.txt", 400, "IllegalArgumentException"},
		{"literal percent escape", "Jotta/Archive/x%2520y.txt", 400, ""},
		{"semicolon", "Jotta/Archive/a%3Bb", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.jfs("GET", tc.rel)
			mustStatus(t, r, tc.status)
			if tc.errPart != "" {
				if xe := decodeXML[xError](t, r); !strings.Contains(xe.Message, tc.errPart) {
					t.Fatalf("error message %q lacks %q", xe.Message, tc.errPart)
				}
			}
		})
	}
	f := decodeXML[xFile](t, e.jfs("GET", "jotta/archive/mixed%20CASE.txt"))
	if f.Name != "Mixed Case.TXT" {
		t.Fatalf("name not case-preserved: %q", f.Name)
	}
	// Case-insensitive namespace: another case overwrites, not adds.
	e.put("/jfs/Jotta/Archive/MIXED CASE.txt", []byte("case2"))
	l := decodeXML[xFolder](t, e.jfs("GET", "Jotta/Archive"))
	if l.Meta.NumFiles != "3" {
		t.Fatalf("case variants created separate files: %+v", l.Meta)
	}
	r := e.do("GET", "/jfs/someoneelse/Jotta", nil, nil)
	mustStatus(t, r, 400)
	if xe := decodeXML[xError](t, r); !strings.Contains(xe.Message, "UsernameNotFoundException") {
		t.Fatalf("wrong user: %+v", xe)
	}
}

// TestPercentNamesCannotComeBack: like the real service, the emulator
// stores a name holding %XX that arrives in an allocate body, lists it,
// but answers 400 to every path request for it (read, download, trash,
// move), because it decodes the path a second time.
func TestPercentNamesCannotComeBack(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.put("/jfs/Jotta/Archive/Photos%202020/Report%20final.pdf", []byte("stored"))
	if body := e.jfs("GET", "Jotta/Archive?mode=liststream").String(); !strings.Contains(body, "Report%20final.pdf") {
		t.Fatalf("liststream does not list the name: %s", body)
	}
	for _, rel := range []string{
		"Jotta/Archive/Photos%25202020",
		"Jotta/Archive/Photos%25202020/Report%2520final.pdf",
		"Jotta/Archive/Photos%25202020/Report%2520final.pdf?mode=bin",
	} {
		mustStatus(t, e.jfs("GET", rel), 400)
	}
	mustStatus(t, e.jfs("POST", "Jotta/Archive/Photos%25202020/Report%2520final.pdf?dl=true"), 400)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/Photos%25202020?dlDir=true"), 400)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/Photos%25202020/Report%2520final.pdf?mv=/"+e.user+"/Jotta/Archive/ok.pdf"), 400)
	// The look-alike the client stores instead comes back.
	e.put("/jfs/Jotta/Archive/Report\uFF0520final.pdf", []byte("stored"))
	mustStatus(t, e.jfs("GET", "Jotta/Archive/Report%EF%BC%8520final.pdf?mode=bin"), 200)
}

func TestMkDir(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	mustStatus(t, e.jfs("POST", "LAPTOP?type=LAPTOP"), 201)
	for _, tc := range []struct{ name, rel string }{
		{"creates mount point and chain", "LAPTOP/Pictures/a/b/c?mkDir=true"},
		{"idempotent", "LAPTOP/Pictures/a/b/c?mkDir=true"},
		{"other case", "laptop/pictures/A/B?mkDir=true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.jfs("POST", tc.rel)
			mustStatus(t, r, 200)
			if f := decodeXML[xFolder](t, r); f.XMLName.Local != "folder" {
				t.Fatalf("reply root %q", f.XMLName.Local)
			}
		})
	}
	f := decodeXML[xFolder](t, e.jfs("GET", "LAPTOP/Pictures/a/b"))
	if len(f.Folders) != 1 || f.Folders[0].Name != "c" || f.Name != "b" {
		t.Fatalf("folder b: %+v", f)
	}
	mustStatus(t, e.jfs("POST", "Nope/Pictures/a?mkDir=true"), 404)
}

func TestVerbRules(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.put("/jfs/Jotta/Archive/dir/f.txt", []byte("f"))
	user := e.user
	for _, tc := range []struct {
		name   string
		rel    string
		ctype  string
		body   string
		status int
	}{
		{"dl on folder", "Jotta/Archive/dir?dl=true", "", "", 404},
		{"rm on folder", "Jotta/Archive/dir?rm=true", "", "", 404},
		{"mv on folder", "Jotta/Archive/dir?mv=/" + user + "/Jotta/Archive/dir2", "", "", 404},
		{"mvDir on file", "Jotta/Archive/dir/f.txt/?mvDir=/" + user + "/Jotta/Archive/g", "", "", 404},
		{"mvDir without trailing slash", "Jotta/Archive/dir?mvDir=/" + user + "/Jotta/Archive/dir2", "", "", 404},
		{"dlDir on file", "Jotta/Archive/dir/f.txt?dlDir=true", "", "", 404},
		{"rmDir on file", "Jotta/Archive/dir/f.txt?rmDir=true", "", "", 404},
		{"no command on folder", "Jotta/Archive/dir", "", "", 500},
		{"restore is not a verb", "Jotta/Archive/dir/f.txt?restore=true", "", "", 500},
		{"octet-stream routes as upload", "Jotta/Archive/dir/f.txt?dl=true", "application/octet-stream", "", 400},
		{"octet-stream with md5 header", "Jotta/Archive/dir/f.txt?dl=true", "application/octet-stream", "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.ctype != "" {
				hdr["Content-Type"] = tc.ctype
			}
			if tc.status == 404 && tc.ctype != "" {
				hdr["JMd5"] = md5hex([]byte("f"))
			}
			r := e.do("POST", "/jfs/"+user+"/"+tc.rel, hdr, strings.NewReader(tc.body))
			mustStatus(t, r, tc.status)
			decodeXML[xError](t, r)
		})
	}
	// Nothing above changed the tree.
	f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/dir/f.txt"))
	if f.Deleted != "" || f.Current == nil {
		t.Fatalf("file changed by rejected commands: %+v", f)
	}
	// A form body's fields count as parameters, as on a servlet.
	r := e.do("POST", "/jfs/"+user+"/Jotta/Archive/dir/f.txt", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, strings.NewReader("dl=true"))
	mustStatus(t, r, 200)
	if f := decodeXML[xFile](t, r); f.Deleted == "" {
		t.Fatal("dl in a form body did not trash the file")
	}
}

func TestTrashAndPurge(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.put("/jfs/Jotta/Archive/keep.txt", []byte("keep"))
	e.put("/jfs/Jotta/Archive/gone.txt", []byte("gone"))
	e.put("/jfs/Jotta/Archive/dir/a.txt", []byte("a"))
	e.put("/jfs/Jotta/Archive/dir/sub/b.txt", []byte("b"))
	mustStatus(t, e.jfs("POST", "Jotta/Archive/gone.txt?dl=true"), 200)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/dir?dlDir=true"), 200)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/never-existed.txt?dl=true"), 200)
	tr := decodeXML[xFolder](t, e.jfs("GET", "Jotta/Trash"))
	if tr.XMLName.Local != "mountPoint" || tr.NameEl != "Trash" || tr.Size != "" {
		t.Fatalf("trash root: %+v", tr)
	}
	if len(tr.Files) != 1 || tr.Files[0].Name != "gone.txt" || tr.Files[0].ContextType != "TRASH" || tr.Files[0].Abspath != "/"+e.user+"/Jotta/Archive" {
		t.Fatalf("trash files: %+v", tr.Files)
	}
	if len(tr.Folders) != 1 || tr.Folders[0].Name != "dir" || tr.Folders[0].Deleted == "" {
		t.Fatalf("trash folders (only top-level trashed items): %+v", tr.Folders)
	}
	sub := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/dir/sub/b.txt"))
	if sub.Deleted == "" {
		t.Fatal("dlDir did not trash the subtree")
	}
	u := decodeXML[xUser](t, e.jfs("GET", ""))
	if u.Usage != 10 {
		t.Fatalf("usage before purge %d, want 10 (trash counts)", u.Usage)
	}
	r := e.do("POST", "/files/v1/purge_trash", nil, nil)
	mustStatus(t, r, 200)
	var counts struct{ Folders, Files int }
	if err := json.Unmarshal(r.body, &counts); err != nil {
		t.Fatal(err)
	}
	if counts.Folders != 2 || counts.Files != 3 {
		t.Fatalf("purge counts %+v, want 2 folders 3 files", counts)
	}
	mustStatus(t, e.jfs("GET", "Jotta/Archive/gone.txt"), 404)
	mustStatus(t, e.jfs("GET", "Jotta/Archive/keep.txt"), 200)
	if u = decodeXML[xUser](t, e.jfs("GET", "")); u.Usage != 4 {
		t.Fatalf("usage after purge %d, want 4", u.Usage)
	}
	// Uploading to a trashed path brings it back.
	e.put("/jfs/Jotta/Archive/back.txt", []byte("b1"))
	mustStatus(t, e.jfs("POST", "Jotta/Archive/back.txt?dl=true"), 200)
	e.put("/jfs/Jotta/Archive/back.txt", []byte("b2"))
	if f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/back.txt")); f.Deleted != "" || f.Current.Number != 2 {
		t.Fatalf("revived file: %+v", f)
	}
}

func TestMoveCopyRemove(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	u := e.user
	e.put("/jfs/Jotta/Archive/src/a.txt", []byte("aaa"))
	e.put("/jfs/Jotta/Archive/src/deep/b.txt", []byte("bbb"))
	e.put("/jfs/Jotta/Archive/t.txt", []byte("ttt"))
	dest := func(p string) string { return url.QueryEscape("/" + u + p) }
	for _, tc := range []struct {
		name    string
		rel     string
		status  int
		gone    string
		present string
	}{
		{"mv file to new folder", "Jotta/Archive/src/a.txt?mv=" + dest("/Jotta/Archive/new dir/a2.txt"), 200, "Jotta/Archive/src/a.txt", "Jotta/Archive/new%20dir/a2.txt"},
		{"cp file", "Jotta/Archive/new%20dir/a2.txt?cp=" + dest("/Jotta/Sync/a3.txt"), 200, "", "Jotta/Sync/a3.txt"},
		{"mvDir folder", "Jotta/Archive/src/?mvDir=" + dest("/Jotta/Archive/moved"), 200, "Jotta/Archive/src/deep/b.txt", "Jotta/Archive/moved/deep/b.txt"},
		{"mvDir into itself", "Jotta/Archive/moved/?mvDir=" + dest("/Jotta/Archive/moved/deep/x"), 400, "", "Jotta/Archive/moved/deep/b.txt"},
		{"mvDir onto live folder", "Jotta/Archive/moved/?mvDir=" + dest("/Jotta/Archive/new dir"), 409, "", "Jotta/Archive/moved/deep/b.txt"},
		{"rename case", "Jotta/Archive/t.txt?mv=" + dest("/Jotta/Archive/T.TXT"), 200, "", "Jotta/Archive/T.TXT"},
		{"mv missing", "Jotta/Archive/zzz.txt?mv=" + dest("/Jotta/Archive/y.txt"), 404, "", ""},
		{"mv to other user", "Jotta/Archive/T.TXT?mv=" + url.QueryEscape("/other/Jotta/Archive/y.txt"), 400, "", "Jotta/Archive/T.TXT"},
		{"rm file", "Jotta/Sync/a3.txt?rm=true", 200, "Jotta/Sync/a3.txt", ""},
		{"rm missing file", "Jotta/Sync/a3.txt?rm=true", 404, "", ""},
		{"rmDir folder", "Jotta/Archive/moved?rmDir=true", 200, "Jotta/Archive/moved", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustStatus(t, e.jfs("POST", tc.rel), tc.status)
			if tc.gone != "" {
				mustStatus(t, e.jfs("GET", tc.gone), 404)
			}
			if tc.present != "" {
				mustStatus(t, e.jfs("GET", tc.present), 200)
			}
		})
	}
	if f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/T.TXT")); f.Name != "T.TXT" {
		t.Fatalf("case rename kept name %q", f.Name)
	}
	// Copy onto a trashed file: the copy lands, still trashed.
	e.put("/jfs/Jotta/Archive/c1.txt", []byte("c1"))
	e.put("/jfs/Jotta/Archive/c2.txt", []byte("c2"))
	mustStatus(t, e.jfs("POST", "Jotta/Archive/c2.txt?dl=true"), 200)
	r := e.jfs("POST", "Jotta/Archive/c1.txt?cp="+dest("/Jotta/Archive/c2.txt"))
	mustStatus(t, r, 200)
	f := decodeXML[xFile](t, r)
	if f.Deleted == "" || f.Current.MD5 != md5hex([]byte("c1")) {
		t.Fatalf("copy onto trashed file: deleted=%q current=%+v", f.Deleted, f.Current)
	}
	// 500-but-applied is possible for mvDir: exercised in the fault tests.
}

func TestCphash(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := []byte("dedup me")
	e.put("/jfs/Jotta/Archive/orig.txt", data)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/trashed.txt?dl=true"), 200)
	for _, tc := range []struct {
		name   string
		rel    string
		md5    string
		size   string
		status int
	}{
		{"same content updates times", "Jotta/Archive/orig.txt", md5hex(data), "8", 200},
		{"known content elsewhere", "Jotta/Archive/sub/copy.txt", md5hex(data), "8", 200},
		{"unknown content", "Jotta/Archive/other.txt", md5hex([]byte("nope")), "4", 404},
		{"missing headers", "Jotta/Archive/orig.txt", "", "", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{"JMd5": tc.md5, "JSize": tc.size, "JCreated": "2020-01-02-T03:04:05+0200", "JModified": "2021-01-02-T03:04:05Z"}
			r := e.do("POST", "/jfs/"+e.user+"/"+tc.rel+"?cphash=true", hdr, nil)
			mustStatus(t, r, tc.status)
			if tc.status != 200 {
				return
			}
			f := decodeXML[xFile](t, r)
			if f.Current == nil || f.Current.Modified != "2021-01-02-T03:04:05Z" || f.Current.Created != "2020-01-02-T01:04:05Z" {
				t.Fatalf("cphash result: %+v", f.Current)
			}
		})
	}
	if f := decodeXML[xFile](t, e.jfs("GET", "Jotta/Archive/orig.txt")); f.Current.Number != 1 {
		t.Fatalf("same-content cphash added a revision: %d", f.Current.Number)
	}
	r := e.jfs("GET", "Jotta/Archive/sub/copy.txt?mode=bin")
	mustStatus(t, r, 200)
	if string(r.body) != string(data) {
		t.Fatalf("deduplicated content %q", r.body)
	}
}

func TestDownloadRanges(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	data := []byte("0123456789")
	e.put("/jfs/Jotta/Archive/d.bin", data)
	for _, tc := range []struct {
		name   string
		rng    string
		status int
		body   string
		cr     string
	}{
		{"whole file", "", 200, "0123456789", ""},
		{"closed range", "bytes=2-5", 206, "2345", "bytes 2-5/10"},
		{"open range", "bytes=7-", 206, "789", "bytes 7-9/10"},
		{"suffix range", "bytes=-3", 206, "789", "bytes 7-9/10"},
		{"end past size is clipped", "bytes=8-100", 206, "89", "bytes 8-9/10"},
		{"inverted range", "bytes=5-2", 416, "", ""},
		{"start past end", "bytes=10-", 416, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.rng != "" {
				hdr["Range"] = tc.rng
			}
			r := e.do("GET", "/jfs/"+e.user+"/Jotta/Archive/d.bin?mode=bin", hdr, nil)
			mustStatus(t, r, tc.status)
			if tc.status == 416 {
				if xe := decodeXML[xError](t, r); !strings.Contains(xe.Message, "RequestedRangeNotSatisfiedException") {
					t.Fatalf("416 message %q", xe.Message)
				}
				return
			}
			if string(r.body) != tc.body || r.header.Get("Content-Range") != tc.cr {
				t.Fatalf("body %q range %q", r.body, r.header.Get("Content-Range"))
			}
		})
	}
	big := bytes.Repeat([]byte("q"), 50)
	e.allocate("/jfs/Jotta/Archive/inc.bin", md5hex(big), 50)
	mustStatus(t, e.jfs("GET", "Jotta/Archive/inc.bin?mode=bin"), 404)
	mustStatus(t, e.jfs("GET", "Jotta/Archive?mode=bin"), 404)
}

// streamDoc is a parsed liststream document.
type streamDoc struct {
	folders []string
	files   []struct{ path, name, md5, size, modified, created string }
	stats   struct{ folders, files string }
}

func parseStream(t *testing.T, body []byte) streamDoc {
	t.Helper()
	var doc streamDoc
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("liststream is not well-formed: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "folder":
			var v struct {
				Path string `xml:"path"`
			}
			if err := dec.DecodeElement(&v, &se); err != nil {
				t.Fatal(err)
			}
			doc.folders = append(doc.folders, v.Path)
		case "file":
			var v struct {
				Path     string `xml:"path"`
				Filename string `xml:"filename"`
				MD5      string `xml:"md5"`
				Size     string `xml:"size"`
				Modified string `xml:"modified"`
				Created  string `xml:"created"`
			}
			if err := dec.DecodeElement(&v, &se); err != nil {
				t.Fatal(err)
			}
			doc.files = append(doc.files, struct{ path, name, md5, size, modified, created string }{v.Path, v.Filename, v.MD5, v.Size, v.Modified, v.Created})
		case "stats":
			var v struct {
				Folders string `xml:"folders"`
				Files   string `xml:"files"`
			}
			if err := dec.DecodeElement(&v, &se); err != nil {
				t.Fatal(err)
			}
			doc.stats.folders, doc.stats.files = v.Folders, v.Files
		}
	}
	return doc
}

func TestListStream(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.put("/jfs/Jotta/Archive/backups/top.txt", []byte("top"))
	e.put("/jfs/Jotta/Archive/backups/2024/db.tar", []byte("db"))
	e.put("/jfs/Jotta/Archive/backups/2024/jan/x.bin", []byte("x"))
	e.put("/jfs/Jotta/Archive/backups/trashed.txt", []byte("t"))
	e.put("/jfs/Jotta/Archive/backups/olddir/y.txt", []byte("y"))
	mustStatus(t, e.jfs("POST", "Jotta/Archive/backups/trashed.txt?dl=true"), 200)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/backups/olddir?dlDir=true"), 200)
	e.allocate("/jfs/Jotta/Archive/backups/2024/partial.bin", md5hex([]byte("zz")), 2)
	mustStatus(t, e.jfs("POST", "Jotta/Archive/backups/empty?mkDir=true"), 200)
	for _, tc := range []struct {
		name    string
		rel     string
		folders []string
		files   []string
	}{
		{"from a folder", "Jotta/Archive/backups", []string{"/Archive/backups", "/Archive/backups/2024", "/Archive/backups/2024/jan", "/Archive/backups/empty"},
			[]string{"/Archive/backups/top.txt", "/Archive/backups/2024/db.tar", "/Archive/backups/2024/jan/x.bin"}},
		{"from a mount point", "Jotta/Archive", []string{"/Archive", "/Archive/backups", "/Archive/backups/2024", "/Archive/backups/2024/jan", "/Archive/backups/empty"},
			[]string{"/Archive/backups/top.txt", "/Archive/backups/2024/db.tar", "/Archive/backups/2024/jan/x.bin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.jfs("GET", tc.rel+"?mode=liststream")
			mustStatus(t, r, 200)
			doc := parseStream(t, r.body)
			if strings.Join(doc.folders, ",") != strings.Join(tc.folders, ",") {
				t.Fatalf("folders %v, want %v", doc.folders, tc.folders)
			}
			var files []string
			for _, f := range doc.files {
				files = append(files, f.path+"/"+f.name)
			}
			if strings.Join(files, ",") != strings.Join(tc.files, ",") {
				t.Fatalf("files %v, want %v", files, tc.files)
			}
			if doc.stats.folders != itoa(int64(len(tc.folders))) || doc.stats.files != itoa(int64(len(tc.files))) {
				t.Fatalf("stats %+v", doc.stats)
			}
			seen := map[string]bool{}
			for _, f := range doc.folders {
				seen[f] = true
			}
			for _, f := range doc.files {
				if !seen[f.path] {
					t.Errorf("file %s/%s appears before (or without) its folder", f.path, f.name)
				}
				if _, err := time.Parse("2006-01-02T15:04:05.000Z07:00", f.modified); err != nil || !strings.Contains(f.modified, ".") {
					t.Errorf("modified %q is not RFC 3339 with milliseconds", f.modified)
				}
			}
		})
	}
	mustStatus(t, e.jfs("GET", "Jotta/Archive/backups/top.txt?mode=liststream"), 400)
	mustStatus(t, e.jfs("GET", "Jotta/Archive/nope?mode=liststream"), 404)
}

func TestListMode(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.put("/jfs/Jotta/Archive/l/a.txt", []byte("a"))
	e.put("/jfs/Jotta/Archive/l/s/b.txt", []byte("b"))
	r := e.jfs("GET", "Jotta/Archive/l?mode=list")
	mustStatus(t, r, 200)
	var doc struct {
		XMLName xml.Name `xml:"filedirlist"`
		Folders []struct {
			Name  string  `xml:"name,attr"`
			Files []xFile `xml:"files>file"`
		} `xml:"folders>folder"`
	}
	if err := xml.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Folders) != 2 || doc.Folders[0].Name != "l" || len(doc.Folders[1].Files) != 1 {
		t.Fatalf("filedirlist: %+v", doc)
	}
}
