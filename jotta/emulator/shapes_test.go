package emulator_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"jottacloudclient/jotta/emulator"
)

// shapeEnv is an emulator in the given shapes holding a small tree:
// /Jotta/Archive/t with b.txt, C.txt, a/x.txt and an empty folder Z.
func shapeEnv(t *testing.T, sh emulator.Shapes) *env {
	t.Helper()
	e := newEnv(t, emulator.Options{Shapes: sh})
	for _, p := range []string{"b.txt", "C.txt", "a/x.txt"} {
		e.put("/jfs/Jotta/Archive/t/"+p, []byte("content of "+p))
	}
	mustStatus(t, e.jfs(http.MethodPost, "Jotta/Archive/t/Z?mkDir=true"), http.StatusOK)
	return e
}

// streamView is what a liststream says, read the way rclone reads it:
// elements at any depth, folders as a set including files' parents.
type streamView struct {
	folderElems   []string
	folders       map[string]bool
	files         []string // "path/name md5"
	statsFolders  int
	statsFiles    int
	sawStats      bool
	declaredOrder []string // files and folders in document order
}

func readStream(t *testing.T, body []byte) streamView {
	t.Helper()
	v := streamView{folders: map[string]bool{}}
	d := xml.NewDecoder(strings.NewReader(string(body)))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("liststream is not XML: %v\n%s", err, body)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "folder":
			var f struct {
				Path string `xml:"path"`
			}
			if err := d.DecodeElement(&f, &se); err != nil {
				t.Fatal(err)
			}
			v.folderElems = append(v.folderElems, f.Path)
			v.folders[f.Path] = true
			v.declaredOrder = append(v.declaredOrder, "d "+f.Path)
		case "file":
			var f struct {
				P string `xml:"path"`
				N string `xml:"filename"`
				M string `xml:"md5"`
			}
			if err := d.DecodeElement(&f, &se); err != nil {
				t.Fatal(err)
			}
			v.folders[f.P] = true
			v.files = append(v.files, f.P+"/"+f.N+" "+f.M)
			v.declaredOrder = append(v.declaredOrder, "f "+f.P+"/"+f.N)
		case "stats":
			var s struct {
				Folders int `xml:"folders"`
				Files   int `xml:"files"`
			}
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatal(err)
			}
			v.statsFolders, v.statsFiles, v.sawStats = s.Folders, s.Files, true
		}
	}
	return v
}

func (v streamView) fileSet() []string {
	out := make([]string, len(v.files))
	for i, f := range v.files {
		out[i] = strings.ToLower(f)
	}
	sort.Strings(out)
	return out
}

func indexOf(l []string, s string) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return -1
}

