package syncer_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"jottacloudclient/syncer"
)

func lf(path, md5 string, size int64) syncer.LocalFile {
	return syncer.LocalFile{Path: path, Local: path, Size: size, MD5: md5, Uploaded: true}
}

func rf(path, md5 string, size int64) syncer.Entry {
	return syncer.Entry{Path: path, Size: size, MD5: md5}
}

func rd(path string) syncer.Entry { return syncer.Entry{Path: path, Dir: true} }

// planShape renders a plan as short strings so cases read like a diff.
func planShape(p syncer.Plan) []string {
	var out []string
	for _, d := range p.Mkdirs {
		out = append(out, "mkdir "+d)
	}
	for _, m := range p.Moves {
		kind := "mv"
		if m.Dir {
			kind = "mvdir"
		}
		out = append(out, fmt.Sprintf("%s %s -> %s", kind, m.From, m.To))
	}
	for _, u := range p.Uploads {
		out = append(out, "put "+u.Path)
	}
	for _, c := range p.Confirms {
		out = append(out, "confirm "+c.Path)
	}
	for _, tr := range p.Trash {
		kind := "trash"
		if tr.Dir {
			kind = "trashdir"
		}
		out = append(out, fmt.Sprintf("%s %s (%d)", kind, tr.Path, tr.Files))
	}
	if p.PruneRefused != "" {
		out = append(out, "refused")
	}
	sort.Strings(out)
	return out
}

