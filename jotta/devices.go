package jotta

import (
	"context"
	"net/http"
	"net/url"

	"jottacloudclient/jotta/api"
)

// Device types the server knows.
const (
	DeviceJotta       = "JOTTA"
	DeviceWorkstation = "WORKSTATION"
	DeviceLaptop      = "LAPTOP"
)

// Devices lists the account's devices from the user document.
func (c *Client) Devices(ctx context.Context) ([]api.Device, error) {
	u, err := c.User(ctx)
	if err != nil {
		return nil, err
	}
	return u.Devices, nil
}

// Device reads one device with its mount points (trashed mount points
// carry Deleted).
func (c *Client) Device(ctx context.Context, name string) (*api.Device, error) {
	p, err := namePath(name)
	if err != nil {
		return nil, err
	}
	u, err := c.jfsURL(ctx, p, false, nil)
	if err != nil {
		return nil, opErr("read device", p, err)
	}
	var d api.Device
	if err := c.getXML(ctx, "read device", p, u, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// CreateDevice creates a backup device of the given type (DeviceWorkstation
// if empty). Creating an existing device succeeds.
func (c *Client) CreateDevice(ctx context.Context, name, typ string) error {
	if typ == "" {
		typ = DeviceWorkstation
	}
	p, err := namePath(name)
	if err != nil {
		return err
	}
	u, err := c.jfsURL(ctx, p, false, url.Values{"type": {typ}})
	if err != nil {
		return opErr("create device", p, err)
	}
	return opErr("create device", p, c.doDiscard(ctx, &request{
		op: "create device", path: p, method: http.MethodPost, url: u, idempotent: true,
	}))
}

// CreateMountPoint creates a mount point (a backup set) on a device.
// Creating an existing one succeeds.
func (c *Client) CreateMountPoint(ctx context.Context, device, name string) error {
	p, err := namePath(device, name)
	if err != nil {
		return err
	}
	u, err := c.jfsURL(ctx, p, false, nil)
	if err != nil {
		return opErr("create mount point", p, err)
	}
	return opErr("create mount point", p, c.doDiscard(ctx, &request{
		op: "create mount point", path: p, method: http.MethodPost, url: u, idempotent: true,
	}))
}
