package syncer

import (
	"fmt"
	"sort"
	"strings"
)

// LocalFile is a backed-up local file as the planner sees it.
type LocalFile struct {
	// Path is the remote relative path (NFC, '/'-separated).
	Path string
	// Local is the byte-exact local relative path; the planner only passes
	// it through.
	Local string
	Size  int64
	// MD5 is the lowercase hex content hash; "" when unknown (the file
	// could not be hashed), which protects its remote copy.
	MD5 string
	// Uploaded is true when the index says the server confirmed MD5+Size.
	Uploaded bool
}

// PlanInput is everything a plan depends on.
type PlanInput struct {
	Files []LocalFile
	// Dirs are the remote relative paths of local directories backed up.
	Dirs []string
	// Protected are remote relative paths (files or folders, with all they
	// contain) present locally but left out of this pass: excluded,
	// hidden, unreadable, special. They are never moved away or pruned.
	Protected []string
	// Remote is the listing of the pair's remote folder.
	Remote []Entry
	// Prune selects what may be trashed.
	Prune PruneMode
	// PruneLimit caps the number of files trashed: 0 = DefaultPruneLimit,
	// negative = no cap.
	PruneLimit int
	// ForcePrune lifts the cap.
	ForcePrune bool
	// SourceProblem, when set, says why the local folder looks unavailable;
	// pruning is then refused with that reason.
	SourceProblem string
	// DisableMoves turns renames into uploads.
	DisableMoves bool
	// Unchanged counts the files matched before planning (the same path,
	// size and md5 on both sides) and left out of Files and Remote. They
	// count as unchanged, and as remote files for the prune limit.
	Unchanged int
}

// Move is a server-side rename; From and To are remote relative paths.
type Move struct {
	From, To string
	Dir      bool
	Files    int   // files carried by the move
	Bytes    int64 // their size
	// Local is the local relative path of the destination file (file
	// moves only).
	Local string
	MD5   string
	// Rename marks a move that only gives a file or folder the case of
	// its local name (through a passing name): it carries no new content,
	// and nothing may stay at the old path.
	Rename bool
}

// Trash is a remote item to move to the trash.
type Trash struct {
	Path  string
	Dir   bool
	Files int   // files it holds (1 for a file)
	Bytes int64 // their size
	// Replace marks an item in the way of a local item of the other kind
	// (a file where a folder now is, or the reverse); it goes to the trash
	// before anything else runs.
	Replace bool
}

// Plan is what one pass will do, in execution order: folder moves, folder
// creation, file moves, uploads, confirmations, trash.
type Plan struct {
	Mkdirs   []string
	Moves    []Move // folder moves first, then file moves
	Uploads  []LocalFile
	Confirms []LocalFile // already on the server; only the index learns it
	Trash    []Trash
	// Blocked are local files this pass cannot back up (a remote item of
	// the other kind is in the way and the pair may not trash it).
	Blocked []Blocked
	// PruneRefused explains why pruning was refused ("" if it was not).
	PruneRefused string
	// Held are the items pruning would have trashed when it was refused:
	// they wait for the user's decision (PassOptions.ForcePrune to trash
	// them, Engine.KeepRemote to stop asking).
	Held        []Trash
	Unchanged   int
	UploadBytes int64
	TrashFiles  int
	TrashBytes  int64
}

type planner struct {
	in       PlanInput
	rfiles   map[string]Entry    // fold key → remote file
	rdirs    map[string]string   // fold key → remote dir path (server casing)
	lfiles   map[string]struct{} // fold keys of local files (hashed or not)
	ldirs    map[string]struct{}
	prot     map[string]struct{}
	rootProt bool
	replaced map[string]bool   // fold keys of remote items trashed as type changes
	blocked  map[string]string // fold key → why the local items there wait
}