// TestShapesListStream checks each documented liststream shape on its own
// and that every shape, alone or combined, still describes the same tree
// with counts rclone accepts.
func TestShapesListStream(t *testing.T) {
	plain := shapeEnv(t, emulator.Shapes{})
	pr := plain.jfs(http.MethodGet, "Jotta/Archive/t?mode=liststream")
	mustStatus(t, pr, http.StatusOK)
	want := readStream(t, pr.body)
	if len(want.files) != 3 || len(want.folders) != 3 || want.statsFolders != 3 || len(want.folderElems) != 3 {
		t.Fatalf("plain stream: %+v\n%s", want, pr.body)
	}
	const (
		root = "/Archive/t"
		a    = root + "/a"
	)
	type shapeCase struct {
		name  string
		sh    emulator.Shapes
		check func(t *testing.T, body string, v streamView)
	}
	cases := []shapeCase{
		{"plain", emulator.Shapes{}, func(t *testing.T, body string, v streamView) {
			if strings.Count(body, "\n") != 4+len(v.declaredOrder) || strings.Contains(body, "  ") {
				t.Errorf("want one entry per line:\n%s", body)
			}
			if indexOf(v.declaredOrder, "f "+root+"/C.txt") > indexOf(v.declaredOrder, "f "+root+"/b.txt") ||
				indexOf(v.declaredOrder, "d "+a) > indexOf(v.declaredOrder, "f "+a+"/x.txt") {
				t.Errorf("want byte order, folders before their files: %v", v.declaredOrder)
			}
		}},
		{"compact", emulator.Shapes{Layout: emulator.LayoutCompact}, func(t *testing.T, body string, v streamView) {
			if strings.Contains(body, "\n") {
				t.Errorf("compact stream has line breaks:\n%s", body)
			}
		}},
		{"indented", emulator.Shapes{Layout: emulator.LayoutIndented}, func(t *testing.T, body string, v streamView) {
			if !strings.Contains(body, "\n  <file>\n    <path xml:space=\"preserve\">") || !strings.Contains(body, "\n  <stats>\n    <folders>") {
				t.Errorf("not indented:\n%s", body)
			}
		}},
		{"folders after files", emulator.Shapes{FoldersAfterFiles: true}, func(t *testing.T, body string, v streamView) {
			if indexOf(v.declaredOrder, "d "+a) < indexOf(v.declaredOrder, "f "+a+"/x.txt") ||
				indexOf(v.declaredOrder, "d "+root) < indexOf(v.declaredOrder, "f "+root+"/b.txt") {
				t.Errorf("folders come before their files: %v", v.declaredOrder)
			}
		}},
		{"implicit folders", emulator.Shapes{ImplicitFolders: true}, func(t *testing.T, body string, v streamView) {
			// Only the empty folder Z is announced; the others are parents.
			if strings.Join(v.folderElems, ",") != root+"/Z" || v.statsFolders != 3 {
				t.Errorf("folder elements %v, stats %d; want only %s/Z and 3 folders as a set", v.folderElems, v.statsFolders, root)
			}
		}},
		{"case-insensitive order", emulator.Shapes{CaseInsensitiveOrder: true}, func(t *testing.T, body string, v streamView) {
			if indexOf(v.declaredOrder, "f "+root+"/b.txt") > indexOf(v.declaredOrder, "f "+root+"/C.txt") {
				t.Errorf("want b.txt before C.txt: %v", v.declaredOrder)
			}
		}},
		{"upper-case md5", emulator.Shapes{UpperCaseMD5: true}, func(t *testing.T, body string, v streamView) {
			for _, f := range v.files {
				md5 := f[strings.LastIndexByte(f, ' ')+1:]
				if md5 != strings.ToUpper(md5) {
					t.Errorf("md5 %s is not upper case", md5)
				}
			}
		}},
	}
	for _, seed := range []uint64{1, 2, 3, 7, 42} {
		cases = append(cases, shapeCase{fmt.Sprintf("seed %d", seed), emulator.ShapesFromSeed(seed), nil})
	}
	for _, vr := range emulator.ShapeVariants() {
		cases = append(cases, shapeCase{vr.Name, vr.Shapes, nil})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := shapeEnv(t, c.sh)
			r := e.jfs(http.MethodGet, "Jotta/Archive/t?mode=liststream")
			mustStatus(t, r, http.StatusOK)
			v := readStream(t, r.body)
			// rclone's check: folders as a set (with files' parents), files by element.
			if !v.sawStats || v.statsFolders != len(v.folders) || v.statsFiles != len(v.files) {
				t.Errorf("stats %d/%d, received %d distinct folders and %d files (%s)", v.statsFolders, v.statsFiles, len(v.folders), len(v.files), c.sh)
			}
			if strings.Join(v.fileSet(), "\n") != strings.Join(want.fileSet(), "\n") {
				t.Errorf("files differ from the plain shape:\n%v\nwant\n%v", v.fileSet(), want.fileSet())
			}
			if c.check != nil {
				c.check(t, string(r.body), v)
			}
		})
	}
}

