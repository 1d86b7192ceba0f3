package jotta

import (
	"context"
	"net/url"
	"strings"

	"jottacloudclient/jotta/api"
)

// checkPath validates a user-relative path "/<device>/<mountpoint>/…" and
// returns its segments. Every segment must be a name the server accepts;
// the first failing one is reported in a *NameError.
func checkPath(p string) ([]string, error) {
	segs := api.SplitPath(p)
	if len(segs) == 0 {
		return nil, &NameError{Path: p, Err: api.ErrNameEmpty}
	}
	for _, s := range segs {
		if err := api.CheckName(s); err != nil {
			return nil, &NameError{Path: p, Name: s, Err: err}
		}
	}
	return segs, nil
}

// cleanPath is the canonical "/a/b/c" form of a checked path.
func cleanPath(segs []string) string { return "/" + strings.Join(segs, "/") }

// jfsURL builds the JFS URL of a user-relative path, every segment escaped,
// with an optional trailing slash and query.
func (c *Client) jfsURL(ctx context.Context, p string, trailingSlash bool, q url.Values) (string, error) {
	segs, err := checkPath(p)
	if err != nil {
		return "", err
	}
	user, err := c.Username(ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(c.jfsBase)
	b.WriteByte('/')
	b.WriteString(api.EscapeSegment(user))
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(api.EscapeSegment(s))
	}
	if trailingSlash {
		b.WriteByte('/')
	}
	if len(q) > 0 {
		b.WriteByte('?')
		b.WriteString(q.Encode())
	}
	return b.String(), nil
}

// userURL is the JFS URL of the user document.
func (c *Client) userURL(ctx context.Context) (string, error) {
	user, err := c.Username(ctx)
	if err != nil {
		return "", err
	}
	return c.jfsBase + "/" + api.EscapeSegment(user), nil
}

// absPath is the absolute JFS path "/<user>/<device>/…" that mv, mvDir
// and cp take as their destination.
func (c *Client) absPath(ctx context.Context, p string) (string, error) {
	segs, err := checkPath(p)
	if err != nil {
		return "", err
	}
	user, err := c.Username(ctx)
	if err != nil {
		return "", err
	}
	return "/" + user + cleanPath(segs), nil
}

// UserPath turns an absolute JFS path "/<user>/<device>/…" from a reply
// (a trashed item's abspath, say) into the user-relative "/<device>/…"
// that every call of this package takes and users see. A path that does
// not start with this account's username (compared without case) comes
// back as it was, with its trailing slash dropped.
func (c *Client) UserPath(ctx context.Context, abs string) string {
	segs := api.SplitPath(abs)
	if len(segs) == 0 {
		return abs
	}
	if user, err := c.Username(ctx); err == nil && strings.EqualFold(segs[0], user) {
		segs = segs[1:]
	}
	return cleanPath(segs)
}

// parentPath returns the parent of a checked path and whether it lies
// below a mount point (so it is a folder mkDir may create).
func parentPath(segs []string) (string, bool) {
	if len(segs) < 2 {
		return "", false
	}
	return cleanPath(segs[:len(segs)-1]), len(segs) > 3
}

// namePath joins single names (a device, a mount point) into a path,
// refusing a name that holds a slash or that the server would reject.
func namePath(names ...string) (string, error) {
	p := "/" + strings.Join(names, "/")
	for _, n := range names {
		if err := api.CheckName(n); err != nil {
			return p, &NameError{Path: p, Name: n, Err: err}
		}
	}
	return p, nil
}