// MakePlan computes the actions of a pass. It is pure: no I/O, same input,
// same plan.
func MakePlan(in PlanInput) Plan {
	p := planner{
		in:     in,
		rfiles: make(map[string]Entry, len(in.Remote)),
		rdirs:  make(map[string]string),
		lfiles: make(map[string]struct{}, len(in.Files)),
		ldirs:  make(map[string]struct{}, len(in.Dirs)),
		prot:   make(map[string]struct{}, len(in.Protected)),
	}
	for _, e := range in.Remote {
		k := foldKey(e.Path)
		if e.Dir {
			p.rdirs[k] = e.Path
		} else {
			p.rfiles[k] = e
		}
		for d := parentOf(e.Path); d != ""; d = parentOf(d) {
			dk := foldKey(d)
			if _, ok := p.rdirs[dk]; ok {
				break
			}
			p.rdirs[dk] = d
		}
	}
	for _, f := range in.Files {
		p.lfiles[foldKey(f.Path)] = struct{}{}
	}
	for _, d := range in.Dirs {
		p.ldirs[foldKey(d)] = struct{}{}
	}
	for _, pr := range in.Protected {
		if pr == "" {
			p.rootProt = true
		}
		p.prot[foldKey(pr)] = struct{}{}
	}
	return p.plan()
}

// protected reports whether key or one of its ancestors is protected.
func (p *planner) protected(key string) bool {
	if p.rootProt {
		return true
	}
	if len(p.prot) == 0 {
		return false
	}
	for k := key; k != ""; k = parentOf(k) {
		if _, ok := p.prot[k]; ok {
			return true
		}
	}
	return false
}

type sizeSum struct {
	size int64
	md5  string
}

func (p *planner) plan() Plan {
	out := Plan{Unchanged: p.in.Unchanged}
	p.replaceTypes(&out)
	files := append([]LocalFile(nil), p.in.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })

	var want []LocalFile
	var renames []Move
	for _, f := range files {
		if f.MD5 == "" {
			continue
		}
		if why := p.blockedReason(foldKey(f.Path)); why != "" {
			out.Blocked = append(out.Blocked, Blocked{Local: f.Local, Reason: why})
			continue
		}
		r, ok := p.rfiles[foldKey(f.Path)]
		same := ok && r.Size == f.Size && strings.EqualFold(r.MD5, f.MD5)
		if ok && baseName(r.Path) != baseName(f.Path) {
			// Stored under a name that differs in case: a restore would
			// bring it back under that name. Rename it first.
			renames = append(renames, renameCase(r, f, same)...)
		}
		if same {
			out.Unchanged++
			if !f.Uploaded {
				out.Confirms = append(out.Confirms, f)
			}
			continue
		}
		want = append(want, f)
	}

	// Remote files whose local counterpart is gone.
	var orphans []Entry
	for k, r := range p.rfiles {
		if _, ok := p.lfiles[k]; ok {
			continue
		}
		if p.protected(k) || p.replacedKey(k) {
			continue
		}
		orphans = append(orphans, r)
	}
	sort.Slice(orphans, func(i, j int) bool { return orphans[i].Path < orphans[j].Path })
	movedAway := map[string]bool{}

	var fileMoves []Move
	if !p.in.DisableMoves && len(orphans) > 0 {
		bySum := map[sizeSum][]Entry{}
		for _, o := range orphans {
			s := sizeSum{o.Size, strings.ToLower(o.MD5)}
			bySum[s] = append(bySum[s], o)
		}
		kept := want[:0]
		for _, f := range want {
			s := sizeSum{f.Size, strings.ToLower(f.MD5)}
			_, taken := p.rfiles[foldKey(f.Path)]
			if c := bySum[s]; len(c) > 0 && !taken {
				src := c[0]
				bySum[s] = c[1:]
				movedAway[foldKey(src.Path)] = true
				fileMoves = append(fileMoves, Move{From: src.Path, To: f.Path, Files: 1, Bytes: f.Size, Local: f.Local, MD5: f.MD5})
				continue
			}
			kept = append(kept, f)
		}
		want = kept
	}
	folderMoves, fileMoves := p.foldMoves(fileMoves)

	// Folders that will exist after the folder moves.
	willExist := map[string]bool{}
	for _, m := range folderMoves {
		willExist[foldKey(m.To)] = true
		fromKey := foldKey(m.From)
		for k, d := range p.rdirs {
			if strings.HasPrefix(k, fromKey+"/") {
				willExist[foldKey(m.To+d[len(m.From):])] = true
			}
		}
	}
	var missing []string
	for _, d := range p.in.Dirs {
		k := foldKey(d)
		if _, ok := p.rdirs[k]; ok || willExist[k] || p.blockedReason(k) != "" {
			continue
		}
		missing = append(missing, d)
	}
	// Folders inside a folder-move destination are created after the move,
	// the others before it; within each group only leaves are needed
	// (mkdir -p creates the parents).
	var early, late []string
	for _, d := range missing {
		if underFolderMove(folderMoves, d) {
			late = append(late, d)
		} else {
			early = append(early, d)
		}
	}
	out.Mkdirs = append(leaves(early), leaves(late)...)
	out.Moves = append(append(append(folderMoves, p.renameFolders()...), renames...), fileMoves...)
	out.Uploads = want
	for _, f := range want {
		out.UploadBytes += f.Size
	}

	p.prune(&out, orphans, movedAway, folderMoves)
	return out
}