func TestMakePlan(t *testing.T) {
	many := func(prefix string, n int) ([]syncer.LocalFile, []syncer.Entry) {
		var l []syncer.LocalFile
		var r []syncer.Entry
		for i := range n {
			p := fmt.Sprintf("%s/f%02d", prefix, i)
			l = append(l, lf(p, fmt.Sprintf("m%02d", i), int64(i+1)))
			r = append(r, rf(p, fmt.Sprintf("m%02d", i), int64(i+1)))
		}
		return l, r
	}
	keepL, keepR := many("keep", 30)
	_, goneR := many("gone", 20)

	cases := []struct {
		name string
		in   syncer.PlanInput
		want []string
		// unchanged is the expected count of files already in place.
		unchanged int
	}{
		{
			name: "new file is uploaded",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("a.txt", "aa", 1)}},
			want: []string{"put a.txt"},
		},
		{
			name:      "unchanged file does nothing",
			in:        syncer.PlanInput{Files: []syncer.LocalFile{lf("a.txt", "aa", 1)}, Remote: []syncer.Entry{rf("a.txt", "aa", 1)}},
			want:      nil,
			unchanged: 1,
		},
		{
			name: "file on the server but not in the index is confirmed",
			in: syncer.PlanInput{
				Files:  []syncer.LocalFile{{Path: "a.txt", Local: "a.txt", Size: 1, MD5: "aa"}},
				Remote: []syncer.Entry{rf("a.txt", "AA", 1)},
			},
			want:      []string{"confirm a.txt"},
			unchanged: 1,
		},
		{
			name: "changed content is uploaded",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("a.txt", "bb", 1)}, Remote: []syncer.Entry{rf("a.txt", "aa", 1)}},
			want: []string{"put a.txt"},
		},
		{
			name:      "names match case-insensitively",
			in:        syncer.PlanInput{Files: []syncer.LocalFile{lf("Dir/a.TXT", "aa", 1)}, Dirs: []string{"Dir"}, Remote: []syncer.Entry{rd("dir"), rf("dir/a.TXT", "aa", 1)}},
			want:      []string{"mvdir dir -> dir (renaming)", "mvdir dir (renaming) -> Dir"},
			unchanged: 1,
		},
		{
			// A restore would bring it back under the stored name.
			name: "a name stored in another case is renamed through a passing name",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("Dir/A.txt", "aa", 1)}, Dirs: []string{"Dir"}, Remote: []syncer.Entry{rd("dir"), rf("dir/a.TXT", "aa", 1)}},
			want: []string{"mvdir dir -> dir (renaming)", "mvdir dir (renaming) -> Dir",
				"mv dir/a.TXT -> dir/a.TXT (renaming)", "mv dir/a.TXT (renaming) -> dir/A.txt"},
			unchanged: 1,
		},
		{
			name: "a folder stored in another case is renamed, the topmost first",
			in: syncer.PlanInput{Files: []syncer.LocalFile{lf("Photos/Year/a.jpg", "aa", 1)}, Dirs: []string{"Photos", "Photos/Year"},
				Remote: []syncer.Entry{rd("photos"), rd("photos/year"), rf("photos/year/a.jpg", "aa", 1)}},
			want:      []string{"mvdir photos -> photos (renaming)", "mvdir photos (renaming) -> Photos"},
			unchanged: 1,
		},
		{
			name: "a file in the way of a folder is replaced when files are pruned",
			in: syncer.PlanInput{Files: []syncer.LocalFile{lf("x/in.txt", "aa", 1)}, Dirs: []string{"x"},
				Remote: []syncer.Entry{rf("x", "bb", 2)}, Prune: syncer.PruneFiles},
			want: []string{"mkdir x", "put x/in.txt", "trash x (1)"},
		},
		{
			name: "a folder in the way of a file waits without folder pruning",
			in: syncer.PlanInput{Files: []syncer.LocalFile{lf("x", "aa", 1)},
				Remote: []syncer.Entry{rd("x"), rf("x/old.txt", "bb", 2)}, Prune: syncer.PruneNone},
		},
		{
			name: "renamed file becomes a move",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("new.txt", "aa", 5)}, Remote: []syncer.Entry{rf("old.txt", "aa", 5)}},
			want: []string{"mv old.txt -> new.txt"},
		},
		{
			name: "moves can be turned off",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("new.txt", "aa", 5)}, Remote: []syncer.Entry{rf("old.txt", "aa", 5)}, DisableMoves: true},
			want: []string{"put new.txt"},
		},
		{
			name: "same md5 but other size is not a move",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("new.txt", "aa", 5)}, Remote: []syncer.Entry{rf("old.txt", "aa", 6)}},
			want: []string{"put new.txt"},
		},
		{
			name: "renamed folder becomes one folder move",
			in: syncer.PlanInput{
				Files:  []syncer.LocalFile{lf("pics/2024/a", "a", 1), lf("pics/2024/b", "b", 2), lf("pics/c", "c", 3)},
				Dirs:   []string{"pics", "pics/2024"},
				Remote: []syncer.Entry{rd("photos"), rd("photos/2024"), rf("photos/2024/a", "a", 1), rf("photos/2024/b", "b", 2), rf("photos/c", "c", 3)},
			},
			want: []string{"mvdir photos -> pics"},
		},
		{
			name: "folder partly moved gives file moves",
			in: syncer.PlanInput{
				Files:  []syncer.LocalFile{lf("new/a", "a", 1)},
				Dirs:   []string{"new"},
				Remote: []syncer.Entry{rd("old"), rf("old/a", "a", 1), rf("old/b", "b", 2)},
			},
			want: []string{"mkdir new", "mv old/a -> new/a"},
		},
		{
			name: "folder move waits when the source still exists locally",
			in: syncer.PlanInput{
				Files:  []syncer.LocalFile{lf("new/a", "a", 1)},
				Dirs:   []string{"new", "old"},
				Remote: []syncer.Entry{rd("old"), rf("old/a", "a", 1)},
			},
			want: []string{"mkdir new", "mv old/a -> new/a"},
		},
		{
			name: "taken destination is uploaded, not moved",
			in: syncer.PlanInput{
				Files:  []syncer.LocalFile{lf("b", "aa", 1)},
				Remote: []syncer.Entry{rf("a", "aa", 1), rf("b", "zz", 1)},
			},
			want: []string{"put b"},
		},
		{
			name: "only leaf folders are created",
			in:   syncer.PlanInput{Dirs: []string{"x", "x-1", "x/y", "x/y/z", "w"}, Remote: []syncer.Entry{rd("w")}},
			want: []string{"mkdir x-1", "mkdir x/y/z"},
		},
		{
			name: "deleted file without prune stays",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("a", "a", 1)}, Remote: []syncer.Entry{rf("a", "a", 1), rf("b", "b", 1)}},
			want: nil, unchanged: 1,
		},
		{
			name: "prune files trashes deleted files",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("a", "a", 1)}, Remote: []syncer.Entry{rf("a", "a", 1), rf("b", "b", 1), rd("d"), rf("d/c", "c", 1)}, Prune: syncer.PruneFiles},
			want: []string{"trash b (1)", "trash d/c (1)"}, unchanged: 1,
		},
		{
			name: "prune folders trashes only the topmost deleted folder",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("a", "a", 1)}, Remote: []syncer.Entry{rf("a", "a", 1), rf("b", "b", 1), rd("d"), rd("d-x"), rd("d/e"), rf("d/e/c", "c", 1)}, Prune: syncer.PruneFolders},
			want: []string{"trashdir d (1)", "trashdir d-x (0)"}, unchanged: 1,
		},
		{
			name: "prune all combines both",
			in:   syncer.PlanInput{Files: []syncer.LocalFile{lf("a", "a", 1)}, Remote: []syncer.Entry{rf("a", "a", 1), rf("b", "b", 1), rd("d"), rf("d/c", "c", 1)}, Prune: syncer.PruneAll},
			want: []string{"trash b (1)", "trashdir d (1)"}, unchanged: 1,
		},
		{
			name: "protected paths are never trashed",
			in: syncer.PlanInput{
				Files:     []syncer.LocalFile{lf("a", "a", 1)},
				Protected: []string{"build", "b.log"},
				Remote:    []syncer.Entry{rf("a", "a", 1), rf("b.log", "b", 1), rd("build"), rf("build/x.o", "x", 1)},
				Prune:     syncer.PruneAll,
			},
			unchanged: 1,
		},
		{
			name: "protected file is not a move source",
			in: syncer.PlanInput{
				Files:     []syncer.LocalFile{lf("copy", "b", 1)},
				Protected: []string{"orig"},
				Remote:    []syncer.Entry{rf("orig", "b", 1)},
			},
			want: []string{"put copy"},
		},
		{
			name: "a file that could not be hashed protects its remote copy",
			in: syncer.PlanInput{
				Files:  []syncer.LocalFile{{Path: "busy", Local: "busy", Size: 3}, lf("other", "o", 1)},
				Remote: []syncer.Entry{rf("busy", "old", 2), rf("other", "o", 1)},
				Prune:  syncer.PruneAll,
			},
			unchanged: 1,
		},
		{
			name: "unavailable source refuses prune",
			in:   syncer.PlanInput{Remote: []syncer.Entry{rf("a", "a", 1)}, Prune: syncer.PruneAll, SourceProblem: "the local folder is empty"},
			want: []string{"refused"},
		},
		{
			name: "mass delete over the default limit is refused",
			in:   syncer.PlanInput{Files: keepL, Remote: append(append([]syncer.Entry{}, keepR...), goneR...), Prune: syncer.PruneFiles},
			want: []string{"refused"}, unchanged: 30,
		},
		{
			name: "a raised limit allows it",
			in:   syncer.PlanInput{Files: keepL[:1], Remote: append([]syncer.Entry{}, keepR[:13]...), Prune: syncer.PruneFiles, PruneLimit: 12},
			want: func() []string {
				var w []string
				for i := 1; i < 13; i++ {
					w = append(w, fmt.Sprintf("trash keep/f%02d (1)", i))
				}
				return w
			}(),
			unchanged: 1,
		},
		{
			name: "a lowered limit refuses earlier",
			in:   syncer.PlanInput{Files: keepL[:1], Remote: append([]syncer.Entry{}, keepR[:4]...), Prune: syncer.PruneFiles, PruneLimit: 2},
			want: []string{"refused"}, unchanged: 1,
		},
		{
			name: "forcing lifts the limit but not a source problem",
			in:   syncer.PlanInput{Remote: goneR[:12], Prune: syncer.PruneFiles, ForcePrune: true, SourceProblem: "the local folder is empty"},
			want: []string{"refused"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := syncer.MakePlan(tc.in)
			got := planShape(p)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if len(got) == 0 {
				got = nil
			}
			if len(want) == 0 {
				want = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("plan:\n  got  %s\n  want %s", strings.Join(got, "; "), strings.Join(want, "; "))
			}
			if p.Unchanged != tc.unchanged {
				t.Errorf("unchanged = %d, want %d", p.Unchanged, tc.unchanged)
			}
			if again := planShape(syncer.MakePlan(tc.in)); !reflect.DeepEqual(again, planShape(p)) {
				t.Errorf("plan is not deterministic: %v vs %v", again, planShape(p))
			}
		})
	}
}

