package api

import (
	"encoding/json"
	"encoding/xml"
	"testing"
)

// FuzzDecodeXMLDocuments feeds arbitrary bytes to every JFS XML type; the
// decoders must fail cleanly, never panic, and keep Time values consistent.
func FuzzDecodeXMLDocuments(f *testing.F) {
	for _, name := range []string{"user.xml", "device.xml", "mountpoint.xml", "folder.xml", "file.xml", "trash.xml", "error.xml",
		"file_loose_revisions.xml", "searchresult.xml", "filedirlist.xml", "mountpoint_fresh.xml"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`<file deleted="garbage"><currentRevision><modified/></currentRevision></file>`))
	f.Add([]byte(`<file><currentRevision><number>2</number></currentRevision><revision><number>2</number></revision><revision><number>1</number></revision><revisions><revision/></revisions></file>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Entry
		if err := xml.Unmarshal(b, &e); err == nil {
			if len(e.LooseRevisions) != 0 {
				t.Fatal("loose revisions left unmerged")
			}
			if len(e.AsFile().Revisions) != len(e.Revisions) {
				t.Fatal("AsFile lost revisions")
			}
			if e.Kind() == KindFile {
				file := e.AsFile()
				if file.IsLive() && (file.CurrentRevision == nil || file.IsDeleted()) {
					t.Fatal("IsLive inconsistent")
				}
			}
			_ = e.AsFolder()
		}
		var u User
		_ = xml.Unmarshal(b, &u)
		var d Device
		_ = xml.Unmarshal(b, &d)
		var x XMLError
		if err := xml.Unmarshal(b, &x); err == nil {
			class, _ := x.Exception()
			for _, c := range class {
				if c == ' ' || c == '.' {
					t.Fatalf("class %q is not a short class name", class)
				}
			}
		}
	})
}

// FuzzDecodeJSONBodies does the same for the JSON bodies.
func FuzzDecodeJSONBodies(f *testing.F) {
	for _, name := range []string{"customer.json", "allocate.json", "upload.json", "error.json", "oauth_error.json", "token.json", "oidc.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"modified":"2024-05-01T10:00:00Z"}`))
	f.Add([]byte(`{"modified":1e300}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Customer
		_ = json.Unmarshal(b, &c)
		var a AllocateResponse
		_ = json.Unmarshal(b, &a)
		var u UploadResponse
		if err := json.Unmarshal(b, &u); err == nil && !u.Modified.IsZero() {
			if _, err := json.Marshal(u); err != nil {
				t.Fatalf("decoded upload reply does not encode: %v", err)
			}
		}
		var e JSONError
		_ = json.Unmarshal(b, &e)
		var o OAuthError
		_ = json.Unmarshal(b, &o)
		var tr TokenResponse
		_ = json.Unmarshal(b, &tr)
	})
}
