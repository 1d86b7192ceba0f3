package jotta_test

import (
	"context"
	"errors"
	"testing"

	"jottacloudclient/jotta"
)

func TestMemoryTokenStore(t *testing.T) {
	ctx := context.Background()
	s := jotta.NewMemoryTokenStore(nil)
	if _, err := s.LoadToken(ctx); !errors.Is(err, jotta.ErrSignInRequired) {
		t.Fatalf("empty store: err %v, want ErrSignInRequired", err)
	}
	tok := &jotta.Token{AccessToken: "a1", RefreshToken: "r1"}
	if err := s.SaveToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	tok.RefreshToken = "changed by the caller"
	got, err := s.LoadToken(ctx)
	if err != nil || got.RefreshToken != "r1" {
		t.Fatalf("load: %v %q, want the saved copy r1", err, got.RefreshToken)
	}
	got.AccessToken = "changed by the reader"
	if again, _ := s.LoadToken(ctx); again.AccessToken != "a1" {
		t.Errorf("a reader's change leaked into the store: %q", again.AccessToken)
	}
}
