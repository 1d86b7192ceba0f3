package syncer

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"jottacloudclient/internal/names"
)

// Blocked is a local file a plan cannot back up, and why.
type Blocked struct {
	Local  string // local relative path
	Reason string
}

// typeChange is a remote item of the other kind that stands where a local
// item now is: a file where the local side has a folder, or a folder where
// it has a file. The server keeps one item per name, so the remote one
// must go to the trash before the local one can be backed up.
type typeChange struct {
	key   string // fold key of the contested path
	trash Trash
}

// typeChanges finds the remote items in the way of local ones.
func (p *planner) typeChanges() []typeChange {
	var out []typeChange
	for k, r := range p.rfiles {
		if _, ok := p.ldirs[k]; ok && !p.protected(k) {
			out = append(out, typeChange{key: k, trash: Trash{Path: r.Path, Files: 1, Bytes: r.Size}})
		}
	}
	for k, d := range p.rdirs {
		if _, ok := p.lfiles[k]; !ok || p.protected(k) {
			continue
		}
		t := Trash{Path: d, Dir: true}
		for fk, f := range p.rfiles {
			if strings.HasPrefix(fk, k+"/") {
				t.Files++
				t.Bytes += f.Size
			}
		}
		out = append(out, typeChange{key: k, trash: t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// refusal says why the pair may not trash the item in the way, or "".
func (tc typeChange) refusal(mode PruneMode, sourceProblem string) string {
	name := tc.trash.Path[strings.LastIndexByte(tc.trash.Path, '/')+1:]
	switch {
	case sourceProblem != "":
		return fmt.Sprintf("not backed up: JottaCloud still holds the old %s %q here, and it was not moved to the trash because %s", tc.kind(), name, sourceProblem)
	case tc.trash.Dir && !mode.folders():
		return fmt.Sprintf("not backed up: JottaCloud still holds a folder named %q where this file now is; to back the file up, let the pair remove deleted folders (\"Deleted files\": remove folders, prune = folders or all, jotta scan --prune-folders) and the old folder goes to the trash", name)
	case !tc.trash.Dir && !mode.files():
		return fmt.Sprintf("not backed up: JottaCloud still holds a file named %q where this folder now is; to back the folder up, let the pair remove deleted files (\"Deleted files\": remove files, prune = files or all, jotta scan --prune-files) and the old file goes to the trash", name)
	}
	return ""
}

func (tc typeChange) kind() string {
	if tc.trash.Dir {
		return "folder"
	}
	return "file"
}

// replaceTypes decides, for every remote item in the way of a local one of
// the other kind, whether it goes to the trash first (Trash.Replace) or
// the local items stay out of this pass (Blocked). It runs before the
// rest of the plan: items being replaced are neither move sources nor
// ordinary prune candidates, and blocked files, folders and moves are
// dropped.
func (p *planner) replaceTypes(out *Plan) {
	changes := p.typeChanges()
	if len(changes) == 0 {
		return
	}
	p.replaced = map[string]bool{}
	p.blocked = map[string]string{}
	for _, tc := range changes {
		if why := tc.refusal(p.in.Prune, p.in.SourceProblem); why != "" {
			p.blocked[tc.key] = why
			continue
		}
		p.replaced[tc.key] = true
		t := tc.trash
		t.Replace = true
		out.Trash = append(out.Trash, t)
		out.TrashFiles += t.Files
		out.TrashBytes += t.Bytes
	}
}

// replacedKey reports whether the remote item at key, or a folder
// holding it, goes to the trash as a type change.
func (p *planner) replacedKey(key string) bool {
	for k := key; k != "" && p.replaced != nil; k = parentOf(k) {
		if p.replaced[k] {
			return true
		}
	}
	return false
}

// blockedReason says why the local path at key cannot be backed up in
// this pass, or "".
func (p *planner) blockedReason(key string) string {
	for k := key; k != "" && p.blocked != nil; k = parentOf(k) {
		if why, ok := p.blocked[k]; ok {
			return why
		}
	}
	return ""
}

// passingName is the name a remote item gets on its way: to the trash
// when it is in the way ("notes (replaced 2026-11-29 195803)"), or to a
// name that differs only in case ("notes (renaming)", no time: the plan
// is pure); its parent kept, cut to the service's name limit.
func passingName(rel, why string, at time.Time) string {
	dir, name := "", rel
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		dir, name = rel[:i+1], rel[i+1:]
	}
	suffix := " (" + why + ")"
	if !at.IsZero() {
		suffix = " (" + why + " " + at.UTC().Format("2006-01-02 150405") + ")"
	}
	for len(name)+len(suffix) > names.MaxBytes {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return dir + name + suffix
}

// renameCase renames the remote file r to the local file f's name, which
// differs only in case (the server would refuse a direct rename): through
// a passing name next to it. A crash in between leaves a file the next
// pass recognises by its content and moves on. With sameContent the index
// learns that f is backed up; otherwise f is uploaded after the rename.
func renameCase(r Entry, f LocalFile, sameContent bool) []Move {
	dir := r.Path[:len(r.Path)-len(baseName(r.Path))]
	via := passingName(r.Path, "renaming", time.Time{})
	to := dir + baseName(f.Path)
	second := Move{From: via, To: to, Files: 1, Bytes: r.Size, Rename: true}
	if sameContent {
		second.Local, second.MD5 = f.Local, f.MD5
	}
	return []Move{{From: r.Path, To: via, Files: 1, Bytes: r.Size, Rename: true}, second}
}

// baseName is the last name of a '/'-separated path.
func baseName(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// renameFolders gives remote folders stored under a name that differs
// only in case the local name, through a passing name like renameCase.
// Only the topmost such folder of a path is renamed in one pass; the
// folders below it follow in the next.
func (p *planner) renameFolders() []Move {
	var out []Move
	for _, d := range p.in.Dirs {
		rd, ok := p.rdirs[foldKey(d)]
		if !ok || baseName(rd) == baseName(d) || parentOf(rd) != parentOf(d) {
			continue
		}
		via := passingName(rd, "renaming", time.Time{})
		out = append(out,
			Move{From: rd, To: via, Dir: true, Rename: true},
			Move{From: via, To: rd[:len(rd)-len(baseName(rd))] + baseName(d), Dir: true, Rename: true})
	}
	return out
}
