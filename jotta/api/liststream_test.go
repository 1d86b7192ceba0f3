package api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// referenceListStream decodes a liststream document with encoding/xml. The
// fuzz test holds the hand-written scanner to the same results.
func referenceListStream(r io.Reader, fn func(*ListEntry) error) (ListStats, error) {
	d := xml.NewDecoder(r)
	var f lsFields
	var stack []xml.Name
	field := fieldNone
	var text []byte
	sawRoot := false
	entryDepth := 0 // as in the scanner: recognised elements at any depth below the root
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if len(stack) > 0 || !sawRoot {
				return f.counts(), ErrListStreamTruncated
			}
			return f.end()
		}
		if err != nil {
			return f.counts(), err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			sawRoot = true
			stack = append(stack, tok.Name)
			name := []byte(tok.Name.Local)
			if tok.Name.Space != "" {
				name = []byte(tok.Name.Space + ":" + tok.Name.Local)
			}
			switch d := len(stack); {
			case entryDepth == 0 && d >= 2:
				if k := elementKind(name); k != kindNone {
					f.begin(k)
					entryDepth = d
				}
			case d == entryDepth+1:
				field = fieldOf(f.kind, name)
				text = text[:0]
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Name {
				return f.counts(), errors.New("mismatched end element")
			}
			switch d := len(stack); {
			case entryDepth == 0:
			case d == entryDepth+1 && field != fieldNone:
				f.set(field, text)
				field = fieldNone
			case d == entryDepth:
				entryDepth = 0
				if err := f.finish(fn); err != nil {
					return f.counts(), err
				}
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if field != fieldNone {
				text = append(text, tok...)
			}
		}
	}
}

func collect(decode func(io.Reader, func(*ListEntry) error) (ListStats, error), r io.Reader) ([]ListEntry, ListStats, error) {
	var out []ListEntry
	st, err := decode(r, func(e *ListEntry) error {
		out = append(out, *e)
		return nil
	})
	return out, st, err
}

