// Package creds owns the user's JottaCloud credentials: the lookup chain
// (OS keyring → ~/.netrc → environment), the writable token store that
// always holds the newest rotated refresh token (the keyring, or a 0600 file
// in the config dir when no keyring works), the cross-process lock that
// serialises refreshes, and logout. It imports jottacloudclient/jotta only
// for the token contract, performs no network I/O itself (the caller
// supplies the login exchange) and must not import syncer, tray or any fyne
// package. Secrets never reach logs, errors or formatted output.
package creds