// leaves keeps the folders that have no other folder of dirs below them.
func leaves(dirs []string) []string {
	// With the separator as the lowest byte, a folder sorts right before
	// its descendants ("b", "b/x", "b-x").
	keys := make([]string, len(dirs))
	for i, d := range dirs {
		keys[i] = strings.ReplaceAll(foldKey(d), "/", "\x00")
	}
	sort.Sort(byKey{dirs, keys})
	var out []string
	for i, d := range dirs {
		if i+1 < len(dirs) && strings.HasPrefix(keys[i+1], keys[i]+"\x00") {
			continue
		}
		out = append(out, d)
	}
	return out
}

type byKey struct{ dirs, keys []string }

func (b byKey) Len() int           { return len(b.dirs) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.dirs[i], b.dirs[j] = b.dirs[j], b.dirs[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}

// foldMoves replaces groups of file moves that carry a whole remote folder
// to a new name by one folder move.
func (p *planner) foldMoves(moves []Move) (folders, files []Move) {
	if len(moves) == 0 {
		return nil, nil
	}
	type group struct {
		from, to string
		idx      []int
	}
	groups := map[[2]string]*group{}
	var order [][2]string
	for i, m := range moves {
		from, to := splitCommonSuffix(m.From, m.To)
		if from == "" || to == "" {
			continue
		}
		key := [2]string{foldKey(from), foldKey(to)}
		g := groups[key]
		if g == nil {
			g = &group{from: from, to: to}
			groups[key] = g
			order = append(order, key)
		}
		g.idx = append(g.idx, i)
	}
	used := make([]bool, len(moves))
	for _, key := range order {
		g := groups[key]
		fromKey, toKey := key[0], key[1]
		if strings.HasPrefix(toKey+"/", fromKey+"/") || strings.HasPrefix(fromKey+"/", toKey+"/") {
			continue
		}
		if _, ok := p.ldirs[fromKey]; ok {
			continue
		}
		if _, ok := p.rdirs[toKey]; ok {
			continue
		}
		if p.protected(fromKey) {
			continue
		}
		// Every remote file below the source must travel with the group.
		n := 0
		for k := range p.rfiles {
			if strings.HasPrefix(k, fromKey+"/") {
				n++
			}
		}
		if n != len(g.idx) {
			continue
		}
		fm := Move{From: g.from, To: g.to, Dir: true}
		for _, i := range g.idx {
			used[i] = true
			fm.Files++
			fm.Bytes += moves[i].Bytes
		}
		folders = append(folders, fm)
	}
	for i, m := range moves {
		if !used[i] {
			files = append(files, m)
		}
	}
	sort.Slice(folders, func(i, j int) bool { return folders[i].From < folders[j].From })
	return folders, files
}

// splitCommonSuffix strips the longest common trailing path components from
// a and b and returns what is left of each.
func splitCommonSuffix(a, b string) (string, string) {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	i, j := len(as), len(bs)
	for i > 0 && j > 0 && foldKey(as[i-1]) == foldKey(bs[j-1]) {
		i--
		j--
	}
	return strings.Join(as[:i], "/"), strings.Join(bs[:j], "/")
}

func (p *planner) prune(out *Plan, orphans []Entry, movedAway map[string]bool, folderMoves []Move) {
	mode := p.in.Prune
	if mode == PruneNone {
		return
	}
	movedDir := func(k string) bool {
		for _, m := range folderMoves {
			fk := foldKey(m.From)
			if k == fk || strings.HasPrefix(k, fk+"/") {
				return true
			}
		}
		return false
	}
	var trash []Trash
	inTrashedDir := map[string]bool{}
	if mode.folders() {
		var gone []string
		for k, d := range p.rdirs {
			if _, ok := p.ldirs[k]; ok {
				continue
			}
			if p.protected(k) || movedDir(k) || p.replacedKey(k) {
				continue
			}
			gone = append(gone, d)
		}
		// Parents before children, so only the topmost folder is trashed.
		sort.Slice(gone, func(i, j int) bool {
			ci, cj := strings.Count(gone[i], "/"), strings.Count(gone[j], "/")
			if ci != cj {
				return ci < cj
			}
			return foldKey(gone[i]) < foldKey(gone[j])
		})
		trashedDir := map[string]bool{}
		for _, d := range gone {
			k := foldKey(d)
			covered := false
			for a := parentOf(k); a != ""; a = parentOf(a) {
				if trashedDir[a] {
					covered = true
					break
				}
			}
			if covered {
				continue
			}
			// A folder holding a file that still exists locally (a
			// local file named like it) or moved-away content is kept.
			if p.holdsLive(k, movedAway) {
				continue
			}
			trashedDir[k] = true
			t := Trash{Path: d, Dir: true}
			for fk, f := range p.rfiles {
				if strings.HasPrefix(fk, k+"/") {
					t.Files++
					t.Bytes += f.Size
					inTrashedDir[fk] = true
				}
			}
			trash = append(trash, t)
		}
	}
	if mode.files() {
		for _, o := range orphans {
			k := foldKey(o.Path)
			if movedAway[k] || inTrashedDir[k] {
				continue
			}
			trash = append(trash, Trash{Path: o.Path, Files: 1, Bytes: o.Size})
		}
	}
	n := 0
	var bytes int64
	for _, t := range trash {
		n += t.Files
		bytes += t.Bytes
	}
	if len(trash) == 0 {
		return
	}
	sort.Slice(trash, func(i, j int) bool { return trash[i].Path < trash[j].Path })
	if p.in.SourceProblem != "" {
		out.PruneRefused = fmt.Sprintf("pruning refused: %s; nothing was moved to the trash", p.in.SourceProblem)
		out.Held = trash
		return
	}
	limit := p.in.PruneLimit
	if limit == 0 {
		limit = DefaultPruneLimit(len(p.rfiles) + p.in.Unchanged)
	}
	if limit > 0 && n > limit && !p.in.ForcePrune {
		out.PruneRefused = fmt.Sprintf("pruning refused: this pass would move %d files to the trash, more than the limit of %d; nothing was moved (check the local folder, then confirm the deletions once or raise the prune limit)", n, limit)
		out.Held = trash
		return
	}
	out.Trash = append(out.Trash, trash...)
	out.TrashFiles += n
	out.TrashBytes += bytes
}

// holdsLive reports whether a remote folder contains a file that must stay:
// one moved elsewhere is fine, one still present locally (key collision) or
// protected is not.
func (p *planner) holdsLive(dirKey string, movedAway map[string]bool) bool {
	for fk := range p.rfiles {
		if !strings.HasPrefix(fk, dirKey+"/") || movedAway[fk] {
			continue
		}
		if _, ok := p.lfiles[fk]; ok || p.protected(fk) {
			return true
		}
	}
	return false
}

func parentOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}