func TestDecodeListStreamFixture(t *testing.T) {
	doc := readFixture(t, "liststream.xml")
	want := []ListEntry{
		{Folder: true, Path: "/Archive/backups"},
		{Folder: true, Path: "/Archive/backups/2024"},
		{Path: "/Archive/backups/2024", Name: "db.tar", MD5: "9e107d9d372bb6826bd81d3542a419d6", Size: 1048576,
			Modified: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), Created: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{Folder: true, Path: "/Archive/backups/R&D <new>"},
		{Path: "/Archive/backups/R&D <new>", Name: "a <b> & c.txt", MD5: "d41d8cd98f00b204e9800998ecf8427e", Size: 0,
			Modified: time.Date(2024, 5, 2, 11, 30, 15, 500e6, time.UTC), Created: time.Date(2024, 5, 2, 9, 30, 15, 0, time.UTC)},
	}
	readers := []struct {
		name string
		r    func() io.Reader
	}{
		{"whole", func() io.Reader { return bytes.NewReader(doc) }},
		{"one byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(doc)) }},
		{"half reads", func() io.Reader { return iotest.HalfReader(bytes.NewReader(doc)) }},
	}
	decoders := []struct {
		name string
		fn   func(io.Reader, func(*ListEntry) error) (ListStats, error)
	}{
		{"scanner", DecodeListStream},
		{"encoding/xml", referenceListStream},
	}
	for _, d := range decoders {
		for _, rd := range readers {
			t.Run(d.name+"/"+rd.name, func(t *testing.T) {
				got, st, err := collect(d.fn, rd.r())
				if err != nil {
					t.Fatal(err)
				}
				if st != (ListStats{Folders: 3, Files: 2}) {
					t.Errorf("stats = %+v", st)
				}
				if len(got) != len(want) {
					t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
				}
				for i := range want {
					if !entryEqual(got[i], want[i]) {
						t.Errorf("entry %d:\n got %+v\nwant %+v", i, got[i], want[i])
					}
				}
			})
		}
	}
}

func entryEqual(a, b ListEntry) bool {
	return a.Folder == b.Folder && a.Path == b.Path && a.Name == b.Name && a.MD5 == b.MD5 &&
		a.Size == b.Size && a.Modified.Equal(b.Modified) && a.Created.Equal(b.Created)
}

func TestDecodeListStreamFailures(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want error
	}{
		{"stats mismatch", string(readFixture(t, "liststream_badstats.xml")), ErrListStreamMismatch},
		{"cut mid-document", string(readFixture(t, "liststream_truncated.xml")), ErrListStreamTruncated},
		{"no stats", "<liststream><folder><path>/a</path></folder></liststream>", ErrListStreamTruncated},
		{"empty body", "", ErrListStreamTruncated},
		{"mismatched tags", "<liststream><folder><path>/a</folder></liststream>", nil},
		{"bad size", "<l><file><path>/a</path><filename>x</filename><size>ten</size></file><stats><folders>0</folders><files>1</files></stats></l>", nil},
		{"bad entity", "<l><folder><path>&bogus;</path></folder><stats><folders>1</folders><files>0</files></stats></l>", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := collect(DecodeListStream, strings.NewReader(c.doc))
			if err == nil {
				t.Fatal("no error")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestDecodeListStreamCallbackStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := DecodeListStream(bytes.NewReader(readFixture(t, "liststream.xml")), func(*ListEntry) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("err = %v after %d entries", err, n)
	}
}

func TestDecodeListStreamImplicitParents(t *testing.T) {
	file := func(parent, name string) string {
		return "<file><path>" + parent + "</path><filename>" + name + "</filename><md5>9e107d9d372bb6826bd81d3542a419d6</md5><size>1</size>" +
			"<modified>2024-05-01T10:00:00.000Z</modified><created>2024-05-01T10:00:00.000Z</created></file>"
	}
	body := "<folder><path>/Archive/a</path></folder>" + file("/Archive/a", "x") + file("/Archive/a/hidden", "y") + file("/Archive/a/hidden", "z")
	cases := []struct {
		name    string
		folders int
		ok      bool
	}{
		{"elements only", 1, true},
		{"elements plus file parents", 2, true},
		{"too many", 3, false},
		{"too few", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := fmt.Sprintf("<liststream>%s<stats><folders>%d</folders><files>3</files></stats></liststream>", body, c.folders)
			_, _, err := collect(DecodeListStream, strings.NewReader(doc))
			if (err == nil) != c.ok {
				t.Errorf("err = %v", err)
			}
			if !c.ok && !errors.Is(err, ErrListStreamMismatch) {
				t.Errorf("err = %v, want ErrListStreamMismatch", err)
			}
		})
	}
}

func TestDecodeListStreamEmptyTree(t *testing.T) {
	doc := `<?xml version="1.0"?><liststream><folder><path>/Archive</path></folder><stats><folders>1</folders><files>0</files></stats></liststream>`
	got, st, err := collect(DecodeListStream, strings.NewReader(doc))
	if err != nil || len(got) != 1 || st.Folders != 1 {
		t.Errorf("got %+v %+v %v", got, st, err)
	}
}

func FuzzListStreamMatchesEncodingXML(f *testing.F) {
	f.Add(string(readFixture(f, "liststream.xml")))
	f.Add(string(readFixture(f, "liststream_badstats.xml")))
	f.Add(string(readFixture(f, "liststream_truncated.xml")))
	f.Add("<l><folder><path>a&#x41;&#66;\r\nb\rc</path></folder><stats><folders>1</folders><files>0</files></stats></l>")
	f.Add("<l><file><path><![CDATA[x]]>y<![CDATA[\r\n]]></path><filename a='>'>n<!-- c -->m</filename><size/></file><stats><folders/><files>1</files></stats></l>")
	f.Add("<!DOCTYPE l [<!ELEMENT l ANY>]><?pi x?><l><folder><path>p<x>q</x></path></folder><stats><folders>1</folders><files>0</files></stats></l>")
	f.Add("<l><folder><path>&#xD800;</path></folder><stats><folders>1</folders><files>0</files></stats></l>")
	for _, s := range listStreamShapes() {
		f.Add(s.doc)
	}
	f.Add("<l><w><file><path>/A/x</path><filename>f</filename><folder><path>/B</path></folder></file></w><stats><folders>1</folders><files>1</files></stats></l>")
	f.Fuzz(func(t *testing.T, doc string) {
		want, wantSt, wantErr := collect(referenceListStream, strings.NewReader(doc))
		got, gotSt, gotErr := collect(DecodeListStream, strings.NewReader(doc))
		if wantErr != nil {
			// The scanner is more lenient than encoding/xml; it only has to
			// agree on documents encoding/xml accepts.
			return
		}
		if gotErr != nil {
			t.Fatalf("scanner failed where encoding/xml succeeded: %v", gotErr)
		}
		if gotSt != wantSt || len(got) != len(want) {
			t.Fatalf("stats %+v vs %+v, %d vs %d entries", gotSt, wantSt, len(got), len(want))
		}
		for i := range want {
			if !entryEqual(got[i], want[i]) {
				t.Fatalf("entry %d:\n got %+v\nwant %+v", i, got[i], want[i])
			}
		}
		// Tokens split across reads take the scanner's slow paths.
		split, splitSt, err := collect(DecodeListStream, iotest.OneByteReader(strings.NewReader(doc)))
		if err != nil || splitSt != wantSt || len(split) != len(want) {
			t.Fatalf("byte-at-a-time reads: %v, stats %+v, %d entries", err, splitSt, len(split))
		}
		for i := range want {
			if !entryEqual(split[i], want[i]) {
				t.Fatalf("byte-at-a-time entry %d:\n got %+v\nwant %+v", i, split[i], want[i])
			}
		}
	})
}

func FuzzFastRFC3339(f *testing.F) {
	f.Add("2024-05-01T10:00:00.123Z")
	f.Add("2024-02-30T10:00:00Z")
	f.Add("2024-05-01T10:00:00.1234567891Z")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := fastRFC3339([]byte(s))
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("fast path accepted %q that time.Parse rejects: %v", s, err)
		}
		if !got.Equal(want) {
			t.Fatalf("%q: fast %v, time.Parse %v", s, got, want)
		}
	})
}

