package bench

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jottacloudclient/app"
	"jottacloudclient/jotta"
	"jottacloudclient/syncer"
)

// countingTransport counts the HTTP requests the client sends, in all and
// by kind.
type countingTransport struct {
	next   http.RoundTripper
	n      atomic.Int64
	mu     sync.Mutex
	byKind map[string]int64
	// firstUpload is when the first upload (its allocate request) left
	// since it was last zeroed, in Unix nanoseconds.
	firstUpload atomic.Int64
}

// uploadKind is the request that starts every upload.
const uploadKind = "POST files/v1/allocate"

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	k := requestKind(r)
	if k == uploadKind {
		t.firstUpload.CompareAndSwap(0, time.Now().UnixNano())
	}
	t.mu.Lock()
	if t.byKind == nil {
		t.byKind = map[string]int64{}
	}
	t.byKind[k]++
	t.mu.Unlock()
	return t.next.RoundTrip(r)
}

// kinds returns a copy of the counts by kind.
func (t *countingTransport) kinds() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.byKind)
}

// requestKind names a request by method, service and query keys, e.g.
// "GET jfs ?mode" or "POST files/v1/allocate"; paths below the JFS root and
// upload tokens are left out.
func requestKind(r *http.Request) string {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	svc := segs[0]
	switch {
	case svc == "files" && len(segs) >= 3:
		svc = strings.Join(segs[:3], "/")
	case svc == "auth":
		svc = "auth"
	}
	keys := slices.Sorted(maps.Keys(r.URL.Query()))
	k := r.Method + " " + svc
	if len(keys) > 0 {
		k += " ?" + strings.Join(keys, "&")
	}
	return k
}

// kindsDelta formats the counts in now that are not in before, largest
// first.
func kindsDelta(before, now map[string]int64) string {
	type kc struct {
		k string
		n int64
	}
	var out []kc
	for k, n := range now {
		if d := n - before[k]; d > 0 {
			out = append(out, kc{k, d})
		}
	}
	slices.SortFunc(out, func(a, b kc) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.k, b.k)) })
	parts := make([]string, len(out))
	for i, x := range out {
		parts[i] = fmt.Sprintf("%d %s", x.n, x.k)
	}
	return strings.Join(parts, ", ")
}

// session is a signed-in client with its request counter.
type session struct {
	client *jotta.Client
	remote *app.Remote
	reqs   *countingTransport
}

// requests returns the number of HTTP requests sent so far.
func (s *session) requests() int64 { return s.reqs.n.Load() }

// signIn spends loginToken at the server behind endpoint and returns a
// client whose requests are counted; the session lives in memory only.
func signIn(ctx context.Context, endpoint, loginToken string, log *slog.Logger) (*session, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 32
	ct := &countingTransport{next: base}
	hc := &http.Client{Transport: ct}
	tok, err := jotta.Login(ctx, hc, loginToken)
	if err != nil {
		return nil, fmt.Errorf("sign in to the emulator: %w", err)
	}
	c, err := jotta.New(jotta.Options{Endpoint: endpoint, HTTPClient: hc, Store: jotta.NewMemoryTokenStore(tok), Logger: log})
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	ct.n.Store(0) // sign-in requests are not part of any case
	return &session{client: c, remote: app.NewRemote(c), reqs: ct}, nil
}

// newEngine builds the engine as `jotta scan` does, on the session's
// remote, keeping its indexes in stateDir.
func (s *session) newEngine(stateDir string, noWatch bool, log *slog.Logger) (*syncer.Engine, error) {
	e, err := syncer.New(s.remote, syncer.Options{StateDir: stateDir, NoWatch: noWatch, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("create engine: %w", err)
	}
	return e, nil
}

// benchPair is the folder pair of one case.
func benchPair(id, local string) syncer.Pair {
	return syncer.Pair{ID: id, Local: local, Remote: remoteRoot(id), Interval: 24 * time.Hour}
}

// remoteRoot is where the case with this id backs up to: device Jotta,
// mount point Archive, which exist on every account.
func remoteRoot(id string) string { return "/Jotta/Archive/bench/" + id }

// seedRoot is remoteRoot in the emulator's seeding form.
func seedRoot(id string) string { return "/Archive/bench/" + id }
