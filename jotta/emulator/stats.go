package emulator

import (
	"maps"
	"sync"
)

// Endpoint is a class of requests, for statistics and faults.
type Endpoint string

// Endpoint classes.
const (
	EndpointAny        Endpoint = "any"
	EndpointDiscovery  Endpoint = "discovery" // OIDC .well-known document
	EndpointToken      Endpoint = "token"
	EndpointUserinfo   Endpoint = "userinfo"
	EndpointCustomer   Endpoint = "customer"
	EndpointJFSGet     Endpoint = "jfs-get" // XML listings and metadata
	EndpointListStream Endpoint = "liststream"
	EndpointDownload   Endpoint = "download"
	EndpointJFSPost    Endpoint = "jfs-post" // JFS mutations
	EndpointAllocate   Endpoint = "allocate"
	EndpointUpload     Endpoint = "upload"
	EndpointPurgeTrash Endpoint = "purge-trash"
	EndpointUnknown    Endpoint = "unknown"
)

// Stats is a snapshot of what the server has seen.
type Stats struct {
	Requests       map[Endpoint]int64 // per endpoint class
	UploadBytes    int64              // body bytes received by upload URLs
	DownloadBytes  int64              // file bytes sent by downloads (mode=bin)
	Refreshes      int64              // successful refresh grants
	LoginExchanges int64              // successful login-token (password) grants
	Revocations    int64              // session families revoked
}

// Total is the number of requests of every class.
func (st Stats) Total() int64 {
	var n int64
	for _, c := range st.Requests {
		n += c
	}
	return n
}

type statCounters struct {
	mu sync.Mutex
	st Stats
}

func (c *statCounters) add(fn func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st.Requests == nil {
		c.st.Requests = map[Endpoint]int64{}
	}
	fn(&c.st)
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	out := s.stats.st
	out.Requests = maps.Clone(s.stats.st.Requests)
	if out.Requests == nil {
		out.Requests = map[Endpoint]int64{}
	}
	return out
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	s.stats.st = Stats{}
}
