package api

import (
	"encoding/xml"
	"sort"
	"strings"
)

// Revision states.
const (
	StateCompleted  = "COMPLETED"
	StateIncomplete = "INCOMPLETE"
	StateCorrupt    = "CORRUPT"
)

// User is the reply to GET /jfs/<user>: the account and its devices.
type User struct {
	XMLName           xml.Name
	Time              Time     `xml:"time,attr"`
	Host              string   `xml:"host,attr"`
	Username          string   `xml:"username"`
	AccountType       string   `xml:"account-type"`
	Locked            bool     `xml:"locked"`
	Capacity          int64    `xml:"capacity"` // bytes, -1 = unlimited
	MaxDevices        int64    `xml:"max-devices"`
	MaxMobileDevices  int64    `xml:"max-mobile-devices"`
	Usage             int64    `xml:"usage"`
	ReadLocked        bool     `xml:"read-locked"`
	WriteLocked       bool     `xml:"write-locked"`
	QuotaWriteLocked  bool     `xml:"quota-write-locked"`
	EnableSync        bool     `xml:"enable-sync"`
	EnableFolderShare bool     `xml:"enable-foldershare"`
	Devices           []Device `xml:"devices>device"`
}

// Device is a device element in the user document, or the reply to
// GET /jfs/<user>/<device> with its mount points.
type Device struct {
	XMLName     xml.Name
	Time        Time         `xml:"time,attr"`
	Host        string       `xml:"host,attr"`
	Name        string       `xml:"name"`
	DisplayName string       `xml:"display_name"`
	Type        string       `xml:"type"`
	SID         string       `xml:"sid"`
	Size        int64        `xml:"size"`
	Modified    Time         `xml:"modified"`
	User        string       `xml:"user"`
	MountPoints []MountPoint `xml:"mountPoints>mountPoint"`
	Metadata    *Metadata    `xml:"metadata"`
}

// MountPoint is a mount point element in a device document, or the reply
// to GET /jfs/<user>/<device>/<mountpoint> with its top-level children.
type MountPoint struct {
	XMLName  xml.Name
	Time     Time      `xml:"time,attr"`
	Host     string    `xml:"host,attr"`
	Name     string    `xml:"name"`
	Path     string    `xml:"path"`
	AbsPath  string    `xml:"abspath"`
	Size     int64     `xml:"size"`
	Modified Time      `xml:"modified"`
	Deleted  Time      `xml:"deleted"`
	Device   string    `xml:"device"`
	User     string    `xml:"user"`
	Folders  []Folder  `xml:"folders>folder"`
	Files    []File    `xml:"files>file"`
	Metadata *Metadata `xml:"metadata"`
}

// Folder is a folder document or a folder element of a listing. Path and
// AbsPath are the parent's path; Deleted is set for a trashed folder.
type Folder struct {
	XMLName     xml.Name
	Name        string    `xml:"name,attr"`
	Deleted     Time      `xml:"deleted,attr"`
	ContextType string    `xml:"contextType,attr"`
	Time        Time      `xml:"time,attr"`
	Host        string    `xml:"host,attr"`
	Path        string    `xml:"path"`
	AbsPath     string    `xml:"abspath"`
	Folders     []Folder  `xml:"folders>folder"`
	Files       []File    `xml:"files>file"`
	Metadata    *Metadata `xml:"metadata"`
}

// IsDeleted reports whether the folder is in the trash.
func (f *Folder) IsDeleted() bool { return !f.Deleted.IsZero() }

// File is a file document or a file element of a listing.
// CurrentRevision is the newest COMPLETED revision; LatestRevision a newer
// INCOMPLETE or CORRUPT one; Revisions the older ones (direct GET only).
type File struct {
	XMLName         xml.Name
	Name            string     `xml:"name,attr"`
	UUID            string     `xml:"uuid,attr"`
	Deleted         Time       `xml:"deleted,attr"`
	ContextType     string     `xml:"contextType,attr"`
	Time            Time       `xml:"time,attr"`
	Host            string     `xml:"host,attr"`
	Path            string     `xml:"path"`
	AbsPath         string     `xml:"abspath"`
	PublicURI       string     `xml:"publicURI"`
	PublicSharePath string     `xml:"publicSharePath"`
	CurrentRevision *Revision  `xml:"currentRevision"`
	LatestRevision  *Revision  `xml:"latestRevision"`
	Revisions       []Revision `xml:"revisions>revision"`
	// LooseRevisions catches <revision> elements directly under <file>
	// (not inside <revisions>); decoding merges them into Revisions, so
	// it is always empty afterwards.
	LooseRevisions []Revision `xml:"revision"`
}

