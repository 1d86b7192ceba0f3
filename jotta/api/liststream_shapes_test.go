package api

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The liststream shapes below are written from the protocol notes (§3.7:
// the composed example and rclone's parser, which matches elements at
// any depth, counts folders as a set including parents seen only through
// files, and does not care about the root element or the order) and from
// what the notes say the service varies (§3, §7: compact or indented
// XML, times with or without milliseconds and with offsets, upper-case
// md5s). Each must decode to the same tree.

// shapeTree is the tree every document describes, as sorted lines: each
// folder is reported once, wherever its <folder> comes or if it comes at all.
var shapeTree = []string{
	"d /Archive/backups",
	"d /Archive/backups/2024",
	"d /Archive/backups/Zeta",
	"d /Archive/backups/alpha",
	"f /Archive/backups/2024/db.tar 9e107d9d372bb6826bd81d3542a419d6 1048576 2024-05-01T10:00:00Z",
	"f /Archive/backups/Zeta/B.txt d41d8cd98f00b204e9800998ecf8427e 0 2024-05-02T09:30:15.5Z",
	"f /Archive/backups/alpha/a.txt 0cc175b9c0f1b6a831c399e269772661 1 2024-05-03T08:00:00Z",
}

func shapeLines(entries []ListEntry) []string {
	var out []string
	for _, e := range entries {
		if e.Folder {
			out = append(out, "d "+e.Path)
			continue
		}
		out = append(out, fmt.Sprintf("f %s/%s %s %d %s", e.Path, e.Name, e.MD5, e.Size, e.Modified.UTC().Format(time.RFC3339Nano)))
	}
	sort.Strings(out)
	return out
}

type shapeDoc struct{ name, doc string }

// listStreamShapes returns one document per shape, all describing shapeTree.
func listStreamShapes() []shapeDoc {
	file := func(parent, name, md5, size, mod string) string {
		return "<file><path>" + parent + "</path><filename>" + name + "</filename><md5>" + md5 + "</md5><size>" + size +
			"</size><modified>" + mod + "</modified><created>" + mod + "</created></file>"
	}
	folder := func(p string) string { return "<folder><path>" + p + "</path></folder>" }
	const (
		root  = "/Archive/backups"
		y2024 = root + "/2024"
		zeta  = root + "/Zeta"
		alpha = root + "/alpha"
	)
	db := file(y2024, "db.tar", "9e107d9d372bb6826bd81d3542a419d6", "1048576", "2024-05-01T10:00:00.000Z")
	b := file(zeta, "B.txt", "d41d8cd98f00b204e9800998ecf8427e", "0", "2024-05-02T09:30:15.500Z")
	a := file(alpha, "a.txt", "0cc175b9c0f1b6a831c399e269772661", "1", "2024-05-03T08:00:00.000Z")
	stats := func(folders, files int) string {
		return fmt.Sprintf("<stats><folders>%d</folders><files>%d</files></stats>", folders, files)
	}
	doc := func(body ...string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>` + "<liststream>" + strings.Join(body, "") + "</liststream>"
	}
	return []shapeDoc{
		{"parents first, byte order", doc(folder(root), folder(y2024), db, folder(zeta), b, folder(alpha), a, stats(4, 3))},
		{"indented as in the notes", `<?xml version="1.0" encoding="UTF-8"?>
<liststream>
  <folder>
    <path xml:space="preserve">` + root + `</path>
  </folder>
  <folder><path xml:space="preserve">` + y2024 + `</path></folder>
  <file>
    <path xml:space="preserve">` + y2024 + `</path>
    <filename xml:space="preserve">db.tar</filename>
    <md5>9e107d9d372bb6826bd81d3542a419d6</md5>
    <size>1048576</size>
    <modified>2024-05-01T10:00:00.000Z</modified>
    <created>2024-05-01T10:00:00.000Z</created>
  </file>
  <folder><path>` + zeta + `</path></folder>
  ` + b + `
  <folder><path>` + alpha + `</path></folder>
  ` + a + `
  <stats>
    <folders>4</folders>
    <files>3</files>
  </stats>
</liststream>
`},
		{"Java case-insensitive order", doc(folder(root), folder(y2024), db, folder(alpha), a, folder(zeta), b, stats(4, 3))},
		{"all folders first", doc(folder(root), folder(y2024), folder(zeta), folder(alpha), db, b, a, stats(4, 3))},
		{"folders after their files", doc(db, folder(y2024), b, folder(zeta), a, folder(alpha), folder(root), stats(4, 3))},
		{"parents known only from files, counted as a set", doc(folder(root), db, b, a, stats(4, 3))},
		{"parents known only from files, counted as elements", doc(folder(root), db, b, a, stats(1, 3))},
		{"one folder named after its file, the rest implicit", doc(file(y2024, "db.tar", "9e107d9d372bb6826bd81d3542a419d6", "1048576", "2024-05-01T10:00:00Z"), b, a,
			folder(zeta), folder(root), stats(4, 3))},
		{"wrapped one level deeper", doc("<result>", folder(root), folder(y2024), db, "</result><result>", folder(zeta), b, folder(alpha), a, "</result>", stats(4, 3))},
		{"grouped in folders and files lists", doc("<folders>", folder(root), folder(y2024), folder(zeta), folder(alpha), "</folders><files>", db, b, a, "</files>", "<meta>", stats(4, 3), "</meta>")},
		{"unknown elements and attributes", doc(`<header v="2"/>`, `<folder id="1">`, "<path>"+root+"</path><uuid>x</uuid></folder>", folder(y2024),
			strings.Replace(db, "<file>", `<file uuid="u"><mime>application/x-tar</mime>`, 1), folder(zeta), b, folder(alpha), a, stats(4, 3))},
		{"times without milliseconds, with offsets, in Jotta format", doc(folder(root), folder(y2024),
			file(y2024, "db.tar", "9e107d9d372bb6826bd81d3542a419d6", "1048576", "2024-05-01T12:00:00+02:00"),
			folder(zeta), file(zeta, "B.txt", "d41d8cd98f00b204e9800998ecf8427e", "0", "2024-05-02T11:30:15.5+0200"),
			folder(alpha), file(alpha, "a.txt", "0cc175b9c0f1b6a831c399e269772661", "1", "2024-05-03-T08:00:00Z"), stats(4, 3))},
		{"upper-case md5", doc(folder(root), folder(y2024), strings.Replace(db, "9e107d9d372bb6826bd81d3542a419d6", "9E107D9D372BB6826BD81D3542A419D6", 1),
			folder(zeta), b, folder(alpha), a, stats(4, 3))},
		{"a folder listed twice", doc(folder(root), folder(y2024), db, folder(y2024), folder(zeta), b, folder(alpha), a, stats(4, 3))},
	}
}

func TestDecodeListStreamShapes(t *testing.T) {
	for _, c := range listStreamShapes() {
		for _, d := range []struct {
			name string
			fn   func(r io.Reader, fn func(*ListEntry) error) (ListStats, error)
		}{{"scanner", DecodeListStream}, {"encoding/xml", referenceListStream}} {
			t.Run(c.name+"/"+d.name, func(t *testing.T) {
				got, st, err := collect(d.fn, strings.NewReader(c.doc))
				if err != nil {
					t.Fatal(err)
				}
				if st.Files != 3 || (st.Folders != 4 && !strings.Contains(c.name, "counted as elements")) {
					t.Errorf("stats %+v, want 4 folders and 3 files", st)
				}
				lines := shapeLines(got)
				if c.name == "a folder listed twice" {
					lines = slices.Compact(lines) // as the server sent it
				}
				if strings.Join(lines, "\n") != strings.Join(shapeTree, "\n") {
					t.Errorf("decoded\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(shapeTree, "\n"))
				}
			})
		}
	}
}

// TestDecodeListStreamShapesStayStrict: tolerance of shapes never turns a
// stream whose counts really disagree, or that ends early, into success.
func TestDecodeListStreamShapesStayStrict(t *testing.T) {
	body := "<folder><path>/A</path></folder><file><path>/A/x</path><filename>f</filename><size>1</size></file>" +
		"<file><path>/A/y</path><filename>g</filename><size>1</size></file>"
	cases := []struct {
		name, doc string
		want      error
	}{
		// One <folder> element, three distinct folders: 2 is neither.
		{"folder count between the two rules", "<l>" + body + "<stats><folders>2</folders><files>2</files></stats></l>", ErrListStreamMismatch},
		{"one file more in stats", "<l>" + body + "<stats><folders>3</folders><files>3</files></stats></l>", ErrListStreamMismatch},
		{"one file fewer in stats", "<l>" + body + "<stats><folders>3</folders><files>1</files></stats></l>", ErrListStreamMismatch},
		{"stats inside an unclosed wrapper", "<l><w>" + body + "<stats><folders>3</folders><files>2</files></stats></w>", ErrListStreamTruncated},
		{"cut inside a nested file", "<l><w>" + body[:len(body)-20], ErrListStreamTruncated},
		{"no stats at any depth", "<l><w>" + body + "</w></l>", ErrListStreamTruncated},
		{"stats only as a field of a file", "<l><file><path>/A</path><filename>f</filename><stats><folders>1</folders><files>1</files></stats></file></l>", ErrListStreamTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := collect(DecodeListStream, strings.NewReader(c.doc))
			if !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}
}
