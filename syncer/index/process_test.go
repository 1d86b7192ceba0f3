package index_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jottacloudclient/syncer/index"
)

// TestMain lets the test binary act as another process using an index:
// INDEX_HELPER=lock:<path> holds it until stdin closes; crash:<path>
// writes generations until killed; open:<path> opens it (migrating) and
// exits.
func TestMain(m *testing.M) {
	if h := os.Getenv("INDEX_HELPER"); h != "" {
		kind, path, _ := strings.Cut(h, ":")
		os.Exit(helper(kind, path))
	}
	os.Exit(m.Run())
}

func helper(kind, path string) int {
	ix, err := index.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	switch kind {
	case "lock":
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
	case "crash":
		err = writeForever(ix)
	}
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

func startHelper(t *testing.T, kind, path string) (*exec.Cmd, io.WriteCloser, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "INDEX_HELPER="+kind+":"+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stdin, bufio.NewReader(stdout)
}

func TestLockedByAnotherProcess(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pair.db")
	cmd, stdin, out := startHelper(t, "lock", p)
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	if line, err := out.ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	start := time.Now()
	if _, err := index.Open(p); !errors.Is(err, index.ErrLocked) {
		t.Fatalf("Open while another process holds it: %v", err)
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("gave up after %v, without waiting", d)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(p)
	if err != nil {
		t.Fatalf("Open after the other process ended: %v", err)
	}
	ix.Close()
}

// The crash writer's data: crashPaths in order; a path i with i%97 == 0 is
// held back and Put after the next three (out of order); records come from
// recFor(path, generation); some are marked uploaded.
const crashN = 12000

func crashPaths() []string {
	out := make([]string, crashN)
	for i := range out {
		out[i] = fmt.Sprintf("d%03d/f %05d.txt", i/300, i)
	}
	return out
}

func heldBack(i int) bool              { return i%97 == 0 }
func uploadedFor(p string, g int) bool { return (len(p)+g)%3 == 0 }

// writeForever writes generations, each with a new number (kept in meta
// before it starts), ending them in turn with Commit, Keep after a random
// prefix, Abort, and Commit; after each Commit it prints "committed <gen>".
func writeForever(ix *index.Index) error {
	paths := crashPaths()
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	for {
		v, err := ix.Meta("next")
		if err != nil {
			return err
		}
		g, _ := strconv.Atoi(string(v))
		g = max(g, 1)
		if err := ix.SetMeta("next", []byte(strconv.Itoa(g+1))); err != nil {
			return err
		}
		w, err := ix.Begin()
		if err != nil {
			return err
		}
		n := crashN
		if g%4 == 1 || g%4 == 2 {
			n = 1 + rng.IntN(crashN)
		}
		put := func(i int) error {
			ref, err := w.Put(paths[i], recFor(paths[i], g))
			if err == nil && uploadedFor(paths[i], g) {
				w.SetUploaded(ref)
			}
			return err
		}
		for i := range n {
			if heldBack(i) {
				continue
			}
			if err := put(i); err != nil {
				return err
			}
			if i >= 3 && heldBack(i-3) {
				if err := put(i - 3); err != nil {
					return err
				}
			}
		}
		switch g % 4 {
		case 1:
			err = w.Keep()
		case 2:
			err = w.Abort()
		default:
			if err = w.Commit(); err == nil {
				fmt.Printf("committed %d\n", g)
			}
		}
		if err != nil {
			return err
		}
	}
}

// checkCrashState checks that the index is a state the crash rules allow:
// every record is one a generation wrote, generations never grow along the
// path order (newer prefixes over older tails), none is older than the
// last generation committed, only held-back paths or (before a Commit) a
// tail may be missing, and no
// record claims an upload that was not marked.
func checkCrashState(t *testing.T, ix *index.Index, committed int) (minGen, maxGen int) {
	t.Helper()
	paths := crashPaths()
	pos := map[string]int{}
	for i, p := range paths {
		pos[p] = i
	}
	got := readAll(t, ix)
	if len(got) != ix.Len() {
		t.Fatalf("Len %d, cursor read %d", ix.Len(), len(got))
	}
	seen := make([]bool, crashN)
	prev := 1 << 30
	minGen = prev
	for _, e := range got {
		i, ok := pos[e.path]
		if !ok {
			t.Fatalf("unknown path %q", e.path)
		}
		seen[i] = true
		g := genOf(e.path, e.rec)
		switch {
		case g < 1:
			t.Fatalf("%q: record %+v from no generation", e.path, e.rec)
		case g > prev:
			t.Fatalf("%q: generation %d after %d", e.path, g, prev)
		case g < committed:
			t.Fatalf("%q: generation %d, but %d was committed", e.path, g, committed)
		case e.rec.Uploaded && !uploadedFor(e.path, g):
			t.Fatalf("%q: uploaded without a mark", e.path)
		}
		prev, minGen, maxGen = g, min(minGen, g), max(maxGen, g)
	}
	// Before the first full Commit the index may be a prefix of the paths
	// (Keep, recovery); after it, nothing but a held-back path may lack.
	gap := -1
	for i, ok := range seen {
		switch {
		case !ok && !heldBack(i) && gap < 0:
			gap = i
			if committed > 0 {
				t.Fatalf("%q missing after generation %d was committed", paths[i], committed)
			}
		case ok && gap >= 0:
			t.Fatalf("%q present, but %q before it is missing", paths[i], paths[gap])
		}
	}
	return minGen, maxGen
}

// TestSurvivesKillAtAnyMoment kills a process writing generations at
// random moments (during Put, SetUploaded, Commit, Keep, SetMeta and the
// recovery in Open) and checks after each kill that the index opens and
// holds an allowed state.
func TestSurvivesKillAtAnyMoment(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	p := filepath.Join(t.TempDir(), "pair.db")
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	committed, recovered := 0, 0
	deadline := time.Now().Add(4 * time.Second)
	kills := 0
	for ; kills < 40 && time.Now().Before(deadline); kills++ {
		cmd, stdin, out := startHelper(t, "crash", p)
		lines, first := make(chan int), make(chan struct{})
		go func() {
			last := 0
			for {
				line, err := out.ReadString('\n')
				if err != nil {
					lines <- last
					return
				}
				if n, ok := strings.CutPrefix(strings.TrimSpace(line), "committed "); ok {
					if last == 0 {
						close(first)
					}
					last, _ = strconv.Atoi(n)
				}
			}
		}()
		if kills == 0 {
			// Once through a Commit, so that durability is checked too,
			// however slow the machine.
			select {
			case <-first:
			case <-time.After(30 * time.Second):
				t.Fatal("no generation committed within 30 s")
			}
		}
		time.Sleep(time.Duration(5+rng.IntN(120)) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		stdin.Close()
		if c := <-lines; c > committed {
			committed = c
		}
		if _, err := os.Stat(p + ".new"); err == nil {
			recovered++
		}
		ix, err := index.Open(p)
		if err != nil {
			t.Fatalf("after kill %d: Open: %v", kills, err)
		}
		checkCrashState(t, ix, committed)
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	minGen, maxGen := checkCrashState(t, ix, committed)
	t.Logf("%d kills, %d left a stream to recover; last committed generation %d, index holds %d..%d",
		kills, recovered, committed, minGen, maxGen)
	if committed == 0 || recovered == 0 {
		t.Fatalf("the kills never hit the cases under test (committed %d, recovered %d)", committed, recovered)
	}
	files, _ := os.ReadDir(filepath.Dir(p))
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	if slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, ".new") || strings.HasSuffix(n, "tmp") }) {
		t.Fatalf("leftover files after recovery: %v", names)
	}
}

// TestSurvivesKillDuringMigration kills a process while it migrates a
// previous-format index: the next Open finds the old file or the new
// index, never neither, and ends with every record and meta value.
func TestSurvivesKillDuringMigration(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	paths := manyPaths(30000)
	tmpl := filepath.Join(dir, "template.db")
	writeOld(t, tmpl, paths, nil, map[string]string{"root-device": "7"})
	data, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	want := expect(paths, 1)
	for i := range want {
		want[i].rec.Uploaded = true
	}
	rng := rand.New(rand.NewPCG(3, uint64(time.Now().UnixNano())))
	outcomes := map[bool]int{}
	for i := range 8 {
		p := filepath.Join(dir, strconv.Itoa(i), "pair.db")
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd, stdin, _ := startHelper(t, "open", p)
		time.Sleep(time.Duration(rng.IntN(80)) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		stdin.Close()
		head := make([]byte, 8)
		f, err := os.Open(p)
		if err != nil {
			t.Fatalf("kill %d: the index file is gone: %v", i, err)
		}
		_, _ = f.Read(head)
		f.Close()
		outcomes[string(head) == "JCIDXMF1"]++
		ix, err := index.Open(p)
		if err != nil {
			t.Fatalf("kill %d: Open: %v", i, err)
		}
		same(t, readAll(t, ix), want)
		if v, _ := ix.Meta("root-device"); string(v) != "7" {
			t.Fatalf("kill %d: meta %q", i, v)
		}
		ix.Close()
	}
	t.Logf("killed before the switch %d times, after it %d times", outcomes[false], outcomes[true])
}
