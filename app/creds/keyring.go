package creds

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// Keyring is the part of an OS keyring the store needs. Get returns an
// error matching keyring.ErrNotFound when nothing is stored.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// SystemKeyring is the OS keyring through go-keyring: the Secret Service on
// Linux and the BSDs, the Keychain on macOS, the Credential Manager on
// Windows. In tests keyring.MockInit replaces it process-wide.
type SystemKeyring struct{}

func (SystemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (SystemKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}
func (SystemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// keyringTimeout bounds one keyring call: a Secret Service that waits for
// a password prompt nobody answers must not stall the engine.
const keyringTimeout = 15 * time.Second

var errKeyringTimeout = errors.New("the OS keyring did not answer in time")

// withKeyring runs f, which cannot be cancelled, and gives up waiting when
// ctx ends or the keyring does not answer within keyringTimeout.
func withKeyring(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(keyringTimeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("keyring: %w", ctx.Err())
	case <-timer.C:
		return errKeyringTimeout
	}
}
