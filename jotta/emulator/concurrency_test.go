package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"jottacloudclient/jotta/emulator"
)

// putErr uploads without touching testing.T, for use from goroutines.
func putErr(e *env, path string, data []byte) error {
	body, _ := json.Marshal(map[string]any{"path": path, "bytes": len(data), "md5": md5hex(data)})
	req, _ := http.NewRequest("POST", e.url+"/files/v1/allocate", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	var ar allocReply
	err = json.NewDecoder(resp.Body).Decode(&ar)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("allocate %s: %d %v", path, resp.StatusCode, err)
	}
	if ar.State == "COMPLETED" {
		return nil
	}
	req, _ = http.NewRequest("POST", ar.UploadURL, bytes.NewReader(data[ar.ResumePos:]))
	req.Header.Set("Authorization", "Bearer "+e.access)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		return fmt.Errorf("upload %s: %d", path, resp.StatusCode)
	}
	return nil
}

func getErr(e *env, rel string) error {
	req, _ := http.NewRequest("GET", e.url+"/jfs/"+e.user+"/"+rel, nil)
	req.Header.Set("Authorization", "Bearer "+e.access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", rel, resp.StatusCode)
	}
	return nil
}

func TestConcurrentClients(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  bool
	}{{"in memory", false}, {"data dir", true}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := emulator.Options{}
			if tc.dir {
				opts.DataDir = t.TempDir()
			}
			e := newEnv(t, opts)
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for w := 0; w < 4; w++ {
				wg.Add(2)
				go func() {
					defer wg.Done()
					for i := 0; i < 15; i++ {
						data := []byte(strings.Repeat(fmt.Sprintf("w%d-%d;", w, i), 50+i))
						if err := putErr(e, fmt.Sprintf("/jfs/Jotta/Archive/w%d/f%d.txt", w, i), data); err != nil {
							errs <- err
							return
						}
					}
				}()
				go func() {
					defer wg.Done()
					for i := 0; i < 15; i++ {
						for _, rel := range []string{"Jotta/Archive?mode=liststream", "Jotta/Archive", "", "Jotta/Trash"} {
							if err := getErr(e, rel); err != nil {
								errs <- err
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			doc := parseStream(t, e.jfs("GET", "Jotta/Archive?mode=liststream").body)
			if doc.stats.files != "60" || doc.stats.folders != "5" {
				t.Fatalf("after concurrent uploads: %+v", doc.stats)
			}
		})
	}
}
