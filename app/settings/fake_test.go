package settings

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"sync"
	"time"
)

// fakeBackend keeps everything in memory. Saving a pair simulates a complete
// pass over the local folder, and the "remote" records what each pass
// stored, so tests can check that removing a pair deletes nothing remotely.
type fakeBackend struct {
	mu       sync.Mutex
	account  Account
	pairs    []Pair
	nextID   int
	remote   map[string]int64 // remote path → files stored there
	options  Options
	activity Activity
	storage  Storage
	changes  chan struct{}
	calls    map[string]int
	lastExcl string
	now      time.Time
	// gate, when set, holds SignIn until the test closes it.
	gate chan struct{}
}

func newFakeBackend(now time.Time) *fakeBackend {
	return &fakeBackend{
		remote:  map[string]int64{},
		options: Options{Transfers: 4, Notifications: true},
		changes: make(chan struct{}),
		calls:   map[string]int{},
		now:     now,
	}
}

func (f *fakeBackend) called(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *fakeBackend) record(name string) {
	f.mu.Lock()
	f.calls[name]++
	f.mu.Unlock()
}

func (f *fakeBackend) Account(context.Context) (Account, error) {
	f.record("Account")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.account, nil
}

func (f *fakeBackend) SignIn(_ context.Context, token string) (Account, error) {
	f.record("SignIn")
	if f.gate != nil {
		<-f.gate
	}
	if e := CheckToken(token); e != nil {
		return Account{}, e
	}
	raw, _ := base64.RawURLEncoding.DecodeString(token)
	var t struct {
		Username  string `json:"username"`
		AuthToken string `json:"auth_token"`
	}
	_ = json.Unmarshal(raw, &t)
	if t.AuthToken == "spent" {
		return Account{}, &FieldError{FieldToken, "This token was already used. Generate a new one."}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.account = Account{SignedIn: true, User: t.Username}
	return f.account, nil
}

func (f *fakeBackend) StartDemo(context.Context) (Account, error) {
	f.record("StartDemo")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.account = Account{SignedIn: true, User: "demo", Demo: true, Endpoint: "http://127.0.0.1:40123"}
	return f.account, nil
}

func (f *fakeBackend) SignOut(context.Context) error {
	f.record("SignOut")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.account = Account{}
	return nil
}

func (f *fakeBackend) Pairs(context.Context) ([]Pair, error) {
	f.record("Pairs")
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Pair(nil), f.pairs...), nil
}

func (f *fakeBackend) SavePair(_ context.Context, p Pair) (Pair, error) {
	f.record("SavePair")
	if errs := CheckPair(p); len(errs) > 0 {
		return Pair{}, errs
	}
	// Simulate one complete pass.
	var files, size int64
	err := filepath.WalkDir(p.Local, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += fi.Size()
		return nil
	})
	if err != nil {
		return Pair{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p.Status = PairStatus{LastComplete: f.now, Files: files, Bytes: size}
	f.remote[p.Remote] = files
	if p.ID == "" {
		f.nextID++
		p.ID = string(rune('a' + f.nextID))
		f.pairs = append(f.pairs, p)
		return p, nil
	}
	for i := range f.pairs {
		if f.pairs[i].ID == p.ID {
			f.pairs[i] = p
			return p, nil
		}
	}
	return Pair{}, errors.New("no such pair")
}

func (f *fakeBackend) RemovePair(_ context.Context, id string) error {
	f.record("RemovePair")
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.pairs {
		if f.pairs[i].ID == id {
			f.pairs = append(f.pairs[:i], f.pairs[i+1:]...)
			return nil
		}
	}
	return errors.New("no such pair")
}

// BackupNow ends a pause, as the real backend does.
func (f *fakeBackend) BackupNow(context.Context) error { return f.unpause("BackupNow") }
func (f *fakeBackend) Resume(context.Context) error    { return f.unpause("Resume") }

func (f *fakeBackend) unpause(call string) error {
	f.record(call)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.activity.Paused, f.activity.PausedUntil = false, time.Time{}
	return nil
}

func (f *fakeBackend) Storage(context.Context) (Storage, error) {
	f.record("Storage")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.storage, nil
}

func (f *fakeBackend) Devices(context.Context) ([]string, error) {
	f.record("Devices")
	return []string{"laptop", "nas"}, nil
}

func (f *fakeBackend) MountPoints(_ context.Context, device string) ([]string, error) {
	f.record("MountPoints")
	if device == "laptop" {
		return []string{"Documents", "Pictures"}, nil
	}
	return nil, errors.New("no such device")
}

func (f *fakeBackend) Options(context.Context) (Options, error) {
	f.record("Options")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.options, nil
}

func (f *fakeBackend) SaveOptions(_ context.Context, o Options) error {
	f.record("SaveOptions")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.options = o
	return nil
}

func (f *fakeBackend) Activity(context.Context) (Activity, error) {
	f.record("Activity")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.activity, nil
}

func (f *fakeBackend) RetryProblem(context.Context, Problem) error {
	f.record("RetryProblem")
	return nil
}

func (f *fakeBackend) AddExclude(_ context.Context, pairID, pattern string) error {
	f.record("AddExclude")
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.pairs {
		if f.pairs[i].ID == pairID {
			f.pairs[i].Excludes = append(f.pairs[i].Excludes, pattern)
			f.lastExcl = pattern
			return nil
		}
	}
	return errors.New("no such pair")
}

func (f *fakeBackend) Changes(context.Context) <-chan struct{} { return f.changes }

// loginToken mints a well-formed personal login token.
func loginToken(user, secret string) string {
	raw, _ := json.Marshal(map[string]string{
		"username":        user,
		"realm":           "jottacloud",
		"well_known_link": "http://127.0.0.1:1/auth/realms/jottacloud/.well-known/openid-configuration",
		"auth_token":      secret,
	})
	return base64.RawURLEncoding.EncodeToString(raw)
}

func base64Raw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func (f *fakeBackend) ConfirmDeletions(_ context.Context, pairID string) error {
	f.record("ConfirmDeletions")
	return f.decide(pairID, true)
}

func (f *fakeBackend) KeepDeletions(_ context.Context, pairID string) error {
	f.record("KeepDeletions")
	return f.decide(pairID, false)
}

// decide clears a pair's held deletions; trashing them removes their
// files from the fake remote.
func (f *fakeBackend) decide(pairID string, trash bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.pairs {
		if f.pairs[i].ID != pairID {
			continue
		}
		if trash {
			for _, h := range f.pairs[i].Status.Held {
				f.remote[f.pairs[i].Remote] -= int64(h.Files)
			}
		}
		f.pairs[i].Status.Held, f.pairs[i].Status.HeldWhy = nil, ""
		return nil
	}
	return errors.New("no such folder")
}
