package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"jottacloudclient/syncer"
)

func TestReachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	// A real failure of the HTTP client against the closed port.
	_, getErr := http.Get("http://" + addr + "/jfs/x")
	if getErr == nil {
		t.Skip("closed port answered")
	}
	failed := fmt.Errorf("pass: list: %w: %w", syncer.ErrUnavailable, getErr)
	if Reachable(context.Background(), failed) {
		t.Fatal("reachable while nothing listens")
	}
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port taken meanwhile: %v", err)
	}
	defer l.Close()
	if !Reachable(context.Background(), failed) {
		t.Error("not reachable once the server listens again")
	}
	if Reachable(context.Background(), fmt.Errorf("%w: 503", syncer.ErrUnavailable)) {
		t.Error("a failing server counts as reachable: the backoff must decide")
	}
	if Reachable(context.Background(), errors.New("other")) {
		t.Error("an unknown error counts as reachable")
	}
}