// generateListStream writes a liststream document with the given number
// of folders, each holding filesPer files.
func generateListStream(w io.Writer, folders, filesPer int) {
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<liststream>\n")
	for i := 0; i < folders; i++ {
		p := fmt.Sprintf("/Archive/backup/set-%04d/photos &amp; videos", i)
		fmt.Fprintf(w, "<folder><path>%s</path></folder>\n", p)
		for j := 0; j < filesPer; j++ {
			fmt.Fprintf(w, "<file><path>%s</path><filename>IMG_%06d.jpg</filename><md5>%032x</md5><size>%d</size>"+
				"<modified>2024-05-01T10:%02d:%02d.123Z</modified><created>2024-05-01T10:00:00.000Z</created></file>\n",
				p, j, i*filesPer+j, 1000+j, j%60, i%60)
		}
	}
	fmt.Fprintf(w, "<stats><folders>%d</folders><files>%d</files></stats>\n</liststream>\n", folders, folders*filesPer)
}

func TestGeneratedListStream(t *testing.T) {
	var buf bytes.Buffer
	generateListStream(&buf, 20, 50)
	got, st, err := collect(DecodeListStream, bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want, wantSt, err := collect(referenceListStream, bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if st != wantSt || st.Files != 1000 || len(got) != len(want) {
		t.Fatalf("stats %+v vs %+v", st, wantSt)
	}
	for i := range want {
		if !entryEqual(got[i], want[i]) {
			t.Fatalf("entry %d differs", i)
		}
	}
}

func benchmarkListStream(b *testing.B, decode func(io.Reader, func(*ListEntry) error) (ListStats, error)) {
	var buf bytes.Buffer
	generateListStream(&buf, 1000, 100) // 101,000 entries
	doc := buf.Bytes()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	var entries int64
	for b.Loop() {
		st, err := decode(bytes.NewReader(doc), func(*ListEntry) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		entries += st.Files + st.Folders
	}
	b.StopTimer()
	if entries > 0 {
		b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
			_, _ = decode(bytes.NewReader(doc), func(*ListEntry) error { return nil })
		}))/101000, "allocs/entry")
	}
}

func BenchmarkListStreamScanner(b *testing.B)     { benchmarkListStream(b, DecodeListStream) }
func BenchmarkListStreamEncodingXML(b *testing.B) { benchmarkListStream(b, referenceListStream) }

// BenchmarkListStreamMemoryFlat decodes trees of growing size; the bytes
// allocated per entry should stay constant (memory does not grow with the tree).
func BenchmarkListStreamMemoryFlat(b *testing.B) {
	for _, folders := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("entries=%d", folders*101), func(b *testing.B) {
			var buf bytes.Buffer
			generateListStream(&buf, folders, 100)
			doc := buf.Bytes()
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeListStream(bytes.NewReader(doc), func(*ListEntry) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestListStreamMemoryFlat streams a 200k-entry document from a pipe and
// checks that the live heap stays small while it is decoded.
func TestListStreamMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a large document")
	}
	pr, pw := io.Pipe()
	go func() {
		generateListStream(pw, 2000, 100) // 202,000 entries, about 45 MB
		pw.Close()
	}()
	var maxHeap uint64
	n := 0
	st, err := DecodeListStream(pr, func(*ListEntry) error {
		n++
		if n%100_000 == 0 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapAlloc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 200_000 || st.Folders != 2000 {
		t.Fatalf("stats %+v", st)
	}
	t.Logf("largest live heap while decoding: %d KiB", maxHeap>>10)
	if maxHeap > 16<<20 {
		t.Errorf("live heap reached %d MiB while streaming", maxHeap>>20)
	}
}
