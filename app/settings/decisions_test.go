package settings

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestHeldDeletionsReview: a folder with held deletions says it needs a
// decision; the review lists the files and why, and nothing is trashed
// until "Move to JottaCloud trash"; "Keep them in JottaCloud" keeps them.
func TestHeldDeletionsReview(t *testing.T) {
	held := []HeldItem{{Path: "2019/holiday", Dir: true, Files: 40, Bytes: 80 << 20}, {Path: "notes.txt", Files: 1, Bytes: 12}}
	why := "41 files are gone from this folder but still in JottaCloud. They were not moved to the JottaCloud trash: this pass would move 41 files to the trash, more than the limit of 10."
	pair := func(id, remote string) Pair {
		p := Pair{ID: id, Local: localFolder(t, id), Remote: remote, Enabled: true, Interval: time.Hour}
		p.Status = PairStatus{LastComplete: testNow.Add(-time.Hour), Held: held, HeldWhy: why}
		return p
	}
	f := signedIn(newFakeBackend(testNow), pair("pics", "/laptop/Pictures"))
	f.remote["/laptop/Pictures"] = 100
	w, c := newTestWindow(t, f)

	wantText(t, c, "Needs your decision: 41 deleted files are still in JottaCloud")
	test.Tap(button(t, c, "Review deletions…"))
	wantText(t, c, why)
	wantText(t, c, "2019/holiday/  (folder, 40 files, 83.9 MB)")
	wantText(t, c, "notes.txt  (12 B)")
	test.Tap(button(t, c, "Decide later"))
	w.waitIdle()
	if f.called("ConfirmDeletions")+f.called("KeepDeletions") != 0 || f.remote["/laptop/Pictures"] != 100 {
		t.Fatal("closing the review decided something")
	}

	test.Tap(button(t, c, "Review deletions…"))
	test.Tap(button(t, c, "Move to JottaCloud trash"))
	w.waitIdle()
	if f.called("ConfirmDeletions") != 1 || f.remote["/laptop/Pictures"] != 59 {
		t.Fatalf("confirm: %d calls, remote %d files", f.called("ConfirmDeletions"), f.remote["/laptop/Pictures"])
	}
	if len(buttons(c, "Review deletions…")) != 0 {
		t.Error("the folder still asks after the decision")
	}

	// Keep them: nothing leaves the remote.
	f2 := signedIn(newFakeBackend(testNow), pair("docs", "/laptop/Docs"))
	f2.remote["/laptop/Docs"] = 100
	w2, c2 := newTestWindow(t, f2)
	test.Tap(button(t, c2, "Review deletions…"))
	test.Tap(button(t, c2, "Keep them in JottaCloud"))
	w2.waitIdle()
	if f2.called("KeepDeletions") != 1 || f2.called("ConfirmDeletions") != 0 || f2.remote["/laptop/Docs"] != 100 {
		t.Fatalf("keep: %v, remote %d", f2.calls, f2.remote["/laptop/Docs"])
	}
	if len(buttons(c2, "Review deletions…")) != 0 {
		t.Error("the folder still asks after keeping")
	}
}

// TestSkippedItemsListedAndLinksFollowedInOneClick: a folder with special
// files and links not followed stays "backed up", lists them on request,
// and one click makes it follow the links that point inside it.
func TestSkippedItemsListedAndLinksFollowedInOneClick(t *testing.T) {
	dir := localFolder(t, "Home")
	p := Pair{ID: "home", Local: dir, Remote: "/laptop/Home", Enabled: true, Interval: time.Hour, Symlinks: SymlinksSkip}
	p.Status = PairStatus{LastComplete: testNow.Add(-time.Minute), Files: 2, Bytes: 5, Skipped: []SkippedItem{
		{Path: dir + "/link.txt", Reason: linkNotFollowed},
		{Path: dir + "/run/app.sock", Reason: "special file (socket)"},
	}}
	f := signedIn(newFakeBackend(testNow), p)
	w, c := newTestWindow(t, f)

	wantText(t, c, "Backed up")
	wantText(t, c, "2 items skipped by design: 1 symbolic link (not followed), 1 special file (socket)")
	test.Tap(button(t, c, "Show skipped…"))
	wantText(t, c, "link.txt — symbolic link (not followed)")
	wantText(t, c, "app.sock — special file (socket)")
	test.Tap(button(t, c, "Follow links inside the folder"))
	w.waitIdle()
	if f.called("SavePair") != 1 || f.pairs[0].Symlinks != SymlinksFollow {
		t.Fatalf("SavePair called %d times, symlinks %q", f.called("SavePair"), f.pairs[0].Symlinks)
	}
	if len(buttons(c, "Follow links inside the folder")) != 0 {
		t.Error("the list stays open after following the links")
	}
}