// UnmarshalXML decodes a file element and merges revisions found directly
// under it into Revisions.
func (f *File) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain File // the same fields without this method
	if err := d.DecodeElement((*plain)(f), &start); err != nil {
		return err
	}
	f.Revisions = mergeRevisions(f.Revisions, f.LooseRevisions, f.CurrentRevision, f.LatestRevision)
	f.LooseRevisions = nil
	return nil
}

// mergeRevisions adds the loose revisions to the older ones, drops any
// that repeat the current or latest revision, and orders them newest
// first, as <revisions> lists them.
func mergeRevisions(older, loose []Revision, current, latest *Revision) []Revision {
	if len(loose) == 0 {
		return older
	}
	same := func(r *Revision, o *Revision) bool {
		return o != nil && r.Number == o.Number && r.Number != 0 && strings.EqualFold(r.MD5, o.MD5)
	}
	out := append([]Revision(nil), older...)
	for i := range loose {
		r := &loose[i]
		if same(r, current) || same(r, latest) {
			continue
		}
		dup := false
		for j := range out {
			dup = dup || same(r, &out[j])
		}
		if !dup {
			out = append(out, *r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number > out[j].Number })
	return out
}

// IsDeleted reports whether the file is in the trash.
func (f *File) IsDeleted() bool { return !f.Deleted.IsZero() }

// IsComplete reports whether the file has a downloadable COMPLETED revision.
func (f *File) IsComplete() bool {
	return f.CurrentRevision != nil && strings.EqualFold(f.CurrentRevision.State, StateCompleted)
}

// IsLive reports whether the file exists for a backup client: not trashed
// and with a COMPLETED current revision.
func (f *File) IsLive() bool { return !f.IsDeleted() && f.IsComplete() }

// Revision is one stored version of a file. Size is absent (zero) for
// CORRUPT revisions and for INCOMPLETE ones in listings.
type Revision struct {
	Number   int    `xml:"number"`
	State    string `xml:"state"`
	Created  Time   `xml:"created"`
	Modified Time   `xml:"modified"`
	Mime     string `xml:"mime"`
	MStyle   string `xml:"mstyle"`
	Size     int64  `xml:"size"`
	MD5      string `xml:"md5"`
	Updated  Time   `xml:"updated"`
}

// Metadata is the listing trailer; its counts include trashed children.
type Metadata struct {
	First          string `xml:"first,attr"`
	Max            string `xml:"max,attr"`
	Total          int64  `xml:"total,attr"`
	NumFolders     int64  `xml:"num_folders,attr"`
	NumFiles       int64  `xml:"num_files,attr"`
	NumMountPoints int64  `xml:"num_mountpoints,attr"`
}

// Entry is any JFS document whose kind is known only after reading it: a
// GET on a path may answer with a mountPoint, folder or file root element.
type Entry struct {
	XMLName xml.Name
	// Folder fields (folder and mountPoint roots).
	Name        string    `xml:"name,attr"`
	UUID        string    `xml:"uuid,attr"`
	Deleted     Time      `xml:"deleted,attr"`
	ContextType string    `xml:"contextType,attr"`
	Time        Time      `xml:"time,attr"`
	Host        string    `xml:"host,attr"`
	ElemName    string    `xml:"name"`
	Path        string    `xml:"path"`
	AbsPath     string    `xml:"abspath"`
	Size        int64     `xml:"size"`
	Modified    Time      `xml:"modified"`
	DeletedElem Time      `xml:"deleted"`
	Folders     []Folder  `xml:"folders>folder"`
	Files       []File    `xml:"files>file"`
	Metadata    *Metadata `xml:"metadata"`
	// File fields.
	PublicURI       string     `xml:"publicURI"`
	PublicSharePath string     `xml:"publicSharePath"`
	CurrentRevision *Revision  `xml:"currentRevision"`
	LatestRevision  *Revision  `xml:"latestRevision"`
	Revisions       []Revision `xml:"revisions>revision"`
	// LooseRevisions: <revision> directly under the root, merged into
	// Revisions on decoding (see File).
	LooseRevisions []Revision `xml:"revision"`
}

// UnmarshalXML decodes any root element and merges revisions found
// directly under a file into Revisions.
func (e *Entry) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain Entry
	if err := d.DecodeElement((*plain)(e), &start); err != nil {
		return err
	}
	e.Revisions = mergeRevisions(e.Revisions, e.LooseRevisions, e.CurrentRevision, e.LatestRevision)
	e.LooseRevisions = nil
	return nil
}

