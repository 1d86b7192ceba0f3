package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// TestTypeChange: a file replaced by a folder of the same name, or the
// reverse, is backed up when the pair may prune (the old remote item is
// renamed and goes to the trash first: the service may keep a trashed
// item in place); otherwise the pass lists a problem naming the setting
// that allows it, never the server's raw 409.
func TestTypeChange(t *testing.T) {
	cases := []struct {
		name    string
		prune   syncer.PruneMode
		before  func(t *testing.T, dir string)
		after   func(t *testing.T, dir string)
		want    []string // local files backed up after the change
		blocked string   // local path listed as a problem, with a word of the reason
		setting string
		trashed string // remote relative path in the trash afterwards
	}{
		{
			name:    "file becomes a folder, pruning allowed",
			prune:   syncer.PruneAll,
			before:  func(t *testing.T, dir string) { writeFile(t, dir, "notes", []byte("a file")) },
			after:   fileToFolder,
			want:    []string{"notes/inside.txt", "keep.txt"},
			trashed: "notes",
		},
		{
			name:    "file becomes a folder, only files pruned",
			prune:   syncer.PruneFiles,
			before:  func(t *testing.T, dir string) { writeFile(t, dir, "notes", []byte("a file")) },
			after:   fileToFolder,
			want:    []string{"notes/inside.txt", "keep.txt"},
			trashed: "notes",
		},
		{
			name:    "file becomes a folder, no pruning",
			prune:   syncer.PruneNone,
			before:  func(t *testing.T, dir string) { writeFile(t, dir, "notes", []byte("a file")) },
			after:   fileToFolder,
			want:    []string{"keep.txt"},
			blocked: "notes/inside.txt",
			setting: "--prune-files",
		},
		{
			name:    "folder becomes a file, pruning allowed",
			prune:   syncer.PruneAll,
			before:  func(t *testing.T, dir string) { writeFile(t, dir, "notes/old.txt", []byte("old")) },
			after:   folderToFile,
			want:    []string{"notes", "keep.txt"},
			trashed: "notes",
		},
		{
			name:    "folder becomes a file, only files pruned",
			prune:   syncer.PruneFiles,
			before:  func(t *testing.T, dir string) { writeFile(t, dir, "notes/old.txt", []byte("old")) },
			after:   folderToFile,
			want:    []string{"keep.txt"},
			blocked: "notes",
			setting: "--prune-folders",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			ctx := ctxFor(t)
			local := e.localDir("typechange")
			writeFile(t, local, "keep.txt", []byte("unrelated"))
			tc.before(t, local)
			eng := e.engine(syncer.Options{})
			p := syncer.Pair{ID: "tc", Local: local, Remote: "/Laptop/Backup/tc", Prune: tc.prune}
			if res, err := eng.RunPass(ctx, p, syncer.PassOptions{}); err != nil || len(res.Problems) > 0 {
				t.Fatalf("first pass: %v %s", err, problemsText(res.Problems))
			}
			tc.after(t, local)
			res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			if err != nil {
				t.Fatalf("second pass: %v", err)
			}
			for _, pr := range res.Problems {
				if strings.Contains(pr.Reason, "409") || strings.Contains(pr.Reason, "Exception") {
					t.Errorf("raw server error shown: %s: %s", pr.Path, pr.Reason)
				}
			}
			remote := e.remoteFiles(p.Remote)
			for _, rel := range tc.want {
				if got, ok := remote[rel]; !ok || got.MD5 != md5File(t, filepath.Join(local, rel)) {
					t.Errorf("%s not backed up: server %+v present %v\n%s", rel, got, ok, problemsText(res.Problems))
				}
			}
			if tc.blocked != "" {
				if len(res.Problems) != 1 || res.Problems[0].Path != tc.blocked || !strings.Contains(res.Problems[0].Reason, tc.setting) {
					t.Fatalf("problems %s, want one for %s naming %s", problemsText(res.Problems), tc.blocked, tc.setting)
				}
				// An old file is still there, untouched (an old folder's
				// files were deleted locally, so pruning files may take
				// them).
				if _, ok := remote["notes"]; !ok && tc.setting == "--prune-files" {
					t.Errorf("the old file is gone: server holds %v", keys(remote))
				}
			} else if len(res.Problems) > 0 {
				t.Fatalf("problems: %s", problemsText(res.Problems))
			}
			if tc.trashed != "" {
				trash, err := e.client.ListTrash(ctx)
				if err != nil {
					t.Fatal(err)
				}
				found := 0
				for _, f := range trash.Files {
					found += btoi(strings.HasPrefix(f.Name, tc.trashed+" (replaced "))
				}
				for _, f := range trash.Folders {
					found += btoi(strings.HasPrefix(f.Name, tc.trashed+" (replaced "))
				}
				if found != 1 {
					t.Errorf("the old %s is in the trash %d times, want once: %+v", tc.trashed, found, trash)
				}
			}
			// The next pass has nothing to do.
			res3, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			if err != nil || res3.Counters.FilesUploaded+res3.Counters.FilesTrashed+res3.Counters.FoldersTrashed != 0 {
				t.Errorf("third pass: %v %+v", err, res3.Counters)
			}
		})
	}
}

