//go:build unix

package main

import (
	"io"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jottacloudclient/app/config"
)

// e2eOutage is a TCP front for the emulator that can go away and come
// back on the same address, as a server does when it is unreachable for
// a while: connections are refused, not answered with errors.
type e2eOutage struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
}

func newE2EOutage(t *testing.T, targetURL string) *e2eOutage {
	t.Helper()
	o := &e2eOutage{t: t, target: targetURL[len("http://"):], conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.addr = ln.Addr().String()
	o.serve(ln)
	t.Cleanup(o.down)
	return o
}

func (o *e2eOutage) url() string { return "http://" + o.addr }

func (o *e2eOutage) serve(ln net.Listener) {
	o.mu.Lock()
	o.ln = ln
	o.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go o.pipe(c)
		}
	}()
}

func (o *e2eOutage) pipe(c net.Conn) {
	s, err := net.Dial("tcp", o.target)
	if err != nil {
		c.Close()
		return
	}
	o.mu.Lock()
	o.conns[c], o.conns[s] = struct{}{}, struct{}{}
	o.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }()
	io.Copy(c, s)
	c.Close()
	o.mu.Lock()
	delete(o.conns, c)
	delete(o.conns, s)
	o.mu.Unlock()
}

// down closes the listener and every connection: new ones are refused.
func (o *e2eOutage) down() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ln != nil {
		o.ln.Close()
		o.ln = nil
	}
	for c := range o.conns {
		c.Close()
	}
}

// up listens on the same address again.
func (o *e2eOutage) up() {
	o.t.Helper()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		o.t.Fatalf("listen again on %s: %v", o.addr, err)
	}
	o.serve(ln)
}

// TestE2ERunRetriesWhenTheServerReturns: 'jotta run' loses the server, a
// file is saved meanwhile, and once the server is back the file is on it
// within 60 s — not at the pair's interval (an hour).
func TestE2ERunRetriesWhenTheServerReturns(t *testing.T) {
	e := newE2E(t)
	out := newE2EOutage(t, e.url)
	e.emu.SetBaseURL(out.url()) // upload URLs go through the front too
	docs := filepath.Join(e.dir, "docs")
	e2eWriteFiles(t, docs, map[string][]byte{"first.txt": []byte("there at start")})
	p := config.NewPair("docs", docs, "/Server/Archive/docs")
	e.writeConfig(t, p)

	r := e.startRun(t, "--endpoint", out.url(), "--debounce", "200ms")
	r.waitFor("pass done", "docs", time.Minute)

	out.down()
	saved := []byte("saved while the server was unreachable")
	e2eWriteFiles(t, docs, map[string][]byte{"saved.txt": saved})
	retry := r.waitFor("pass will be retried", "docs", 2*time.Minute)
	if reason, _ := retry["reason"].(string); reason != "JottaCloud cannot be reached. Check the internet connection; backups continue when it is back." {
		t.Errorf("the retry is logged with the reason %q", reason)
	}
	time.Sleep(2 * time.Second) // the server stays away a little longer

	out.up()
	back := time.Now()
	e.waitRemote(t, p.Remote, "saved.txt", e2eMD5s(map[string][]byte{"x": saved})["x"], 60*time.Second)
	t.Logf("saved.txt reached the server %s after it came back", time.Since(back).Round(100*time.Millisecond))
}