// TestShapesDocuments checks the shapes of the plain GET documents.
func TestShapesDocuments(t *testing.T) {
	t.Run("no empty lists, files first", func(t *testing.T) {
		e := shapeEnv(t, emulator.Shapes{OmitEmptyLists: true, FoldersAfterFiles: true})
		z := e.jfs(http.MethodGet, "Jotta/Archive/t/Z")
		mustStatus(t, z, http.StatusOK)
		if strings.Contains(string(z.body), "<folders") || strings.Contains(string(z.body), "<files") {
			t.Errorf("empty folder lists its empty containers:\n%s", z.body)
		}
		body := string(e.jfs(http.MethodGet, "Jotta/Archive/t").body)
		if i, j := strings.Index(body, "<files>"), strings.Index(body, "<folders>"); i < 0 || j < 0 || i > j {
			t.Errorf("want <files> before <folders>:\n%s", body)
		}
	})
	t.Run("empty modified on a fresh mount point", func(t *testing.T) {
		e := shapeEnv(t, emulator.Shapes{EmptyModified: true})
		mustStatus(t, e.jfs(http.MethodPost, "Laptop?type=WORKSTATION"), http.StatusCreated)
		e.jfs(http.MethodPost, "Laptop/Fresh")
		for _, p := range []string{"Laptop", "Laptop/Fresh"} {
			body := string(e.jfs(http.MethodGet, p).body)
			if !strings.Contains(body, "<modified></modified>") {
				t.Errorf("%s: no empty <modified>:\n%s", p, body)
			}
		}
		if body := string(e.jfs(http.MethodGet, "Jotta/Archive").body); strings.Contains(body, "<modified></modified>") {
			t.Errorf("a mount point holding files has an empty <modified>:\n%s", body)
		}
	})
	t.Run("virtual mount points on the built-in device", func(t *testing.T) {
		e := shapeEnv(t, emulator.Shapes{VirtualMountPoints: true, CaseInsensitiveOrder: true})
		var dev struct {
			Names []string `xml:"mountPoints>mountPoint>name"`
		}
		if err := xml.Unmarshal(e.jfs(http.MethodGet, "Jotta").body, &dev); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(dev.Names, ","); got != "Archive,Latest,Links,Shared,Sync" {
			t.Errorf("mount points %s", got)
		}
		for _, p := range []string{"Jotta/Latest", "Jotta/Links"} {
			r := e.jfs(http.MethodGet, p)
			if r.status != http.StatusOK || !strings.Contains(string(r.body), "<searchresult") {
				t.Errorf("%s: %d %s", p, r.status, r.body)
			}
		}
	})
	t.Run("compact documents", func(t *testing.T) {
		e := shapeEnv(t, emulator.Shapes{Layout: emulator.LayoutCompact})
		for _, p := range []string{"", "Jotta", "Jotta/Archive/t", "Jotta/Archive/t/b.txt", "Jotta/Archive/t?mode=list"} {
			r := e.jfs(http.MethodGet, p)
			mustStatus(t, r, http.StatusOK)
			if strings.Contains(string(r.body), "\n") {
				t.Errorf("%s has line breaks:\n%s", p, r.body)
			}
		}
	})
	t.Run("upper-case md5 in documents", func(t *testing.T) {
		e := shapeEnv(t, emulator.Shapes{UpperCaseMD5: true})
		body := string(e.jfs(http.MethodGet, "Jotta/Archive/t/b.txt").body)
		if want := "<md5>" + strings.ToUpper(md5hex([]byte("content of b.txt"))) + "</md5>"; !strings.Contains(body, want) {
			t.Errorf("no %s in\n%s", want, body)
		}
	})
}

func TestShapesFromSeed(t *testing.T) {
	if emulator.ShapesFromSeed(0) != (emulator.Shapes{}) {
		t.Error("seed 0 is not the plain shape")
	}
	if a, b := emulator.ShapesFromSeed(9), emulator.ShapesFromSeed(9); a != b {
		t.Error("the same seed gave different shapes")
	}
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 64; seed++ {
		for _, name := range strings.Split(emulator.ShapesFromSeed(seed).String(), ", ") {
			seen[name] = true
		}
	}
	for _, vr := range emulator.ShapeVariants() {
		for _, name := range strings.Split(vr.Shapes.String(), ", ") {
			if !seen[name] && name != "plain" {
				t.Errorf("no seed up to 64 picks %q", name)
			}
		}
	}
	all := map[string]bool{}
	for _, vr := range emulator.ShapeVariants() {
		for _, name := range strings.Split(vr.Shapes.String(), ", ") {
			all[name] = true
		}
	}
	for _, name := range []string{"compact", "indented", "folders after files", "implicit folders", "case-insensitive order",
		"no empty lists", "empty modified", "virtual mount points", "upper-case md5"} {
		if !all[name] {
			t.Errorf("ShapeVariants never turn on %q", name)
		}
	}
}
