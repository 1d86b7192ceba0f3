package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"jottacloudclient/jotta/emulator"
)

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
	cliOut  []byte
)

// buildCLI builds cmd/jotta once per test binary, as it ships
// (CGO_ENABLED=0), and returns its path.
func buildCLI(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "e2e-jotta-bin-")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "jotta")
		cmd := exec.Command("go", "build", "-o", cliPath, "jottacloudclient/cmd/jotta")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cliOut, cliErr = cmd.CombinedOutput()
	})
	if cliErr != nil {
		t.Fatalf("build jotta: %v\n%s", cliErr, cliOut)
	}
	return cliPath
}

// cliEnv runs the CLI binary against an emulator served through a front
// that counts request body bytes as they arrive (the emulator's own
// counters move only when a request ends).
type cliEnv struct {
	t       *testing.T
	emu     *emulator.Server
	url     string
	dir     string
	env     []string
	arrived atomic.Int64
}

func (c *cliEnv) cacheDir() string  { return filepath.Join(c.dir, "cache") }
func (c *cliEnv) configDir() string { return filepath.Join(c.dir, "config") }

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// newCLIEnv starts an emulator and prepares a private home for CLI
// processes: config, cache and credentials in temp dirs, no D-Bus (the
// session goes to the 0600 token file), no netrc, no token in the
// environment.
func newCLIEnv(t *testing.T, eo emulator.Options) *cliEnv {
	t.Helper()
	emu, err := emulator.New(eo)
	if err != nil {
		t.Fatal(err)
	}
	c := &cliEnv{t: t, emu: emu, dir: t.TempDir()}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = &countingBody{ReadCloser: r.Body, n: &c.arrived}
		}
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		ts.Close()
		_ = emu.Close()
	})
	emu.SetBaseURL(ts.URL)
	c.url = ts.URL
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME",
			"JOTTA_CONFIG", "JOTTA_NETRC", "NETRC", "JOTTACLOUD_ENDPOINT", "JOTTACLOUD_TOKEN",
			"JOTTACLOUD_USERNAME", "JOTTACLOUD_PASSWORD":
			continue
		}
		c.env = append(c.env, kv)
	}
	c.env = append(c.env,
		"XDG_CONFIG_HOME="+c.configDir(),
		"XDG_CACHE_HOME="+c.cacheDir(),
		"JOTTA_CONFIG="+filepath.Join(c.configDir(), "jottacloudclient", "config.toml"),
		"JOTTA_NETRC="+filepath.Join(c.dir, "no-netrc"),
		"JOTTACLOUD_ENDPOINT="+c.url,
	)
	return c
}

// command prepares a CLI process; its stderr goes to a file in the
// environment's directory (kept for the secrets check).
func (c *cliEnv) command(ctx context.Context, name string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	c.t.Helper()
	cmd := exec.CommandContext(ctx, buildCLI(c.t), args...)
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout = &out
	logf, err := os.Create(filepath.Join(c.dir, "stderr-"+name+".log"))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { _ = logf.Close() })
	cmd.Stderr = logf
	return cmd, &out
}

// run runs the CLI to its end and returns stdout and the exit code.
func (c *cliEnv) run(name string, stdin string, args ...string) (string, int) {
	c.t.Helper()
	cmd, out := c.command(c.t.Context(), name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run jotta %v: %v", args, err)
	}
	return out.String(), code
}

// login signs the CLI in with a fresh login token and returns the token.
func (c *cliEnv) login() string {
	c.t.Helper()
	lt, err := c.emu.MintLoginToken()
	if err != nil {
		c.t.Fatal(err)
	}
	if out, code := c.run("login", lt+"\n", "login", "--token-stdin"); code != 0 {
		stderr, _ := os.ReadFile(filepath.Join(c.dir, "stderr-login.log"))
		c.t.Fatalf("jotta login: exit %d\n%s\n%s", code, out, stderr)
	}
	return lt
}
