package jotta

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"

	"jottacloudclient/jotta/api"
)

// Customer reads GET /account/v1/customer: the JFS username, usage and
// quota of the signed-in account.
func (c *Client) Customer(ctx context.Context) (*api.Customer, error) {
	resp, err := c.do(ctx, &request{
		op: "customer", method: http.MethodGet, url: c.apiBase + "/account/v1/customer",
		header: http.Header{"Accept": {"application/json"}}, idempotent: true,
	})
	if err != nil {
		return nil, opErr("read account", "", err)
	}
	defer resp.Body.Close()
	var cu api.Customer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&cu); err != nil {
		return nil, opErr("read account", "", fmt.Errorf("unreadable reply: %w", err))
	}
	if cu.Username == "" {
		return nil, opErr("read account", "", errors.New("the reply names no username"))
	}
	c.userMu.Lock()
	c.username = cu.Username
	c.userMu.Unlock()
	return &cu, nil
}

// Username returns the account's JFS username, asking the server once per
// client.
func (c *Client) Username(ctx context.Context) (string, error) {
	c.userMu.Lock()
	u := c.username
	c.userMu.Unlock()
	if u != "" {
		return u, nil
	}
	cu, err := c.Customer(ctx)
	if err != nil {
		return "", err
	}
	return cu.Username, nil
}

// Quota is the account's storage use.
type Quota struct {
	Used  int64 // bytes
	Total int64 // bytes; -1 means unlimited
}

// Quota reads usage and capacity from the customer record.
func (c *Client) Quota(ctx context.Context) (Quota, error) {
	cu, err := c.Customer(ctx)
	if err != nil {
		return Quota{}, err
	}
	return Quota{Used: cu.Usage, Total: cu.Quota}, nil
}

// User reads the user document: account flags, capacity, usage and the
// device list.
func (c *Client) User(ctx context.Context) (*api.User, error) {
	u, err := c.userURL(ctx)
	if err != nil {
		return nil, opErr("read user", "", err)
	}
	var doc api.User
	if err := c.getXML(ctx, "read user", "/", u, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// getXML GETs a JFS document and decodes it into v.
func (c *Client) getXML(ctx context.Context, op, p, u string, v any) error {
	resp, err := c.do(ctx, &request{op: op, path: p, method: http.MethodGet, url: u, idempotent: true})
	if err != nil {
		return opErr(op, p, err)
	}
	defer resp.Body.Close()
	if err := xml.NewDecoder(resp.Body).Decode(v); err != nil {
		return opErr(op, p, fmt.Errorf("unreadable XML reply: %w", err))
	}
	return nil
}
