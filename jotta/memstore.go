package jotta

import (
	"context"
	"sync"
)

// MemoryTokenStore keeps a token in memory only: for programs that sign in
// for one run (benchmarks, tests, one-off tools). A rotated refresh token
// is lost when the process ends, and with it the session.
type MemoryTokenStore struct {
	mu  sync.Mutex
	tok *Token
}

// NewMemoryTokenStore returns a store holding a copy of tok (nil: empty).
func NewMemoryTokenStore(tok *Token) *MemoryTokenStore {
	s := &MemoryTokenStore{}
	if tok != nil {
		c := *tok
		s.tok = &c
	}
	return s
}

// LoadToken returns a copy of the token, or ErrSignInRequired when empty.
func (s *MemoryTokenStore) LoadToken(context.Context) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		return nil, ErrSignInRequired
	}
	c := *s.tok
	return &c, nil
}

// SaveToken replaces the token with a copy of tok.
func (s *MemoryTokenStore) SaveToken(_ context.Context, tok *Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *tok
	s.tok = &c
	return nil
}
