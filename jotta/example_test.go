package jotta_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
	"jottacloudclient/jotta/emulator"
)

// Example signs in with a personal login token, uploads a file, uploads
// the same content again (deduplicated: nothing is sent) and lists the
// tree with a streamed listing.
func Example() {
	em, err := emulator.Start("", emulator.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer em.Close()
	ctx := context.Background()

	loginToken, _ := em.MintLoginToken() // in real life: from JottaCloud's web settings
	tok, err := jotta.Login(ctx, nil, loginToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	store := &memStore{} // the app keeps it in the OS keyring
	_ = store.SaveToken(ctx, tok)

	c, err := jotta.New(jotta.Options{Endpoint: em.URL, Store: store})
	if err != nil {
		fmt.Println(err)
		return
	}
	data := []byte("hello, backup")
	mtime := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, p := range []string{"/Jotta/Archive/docs/hello.txt", "/Jotta/Archive/docs/copy of hello.txt"} {
		res, err := c.Upload(ctx, p, bytes.NewReader(data), jotta.UploadMeta{Size: int64(len(data)), Created: mtime, Modified: mtime}, jotta.UploadOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: deduplicated=%v sent=%d md5=%s\n", p, res.Deduplicated, res.BytesSent, res.MD5)
	}
	st, err := c.ListStream(ctx, "/Jotta/Archive/docs", func(e *api.ListEntry) error {
		if !e.Folder {
			fmt.Printf("%s/%s %d bytes\n", e.Path, e.Name, e.Size)
		}
		return nil
	})
	fmt.Println(st.Folders, st.Files, err)
	// Unordered output:
	// /Jotta/Archive/docs/hello.txt: deduplicated=false sent=13 md5=4e2db10603b689b83f38033dc809b42a
	// /Jotta/Archive/docs/copy of hello.txt: deduplicated=true sent=0 md5=4e2db10603b689b83f38033dc809b42a
	// /Archive/docs/hello.txt 13 bytes
	// /Archive/docs/copy of hello.txt 13 bytes
	// 1 2 <nil>
}
