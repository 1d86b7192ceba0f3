package jotta_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
)

// TestUploadRoundTrips: once signed in, a new file costs an allocate and
// an upload, and content the server already has costs the allocate alone;
// both come back confirmed, whatever shape the server's replies have.
func TestUploadRoundTrips(t *testing.T) {
	for _, v := range emulator.ShapeVariants() {
		t.Run(v.Name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{Shapes: v.Shapes})
			ctx := context.Background()
			if _, err := e.client.Username(ctx); err != nil {
				t.Fatal(err)
			}
			data := randomBytes(5000, 11)
			before := e.em.Stats().Total()
			res := e.upload(t, "/Jotta/Archive/rt/new.bin", data)
			if n := e.em.Stats().Total() - before; n != 2 {
				t.Errorf("a new file cost %d requests, want 2", n)
			}
			if res.ConfirmedBy != jotta.ConfirmedByReply || res.MD5 != md5hex(data) || res.Size != 5000 || res.Deduplicated {
				t.Errorf("new file: %+v", res)
			}
			before = e.em.Stats().Total()
			res = e.upload(t, "/Jotta/Archive/rt/copy.bin", data)
			if n := e.em.Stats().Total() - before; n != 1 {
				t.Errorf("a deduplicated file cost %d requests, want 1", n)
			}
			if res.ConfirmedBy != jotta.ConfirmedByAllocate || res.MD5 != md5hex(data) || res.Size != 5000 || !res.Deduplicated || res.BytesSent != 0 {
				t.Errorf("deduplicated file: %+v", res)
			}
			f, err := e.client.File(ctx, "/Jotta/Archive/rt/copy.bin")
			if err != nil || !strings.EqualFold(f.CurrentRevision.MD5, md5hex(data)) {
				t.Fatalf("the deduplicated file on the server: %+v, %v", f, err)
			}
		})
	}
}

// TestUploadReplyShapes: whatever shape the upload reply has, the client
// confirms the md5 and size from what it says, reads the file back for
// what it leaves out, and refuses a reply that names other content.
func TestUploadReplyShapes(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := context.Background()
	if _, err := e.client.Username(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		shape    emulator.UploadReplyShape
		by       string
		requests int64
		wantErr  error
	}{
		{"", jotta.ConfirmedByReply, 2, nil},
		{emulator.UploadReplyWithState, jotta.ConfirmedByReply, 2, nil},
		{emulator.UploadReplyMinimal, jotta.ConfirmedByReread, 3, nil},
		{emulator.UploadReplyNotJSON, jotta.ConfirmedByReread, 3, nil},
		{emulator.UploadReplyWrongMD5, "", 2, jotta.ErrChecksumMismatch},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint("shape ", c.shape), func(t *testing.T) {
			e.em.Faults().Clear()
			if c.shape != "" {
				e.em.Faults().Add(emulator.Fault{UploadReply: c.shape})
			}
			data := randomBytes(3000+i, uint64(100+i))
			p := fmt.Sprintf("/Jotta/Archive/shapes/%d.bin", i)
			before := e.em.Stats().Total()
			res, err := e.client.Upload(ctx, p, bytes.NewReader(data), jotta.UploadMeta{Size: int64(len(data)), MD5: md5hex(data), Created: t0, Modified: t0}, jotta.UploadOptions{})
			if n := e.em.Stats().Total() - before; n != c.requests {
				t.Errorf("%d requests, want %d", n, c.requests)
			}
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.ConfirmedBy != c.by || res.MD5 != md5hex(data) || res.Size != int64(len(data)) {
				t.Errorf("result %+v, want confirmed by %s with the file's md5 and size", res, c.by)
			}
		})
	}
}
