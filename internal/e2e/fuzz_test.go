package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jottacloudclient/app/config"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// FuzzConfigLoad feeds arbitrary bytes to the config file loader: it never
// panics, a refusal is a *config.LoadError naming the file, and an
// accepted config validates without panicking and survives a save and
// reload unchanged (saving is idempotent).
func FuzzConfigLoad(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("[options]\ntransfers = 4\nbandwidth_limit = \"2MiB/s\"\nexcludes = [\"*.tmp\", \"node_modules/\"]\n"))
	f.Add([]byte("[[pair]]\nid = \"docs\"\nlocal = \"/home/u/Documents\"\nremote = \"/Laptop/Archive/Documents\"\nprune = \"files\"\ninterval = \"30m\"\n"))
	f.Add([]byte("[[pair]]\nid = 3\n"))
	f.Add([]byte("transfers = \"many\"\n[options\n"))
	f.Add([]byte("\xff\xfe[options]\n"))
	f.Add([]byte("[[pair]]\nid=\"a\"\nlocal=\"~/x\"\nremote=\"/D/M/\\u0000\"\nexcludes=[\"!\",\"**/\",\"[\"]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, _, err := config.Load(path)
		if err != nil {
			var le *config.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("refusal %v (%T) is not a *config.LoadError", err, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("refusal %q does not name the file", err)
			}
			return
		}
		_ = cfg.Validate()
		again := filepath.Join(dir, "saved.toml")
		if err := config.Save(again, cfg); err != nil {
			return // a config that cannot be saved is refused with an error; fine
		}
		first, err := os.ReadFile(again)
		if err != nil {
			t.Fatal(err)
		}
		cfg2, _, err := config.Load(again)
		if err != nil {
			t.Fatalf("a saved config does not load again: %v\n%s", err, first)
		}
		if err := config.Save(again, cfg2); err != nil {
			t.Fatalf("saving the reloaded config: %v", err)
		}
		second, err := os.ReadFile(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("save, load, save is not stable:\n--- first\n%s\n--- second\n%s", first, second)
		}
	})
}

// excludeTree is the local tree FuzzExcludePatterns plans against.
var excludeTree = []string{
	"a.txt", "b.tmp", ".hidden", "notes/todo.md", "notes/.cache/x", "src/main.go", "src/vendor/lib.go",
	"build/out.bin", "deep/a/b/c/d.txt", "sp ace/f[1].txt", "uni/caf\u00e9.txt", "star*/q?.txt",
}

var (
	excludeOnce sync.Once
	excludeDir  string
	excludeEng  *syncer.Engine
	excludeErr  error
)

