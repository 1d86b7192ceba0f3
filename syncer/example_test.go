package syncer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// One dry run, then the real pass, as `jotta scan --dry-run` and `jotta scan`
// would do it.
func ExampleEngine_RunPass() {
	local, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(local)
	state, _ := os.MkdirTemp("", "example-state")
	defer os.RemoveAll(state)
	os.WriteFile(filepath.Join(local, "notes.txt"), []byte("remember the milk"), 0o644)

	remote := syncertest.NewMemRemote() // app passes its jotta adapter here
	e, err := syncer.New(remote, syncer.Options{StateDir: state})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	pair := syncer.Pair{ID: "notes", Local: local, Remote: "/laptop/Backup/notes"}

	dry, _ := e.RunPass(context.Background(), pair, syncer.PassOptions{DryRun: true})
	fmt.Printf("would upload %d file(s), %d bytes; create the remote folder: %v\n",
		dry.Planned.Uploads, dry.Planned.UploadBytes, dry.Planned.CreateRoot)

	res, _ := e.RunPass(context.Background(), pair, syncer.PassOptions{})
	fmt.Printf("uploaded %d file(s), %d bytes; created %d folders\n",
		res.Counters.FilesUploaded, res.Counters.BytesUploaded, res.Counters.FoldersCreated)
	// Output:
	// would upload 1 file(s), 17 bytes; create the remote folder: true
	// uploaded 1 file(s), 17 bytes; created 3 folders
}

// Running the engine in the background, as the tray app and `jotta run` do.
func ExampleEngine_Run() {
	state, _ := os.MkdirTemp("", "example-state")
	defer os.RemoveAll(state)
	e, _ := syncer.New(syncertest.NewMemRemote(), syncer.Options{StateDir: state, NoWatch: true})
	defer e.Close()
	sub := e.Subscribe()
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	go func() {
		for ev := range sub.C() {
			switch ev := ev.(type) {
			case syncer.ProblemEvent:
				_ = ev.Reason // show in the activity list
			case syncer.PassEvent:
				_ = ev.Result.LastComplete // "protected as of"
			}
		}
	}()
	// The settings window edits pairs while the engine runs.
	_ = e.SetPairs(nil)
	cancel()
	fmt.Println(<-done)
	// Output: <nil>
}
