package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"jottacloudclient/app/message"
	"jottacloudclient/syncer"
)

// Output shared by the engine commands: the scan summary (text and JSON),
// the dry-run listing and small formatting helpers.

// engineIsTerminal reports whether w is a terminal (progress bars only go
// there unless asked for).
func engineIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// enginePlural returns "1 file" or "2 files".
func enginePlural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// engineWhen prints a pass time for people: local time and how long ago.
func engineWhen(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	ago := now.Sub(t).Round(time.Second)
	if ago < 0 {
		ago = 0
	}
	return fmt.Sprintf("%s (%s ago)", t.Local().Format("2006-01-02 15:04:05"), ago)
}

// engineBytes formats n with binary units, e.g. "1.5 MiB".
func engineBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 5 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[i])
}

// scanSummary is the result of 'jotta scan', as printed with --json.
type scanSummary struct {
	Local        string         `json:"local"`
	Remote       string         `json:"remote"`
	DryRun       bool           `json:"dry_run"`
	Complete     bool           `json:"complete"`
	Error        string         `json:"error,omitempty"`
	Seconds      float64        `json:"seconds"`
	Counters     scanCounters   `json:"counters"`
	Planned      scanPlanned    `json:"planned"`
	Problems     []scanProblem  `json:"problems"`
	Skipped      []scanProblem  `json:"skipped"`
	Created      []string       `json:"created_folders"`
	Notices      []string       `json:"notices"`
	PruneRefused string         `json:"prune_refused,omitempty"`
	LastComplete *time.Time     `json:"last_complete,omitempty"`
	Settings     scanSettingsJS `json:"settings"`
}

type scanSettingsJS struct {
	Prune          string `json:"prune"`
	Transfers      int    `json:"transfers"`
	BandwidthLimit int64  `json:"bandwidth_limit"`
}

type scanCounters struct {
	FilesSeen         int64 `json:"files_seen"`
	FilesHashed       int64 `json:"files_hashed"`
	BytesHashed       int64 `json:"bytes_hashed"`
	FilesUploaded     int64 `json:"files_uploaded"`
	BytesUploaded     int64 `json:"bytes_uploaded"`
	FilesDeduplicated int64 `json:"files_deduplicated"`
	FilesMoved        int64 `json:"files_moved"`
	FoldersMoved      int64 `json:"folders_moved"`
	FilesTrashed      int64 `json:"files_trashed"`
	FoldersTrashed    int64 `json:"folders_trashed"`
	FoldersCreated    int64 `json:"folders_created"`
	FilesUnchanged    int64 `json:"files_unchanged"`
	ListRequests      int64 `json:"list_requests"`
}

type scanPlanned struct {
	Uploads     int   `json:"uploads"`
	UploadBytes int64 `json:"upload_bytes"`
	FileMoves   int   `json:"file_moves"`
	FolderMoves int   `json:"folder_moves"`
	MovedBytes  int64 `json:"moved_bytes"`
	Mkdirs      int   `json:"mkdirs"`
	Trash       int   `json:"trash"`
	TrashFiles  int   `json:"trash_files"`
	TrashBytes  int64 `json:"trash_bytes"`
	Unchanged   int   `json:"unchanged"`
	CreateRoot  bool  `json:"create_root"`
	HeldFiles   int   `json:"held_files"`
}

type scanProblem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func newScanSummary(sp *scanPlan, res *syncer.PassResult, col *scanCollector) scanSummary {
	c, pl := res.Counters, res.Planned
	s := scanSummary{
		Local:    sp.pair.Local,
		Remote:   sp.pair.Remote,
		DryRun:   res.DryRun,
		Complete: res.Complete,
		Seconds:  res.Finished.Sub(res.Started).Seconds(),
		Counters: scanCounters{
			FilesSeen: c.FilesSeen, FilesHashed: c.FilesHashed, BytesHashed: c.BytesHashed,
			FilesUploaded: c.FilesUploaded, BytesUploaded: c.BytesUploaded, FilesDeduplicated: c.FilesDeduplicated,
			FilesMoved: c.FilesMoved, FoldersMoved: c.FoldersMoved, FilesTrashed: c.FilesTrashed,
			FoldersTrashed: c.FoldersTrashed, FoldersCreated: c.FoldersCreated,
			FilesUnchanged: int64(pl.Unchanged), ListRequests: c.ListRequests,
		},
		Planned: scanPlanned{
			Uploads: pl.Uploads, UploadBytes: pl.UploadBytes, FileMoves: pl.FileMoves, FolderMoves: pl.FolderMoves,
			MovedBytes: pl.MovedBytes, Mkdirs: pl.Mkdirs, Trash: pl.Trash, TrashFiles: pl.TrashFiles,
			TrashBytes: pl.TrashBytes, Unchanged: pl.Unchanged, CreateRoot: pl.CreateRoot, HeldFiles: pl.HeldFiles,
		},
		Problems:     []scanProblem{},
		Skipped:      []scanProblem{},
		Created:      append([]string{}, col.created...),
		Notices:      append([]string{}, col.notices...),
		PruneRefused: pl.PruneRefused,
		Settings: scanSettingsJS{
			Prune: sp.pair.Prune.String(), Transfers: sp.opts.Transfers, BandwidthLimit: sp.opts.BandwidthLimit,
		},
	}
	if res.Err != nil {
		s.Error = message.For(res.Err).Once().String()
	}
	if !res.LastComplete.IsZero() {
		t := res.LastComplete
		s.LastComplete = &t
	}
	for _, p := range res.Problems {
		s.Problems = append(s.Problems, scanProblem{Path: p.Path, Reason: message.ProblemOnce(p.Reason, p.Err)})
	}
	for _, k := range res.Skipped {
		s.Skipped = append(s.Skipped, scanProblem{Path: k.Path, Reason: k.Text()})
	}
	return s
}