// FuzzExcludePatterns plans a dry-run pass over a fixed tree with fuzzed
// gitignore patterns (as pair excludes and as a .jottaignore file): the
// pass never fails or panics, it plans uploads only of files in the tree,
// and a final "*" line in the exclude file leaves nothing to upload.
func FuzzExcludePatterns(f *testing.F) {
	for _, s := range []string{"", "*.tmp", "notes/\n!notes/todo.md", "**/vendor/**", "/a.txt", "[", "\\", "!", "#x\n\n", "sp\\ ace/", "*\n!*.go", "deep/**/d.txt", "caf\u00e9*", "star\\*/"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, excludes, ignoreFile string) {
		excludeOnce.Do(func() {
			excludeDir, excludeErr = os.MkdirTemp("", "e2e-fuzz-excludes-")
			if excludeErr != nil {
				return
			}
			for _, rel := range excludeTree {
				p := filepath.Join(excludeDir, "tree", filepath.FromSlash(rel))
				if excludeErr = os.MkdirAll(filepath.Dir(p), 0o755); excludeErr != nil {
					return
				}
				if excludeErr = os.WriteFile(p, []byte(rel), 0o644); excludeErr != nil {
					return
				}
			}
			excludeEng, excludeErr = syncer.New(syncertest.NewMemRemote(), syncer.Options{StateDir: filepath.Join(excludeDir, "state"), NoWatch: true})
		})
		if excludeErr != nil {
			t.Fatal(excludeErr)
		}
		root := filepath.Join(excludeDir, "tree")
		if err := os.WriteFile(filepath.Join(root, syncer.IgnoreFileName), []byte(ignoreFile), 0o644); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(excludes, "\n")
		known := map[string]bool{syncer.IgnoreFileName: true}
		for _, rel := range excludeTree {
			known[rel] = true
		}
		plan := func(lines []string) *syncer.PassResult {
			t.Helper()
			p := syncer.Pair{ID: "fuzz", Local: root, Remote: "/Fuzz/Archive/tree", Excludes: lines}
			res, err := excludeEng.RunPass(context.Background(), p, syncer.PassOptions{DryRun: true})
			if err != nil {
				t.Fatalf("dry run with excludes %q and ignore file %q: %v", lines, ignoreFile, err)
			}
			if res.Plan == nil {
				t.Fatal("no plan")
			}
			return res
		}
		res := plan(lines)
		for _, u := range res.Plan.Uploads {
			if !known[u.Local] {
				t.Fatalf("planned an upload of %q, which is not in the tree", u.Local)
			}
		}
		if res.Planned.Uploads > len(known) {
			t.Fatalf("%d uploads planned for %d files", res.Planned.Uploads, len(known))
		}
		// The folder's own exclude file outranks the pair's patterns and
		// its later lines outrank earlier ones: a last line "*" there
		// leaves nothing.
		if err := os.WriteFile(filepath.Join(root, syncer.IgnoreFileName), []byte(ignoreFile+"\n*\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		all := plan(lines)
		if all.Planned.Uploads != 0 {
			t.Fatalf("a last exclude-file line \"*\" still plans %d uploads: %v", all.Planned.Uploads, all.Plan.Uploads)
		}
	})
}

// FuzzLoginTokenSecret builds login tokens from fuzzed fields: whatever
// the decoder says, its errors, the decoded token's String and the
// client's sign-in refusals never contain the single-use secret.
func FuzzLoginTokenSecret(f *testing.F) {
	f.Add("user", "jottacloud", "https://id.example/auth/realms/jottacloud/.well-known/openid-configuration", "s3cr3t-auth-token", false)
	f.Add("", "", "", "s3cr3t-auth-token", true)
	f.Add("u", "r", "not a url", "another-secret-value", false)
	f.Add("u", "r", "http://127.0.0.1:1/x", "x", true)
	f.Fuzz(func(t *testing.T, user, realm, link, secret string, camel bool) {
		fields := map[string]string{"username": user, "realm": realm, "well_known_link": link, "auth_token": secret}
		if camel {
			fields = map[string]string{"username": user, "realm": realm, "wellKnownLink": link, "authToken": secret}
		}
		raw, err := json.Marshal(fields)
		if err != nil {
			t.Skip()
		}
		for _, tok := range []string{
			base64.RawURLEncoding.EncodeToString(raw),
			base64.StdEncoding.EncodeToString(raw),
			base64.RawURLEncoding.EncodeToString(raw)[1:], // damaged
			string(raw), // not encoded at all
		} {
			got, err := api.DecodeLoginToken(tok)
			// The secret counts as leaked only where nothing else the
			// message may show contains it.
			public := user + "\x00" + realm + "\x00" + link
			leaks := func(s string) bool {
				return len(secret) >= 6 && strings.Contains(s, secret) && !strings.Contains(public, secret)
			}
			if err != nil {
				if leaks(err.Error()) {
					t.Fatalf("decode error reveals the secret: %v", err)
				}
				// The client refuses the same token before any request.
				_, lerr := jotta.Login(context.Background(), nil, tok)
				if lerr == nil {
					t.Fatal("jotta.Login accepted a token the decoder refused")
				}
				if leaks(lerr.Error()) {
					t.Fatalf("sign-in error reveals the secret: %v", lerr)
				}
				continue
			}
			if leaks(got.String()) {
				t.Fatalf("LoginToken.String reveals the secret: %s", got.String())
			}
		}
	})
}