// Kind names of root elements.
const (
	KindUser       = "user"
	KindDevice     = "device"
	KindMountPoint = "mountPoint"
	KindFolder     = "folder"
	KindFile       = "file"
	// KindSearchResult answers the built-in device's virtual views
	// (/Jotta/Latest, /Jotta/Links): a computed list of files from
	// anywhere, not a folder.
	KindSearchResult = "searchresult"
	// KindFileDirList answers the old mode=list: one flat list of
	// folders, each with its own files (see FileDirList).
	KindFileDirList = "filedirlist"
)

// IsView reports whether the entry is a list the service computes (a
// search result or a mode=list document) rather than one folder or file.
func (e *Entry) IsView() bool {
	return e.Kind() == KindSearchResult || e.Kind() == KindFileDirList
}

// FileDirList is the reply to mode=list: every folder of the tree in one
// flat list, each with Path = its parent's path and its own files.
type FileDirList struct {
	XMLName xml.Name `xml:"filedirlist"`
	Time    Time     `xml:"time,attr"`
	Host    string   `xml:"host,attr"`
	Folders []Folder `xml:"folders>folder"`
}

// SearchResult is the reply of a virtual view such as /Jotta/Latest or
// /Jotta/Links: files from anywhere, each with its path.
type SearchResult struct {
	XMLName  xml.Name  `xml:"searchresult"`
	Time     Time      `xml:"time,attr"`
	Host     string    `xml:"host,attr"`
	Files    []File    `xml:"files>file"`
	Metadata *Metadata `xml:"metadata"`
}

// Kind is the root element name: KindFolder, KindFile, KindMountPoint …
func (e *Entry) Kind() string { return e.XMLName.Local }

// IsDir reports whether the entry is a folder or a mount point.
func (e *Entry) IsDir() bool { return e.Kind() == KindFolder || e.Kind() == KindMountPoint }

// DisplayName is the entry's own name, from the attribute (folder, file)
// or the child element (mount point).
func (e *Entry) DisplayName() string {
	if e.Name != "" {
		return e.Name
	}
	return e.ElemName
}

// IsDeleted reports whether the entry is in the trash.
func (e *Entry) IsDeleted() bool { return !e.Deleted.IsZero() || !e.DeletedElem.IsZero() }

// AsFile returns the file view of a file entry.
func (e *Entry) AsFile() *File {
	return &File{
		XMLName: e.XMLName, Name: e.Name, UUID: e.UUID, Deleted: e.Deleted,
		ContextType: e.ContextType, Time: e.Time, Host: e.Host, Path: e.Path,
		AbsPath: e.AbsPath, PublicURI: e.PublicURI, PublicSharePath: e.PublicSharePath,
		CurrentRevision: e.CurrentRevision, LatestRevision: e.LatestRevision,
		Revisions: e.Revisions,
	}
}

// AsFolder returns the folder view of a folder or mount point entry.
func (e *Entry) AsFolder() *Folder {
	deleted := e.Deleted
	if deleted.IsZero() {
		deleted = e.DeletedElem
	}
	return &Folder{
		XMLName: e.XMLName, Name: e.DisplayName(), Deleted: deleted,
		ContextType: e.ContextType, Time: e.Time, Host: e.Host, Path: e.Path,
		AbsPath: e.AbsPath, Folders: e.Folders, Files: e.Files, Metadata: e.Metadata,
	}
}

// XMLError is the body of a non-2xx JFS reply.
type XMLError struct {
	XMLName  xml.Name `xml:"error"`
	Code     int      `xml:"code"`
	Message  string   `xml:"message"`
	Reason   string   `xml:"reason"`
	Cause    string   `xml:"cause"`
	Hostname string   `xml:"hostname"`
	XID      string   `xml:"x-id"`
}

// Exception returns the short Java class name at the start of Message, for
// "no.jotta.backup.errors.NoSuchPathException: Directory …" that is
// "NoSuchPathException", and the rest of the message after ": ".
func (e *XMLError) Exception() (class, text string) {
	return SplitException(e.Message)
}

// SplitException splits "pkg.Class: text" into the short class name and the
// text. A message that does not start with a Java class name is returned as
// text with an empty class.
func SplitException(msg string) (class, text string) {
	msg = strings.TrimSpace(msg)
	head, rest, found := strings.Cut(msg, ":")
	head = strings.TrimSpace(head)
	if head == "" || strings.ContainsAny(head, " \t\n/") || !looksLikeClass(head) {
		return "", msg
	}
	if i := strings.LastIndexByte(head, '.'); i >= 0 {
		head = head[i+1:]
	}
	if found {
		rest = strings.TrimSpace(rest)
	}
	return head, rest
}

func looksLikeClass(s string) bool {
	short := s
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		short = s[i+1:]
	}
	if short == "" || short[0] < 'A' || short[0] > 'Z' {
		return false
	}
	return strings.HasSuffix(short, "Exception") || strings.HasSuffix(short, "Error") || strings.Contains(s, ".")
}
