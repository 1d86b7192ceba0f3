package emulator_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

func TestPutRevisionSeedsBadStates(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	s := e.run.Server
	full := []byte("the whole content of a file")
	upper := strings.ToUpper(md5hex(full))
	mod := time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.PutRevision(context.Background(), "/jfs/Jotta/Archive/inc.bin", emulator.SeedRevision{State: "INCOMPLETE", Data: full[:9], MD5: upper, Size: int64(len(full)), Modified: mod}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFile(context.Background(), "/jfs/Jotta/Archive/pair.txt", []byte("good"), mod); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRevision(context.Background(), "/jfs/Jotta/Archive/pair.txt", emulator.SeedRevision{State: "CORRUPT", MD5: md5hex([]byte("bad")), Size: 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRevision(context.Background(), "/jfs/Jotta/Archive/notime.txt", emulator.SeedRevision{Data: []byte("n")}); err != nil {
		t.Fatal(err)
	}
	l := decodeXML[xFolder](t, e.jfs("GET", "Jotta/Archive"))
	files := map[string]xFile{}
	for _, f := range l.Files {
		files[f.Name] = f
	}
	if f := files["inc.bin"]; f.Current != nil || f.Latest == nil || f.Latest.State != "INCOMPLETE" || f.Latest.MD5 != upper || f.Latest.Size != nil {
		t.Fatalf("seeded incomplete: %+v %+v", f.Current, f.Latest)
	}
	if f := files["pair.txt"]; f.Current == nil || f.Latest == nil || f.Latest.State != "CORRUPT" {
		t.Fatalf("seeded pair: %+v %+v", f.Current, f.Latest)
	}
	if f := files["notime.txt"]; f.Current == nil || f.Current.Modified != "" || f.Current.Created != "" {
		t.Fatalf("seeded empty times: %+v", f.Current)
	}
	if !bytes.Contains(e.jfs("GET", "Jotta/Archive").body, []byte("<modified></modified>")) {
		t.Fatal("empty modified element missing")
	}
	_, ar := e.allocate("/jfs/Jotta/Archive/inc.bin", md5hex(full), int64(len(full)))
	if ar.State != "INCOMPLETE" || ar.ResumePos != 9 {
		t.Fatalf("resume of a seeded upload: %+v", ar)
	}
	mustStatus(t, e.sendBytes(ar.UploadURL, full[9:], map[string]string{"Range": "bytes=9-"}), 201)
	if r := e.jfs("GET", "Jotta/Archive/inc.bin?mode=bin"); !bytes.Equal(r.body, full) {
		t.Fatalf("content %q", r.body)
	}
	for _, tc := range []struct {
		name string
		rev  emulator.SeedRevision
	}{
		{"completed with wrong md5", emulator.SeedRevision{Data: []byte("x"), MD5: md5hex([]byte("y"))}},
		{"incomplete with all bytes", emulator.SeedRevision{State: "INCOMPLETE", Data: []byte("xy"), Size: 2}},
		{"unknown state", emulator.SeedRevision{State: "ADDED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.PutRevision(context.Background(), "/jfs/Jotta/Archive/bad.txt", tc.rev); err == nil {
				t.Fatal("accepted a bad seed")
			}
		})
	}
	if err := s.PutFile(context.Background(), "/jfs/NoDevice/Archive/x", nil, mod); err == nil {
		t.Fatal("seeded onto a missing device")
	}
}
