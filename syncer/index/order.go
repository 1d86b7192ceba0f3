package index

// ComparePaths orders local relative paths ('/'-separated, no leading '/')
// as the walk visits them: component by component, bytes within a
// component, so a folder's contents come right after it:
// "a" < "a/x" < "a/y/z" < "a-b" < "a.c" < "b". It is byte order with '/'
// taken as lower than any other byte. It does not allocate, for strings
// and byte slices alike.
func ComparePaths[P string | []byte](a, b P) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		switch {
		case ca == '/':
			return -1
		case cb == '/':
			return 1
		case ca < cb:
			return -1
		default:
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