// printDryRun lists what the pass would do, item by item.
func printDryRun(w io.Writer, pl *syncer.Plan) {
	for _, m := range pl.Moves {
		kind := "file"
		if m.Dir {
			kind = "folder"
		}
		fmt.Fprintf(w, "would move %s %s -> %s (%s)\n", kind, m.From, m.To, engineBytes(m.Bytes))
	}
	for _, d := range pl.Mkdirs {
		fmt.Fprintf(w, "would create folder %s\n", d)
	}
	for _, u := range pl.Uploads {
		fmt.Fprintf(w, "would upload %s (%s)\n", u.Local, engineBytes(u.Size))
	}
	for _, t := range pl.Trash {
		if t.Dir {
			fmt.Fprintf(w, "would trash folder %s (%s, %s)\n", t.Path, enginePlural(int64(t.Files), "file", "files"), engineBytes(t.Bytes))
		} else {
			fmt.Fprintf(w, "would trash %s (%s)\n", t.Path, engineBytes(t.Bytes))
		}
	}
}

// printScanSummary prints the result for people.
func printScanSummary(w io.Writer, s scanSummary) {
	c, pl := s.Counters, s.Planned
	if s.DryRun {
		fmt.Fprintf(w, "Dry run of %s -> %s: nothing was changed.\n", s.Local, s.Remote)
		if pl.CreateRoot {
			fmt.Fprintf(w, "  would create     %s\n", s.Remote)
		}
		fmt.Fprintf(w, "  would upload     %s (%s)\n", enginePlural(int64(pl.Uploads), "file", "files"), engineBytes(pl.UploadBytes))
		fmt.Fprintf(w, "  would move       %s, %s (%s)\n", enginePlural(int64(pl.FileMoves), "file", "files"),
			enginePlural(int64(pl.FolderMoves), "folder", "folders"), engineBytes(pl.MovedBytes))
		fmt.Fprintf(w, "  would trash      %s (%s)\n", enginePlural(int64(pl.TrashFiles), "file", "files"), engineBytes(pl.TrashBytes))
		fmt.Fprintf(w, "  unchanged        %s\n", enginePlural(int64(pl.Unchanged), "file", "files"))
	} else {
		state := "Backed up"
		if !s.Complete {
			state = "Stopped backing up"
		}
		fmt.Fprintf(w, "%s %s -> %s in %.1fs\n", state, s.Local, s.Remote, s.Seconds)
		fmt.Fprintf(w, "  uploaded         %s (%s sent)\n", enginePlural(c.FilesUploaded, "file", "files"), engineBytes(c.BytesUploaded))
		fmt.Fprintf(w, "  deduplicated     %s\n", enginePlural(c.FilesDeduplicated, "file", "files"))
		fmt.Fprintf(w, "  moved            %s, %s\n", enginePlural(c.FilesMoved, "file", "files"), enginePlural(c.FoldersMoved, "folder", "folders"))
		fmt.Fprintf(w, "  trashed          %s, %s\n", enginePlural(c.FilesTrashed, "file", "files"), enginePlural(c.FoldersTrashed, "folder", "folders"))
		fmt.Fprintf(w, "  unchanged        %s\n", enginePlural(c.FilesUnchanged, "file", "files"))
		fmt.Fprintf(w, "  hashed           %s (%s)\n", enginePlural(c.FilesHashed, "file", "files"), engineBytes(c.BytesHashed))
	}
	if s.PruneRefused != "" {
		fmt.Fprintf(w, "  needs your decision: %s\n", message.HeldBack(s.PruneRefused, s.Planned.HeldFiles))
		fmt.Fprintf(w, "    run the same command with --confirm-deletes to move them to the JottaCloud trash\n")
	}
	printSkipped(w, s.Skipped)
	if len(s.Problems) > 0 {
		fmt.Fprintf(w, "  problems         %d\n", len(s.Problems))
		for _, p := range s.Problems {
			fmt.Fprintf(w, "    %s: %s\n", p.Path, p.Reason)
		}
	}
	if s.Error != "" {
		fmt.Fprintf(w, "  error            %s\n", s.Error)
	}
}

// maxSkippedLines bounds the skipped items a summary lists one by one.
const maxSkippedLines = 20

// printSkipped counts what was left out by design, by reason, and lists
// the links and special files (excluded and hidden items only by count:
// the user chose those).
func printSkipped(w io.Writer, items []scanProblem) {
	if len(items) == 0 {
		return
	}
	reasons := make([]string, 0, len(items))
	for _, it := range items {
		reasons = append(reasons, it.Reason)
	}
	fmt.Fprintf(w, "  skipped          %d by design: %s\n", len(items), message.Tally(reasons))
	listed, links := 0, false
	for _, it := range items {
		if it.Reason == syncer.SkipExcluded.String() || it.Reason == syncer.SkipHidden.String() {
			continue
		}
		links = links || it.Reason == syncer.SkipSymlink.String()
		if listed++; listed <= maxSkippedLines {
			fmt.Fprintf(w, "    %s: %s\n", it.Path, it.Reason)
		}
	}
	if listed > maxSkippedLines {
		fmt.Fprintf(w, "    … and %d more (--json lists them all)\n", listed-maxSkippedLines)
	}
	if links {
		fmt.Fprintf(w, "    (--follow-symlinks backs up links that point inside the folder)\n")
	}
}
