package main

import "testing"

func TestRemoteArg(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/Laptop/Docs/Report%20final.pdf", "/Laptop/Docs/Report％20final.pdf"},
		{"/Laptop/Docs/Report％20final.pdf", "/Laptop/Docs/Report％20final.pdf"},
		{"/Laptop/Photos%202020/a.jpg", "/Laptop/Photos%202020/a.jpg"}, // the mount point is the user's own
		{"/Laptop/Archive/Photos%202020/", "/Laptop/Archive/Photos％202020/"},
		{"/Laptop/Archive/plain/name.txt", "/Laptop/Archive/plain/name.txt"},
		{"/", "/"},
	} {
		if got := remoteArg(tc.in); got != tc.want {
			t.Errorf("remoteArg(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A listing shows the names as typed, and they lead back to the item.
	for _, typed := range []string{"/Laptop/Archive/Photos%202020/Report%20final.pdf", "/Laptop/Archive/a b/c.txt"} {
		if got := shownName(remoteArg(typed)); got != typed {
			t.Errorf("shownName(remoteArg(%q)) = %q", typed, got)
		}
	}
	if got := shownName("Photos％202020/Report％20final.pdf"); got != "Photos%202020/Report%20final.pdf" {
		t.Errorf("shownName = %q", got)
	}
}