func TestMakePlanForcedMassDelete(t *testing.T) {
	var remote []syncer.Entry
	for i := range 40 {
		remote = append(remote, rf(fmt.Sprintf("f%02d", i), fmt.Sprint(i), 1))
	}
	in := syncer.PlanInput{Files: []syncer.LocalFile{lf("f00", "0", 1)}, Remote: remote, Prune: syncer.PruneFiles}
	if p := syncer.MakePlan(in); p.PruneRefused == "" || len(p.Trash) != 0 {
		t.Fatalf("39 of 40 files: refused=%q trash=%d, want a refusal", p.PruneRefused, len(p.Trash))
	}
	in.ForcePrune = true
	if p := syncer.MakePlan(in); p.PruneRefused != "" || p.TrashFiles != 39 {
		t.Fatalf("forced: refused=%q trashFiles=%d, want 39", p.PruneRefused, p.TrashFiles)
	}
}

func TestDefaultPruneLimit(t *testing.T) {
	cases := []struct{ files, want int }{{0, 10}, {50, 10}, {100, 10}, {500, 50}, {1000, 100}, {100000, 100}}
	for _, tc := range cases {
		if got := syncer.DefaultPruneLimit(tc.files); got != tc.want {
			t.Errorf("DefaultPruneLimit(%d) = %d, want %d", tc.files, got, tc.want)
		}
	}
}