func fileToFolder(t *testing.T, dir string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, "notes")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "notes/inside.txt", []byte("now a folder"))
}

func folderToFile(t *testing.T, dir string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(dir, "notes")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "notes", []byte("now a file"))
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestCaseRename: a file the server holds under a name that differs only
// in case is renamed to the local name, so a restore brings it back under
// that name; a case twin never puts its bytes under the other's name.
func TestCaseRename(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctx := ctxFor(t)
	local := e.localDir("case")
	writeFile(t, local, "notes.txt", []byte("same bytes"))
	writeFile(t, local, "report.txt", []byte("lower"))
	writeFile(t, local, "photos/year/a.jpg", []byte("photo"))
	eng := e.engine(syncer.Options{})
	p := syncer.Pair{ID: "case", Local: local, Remote: "/Laptop/Backup/case"}
	if res, err := eng.RunPass(ctx, p, syncer.PassOptions{}); err != nil || len(res.Problems) > 0 {
		t.Fatalf("first pass: %v %s", err, problemsText(res.Problems))
	}
	// Renamed in case only, and an upper-case twin appears.
	if err := os.Rename(filepath.Join(local, "notes.txt"), filepath.Join(local, "Notes.txt")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, local, "Report.txt", []byte("upper"))
	if err := os.Rename(filepath.Join(local, "photos", "year"), filepath.Join(local, "photos", "Year")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(local, "photos"), filepath.Join(local, "Photos")); err != nil {
		t.Fatal(err)
	}
	res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || res.Problems[0].Path != "report.txt" {
		t.Fatalf("problems %s, want one for the twin report.txt", problemsText(res.Problems))
	}
	remote := e.remoteFiles(p.Remote)
	if got, ok := remote["Notes.txt"]; !ok || got.MD5 != md5Hex([]byte("same bytes")) {
		t.Errorf("Notes.txt not stored under its name: %v", keys(remote))
	}
	if got, ok := remote["Report.txt"]; !ok || got.MD5 != md5Hex([]byte("upper")) {
		t.Errorf("Report.txt not stored under its name with its bytes: %v", keys(remote))
	}
	// Folders: the topmost in this pass, the one below in the next.
	if _, ok := remote["Photos/year/a.jpg"]; !ok {
		t.Errorf("Photos not renamed: %v", keys(remote))
	}
	if _, err := eng.RunPass(ctx, p, syncer.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	remote = e.remoteFiles(p.Remote)
	if got, ok := remote["Photos/Year/a.jpg"]; !ok || got.MD5 != md5Hex([]byte("photo")) {
		t.Errorf("Photos/Year not renamed: %v", keys(remote))
	}
	if len(remote) != 3 {
		t.Errorf("server holds %v", keys(remote))
	}
	res4, err := eng.RunPass(ctx, p, syncer.PassOptions{})
	if err != nil || res4.Counters.FilesUploaded+res4.Counters.FilesMoved+res4.Counters.FoldersMoved != 0 || res4.Planned.FolderMoves+res4.Planned.FileMoves != 0 {
		t.Errorf("last pass: %v %+v %+v", err, res4.Counters, res4.Planned)
	}
}
