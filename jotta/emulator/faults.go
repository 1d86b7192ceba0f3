package emulator

import (
	"math/rand/v2"
	"sync"
)

// Fault is one injected misbehaviour. A fault matches requests of its
// Endpoint (EndpointAny: all). It fires on the next Times matching
// requests (0: on every one) and, when Probability is set, only with that
// probability, drawn from a deterministic seeded generator. What it does:
//
//   - Status (with optional RetryAfter header value, NoBody for an empty
//     reply): answer that status instead of serving the request. With
//     Applied the request is served first and its reply replaced ("500 but
//     it happened").
//   - DropAfterBytes (upload): store the first N body bytes (N < 0: none), then
//     close the connection without a reply.
//   - CorruptMD5 (upload): the completed upload is stored CORRUPT as if the
//     bytes did not match the declared md5.
//   - TokenEndpointDown (token endpoint): close the connection without a
//     reply, as if the identity provider were unreachable.
//   - TruncateAfterBytes (any reply, typically download or liststream):
//     send the status, headers and the first N body bytes (N < 0: none),
//     then close the connection.
//   - StallAfterBytes (same): send N body bytes, then stop until the client
//     gives up or the server closes.
//   - IgnoreRange (download): answer 200 with the whole file even when a
//     Range was asked for.
//   - WrongStats (liststream): the trailing <stats> counts one file too
//     many.
//   - UploadReply (upload): a completed upload answers in another shape
//     (see the UploadReply constants); the file is stored normally.
type Fault struct {
	Endpoint           Endpoint
	Status             int
	RetryAfter         string
	NoBody             bool
	Times              int
	Probability        float64
	Applied            bool
	DropAfterBytes     int64
	CorruptMD5         bool
	TokenEndpointDown  bool
	TruncateAfterBytes int64
	StallAfterBytes    int64
	IgnoreRange        bool
	WrongStats         bool
	UploadReply        UploadReplyShape
}

// UploadReplyShape is a variant of the reply to a completed upload.
type UploadReplyShape string

// Upload reply shapes. The real reply's fields rest on few sources, so a
// client must confirm from the fields it gets and ask for the rest.
const (
	// UploadReplyMinimal carries only path and content_id: no md5, no size.
	UploadReplyMinimal UploadReplyShape = "minimal"
	// UploadReplyWithState adds "state":"COMPLETED" and a string md5 in
	// upper case.
	UploadReplyWithState UploadReplyShape = "with-state"
	// UploadReplyNotJSON answers 200 with a plain-text body.
	UploadReplyNotJSON UploadReplyShape = "not-json"
	// UploadReplyWrongMD5 reports an md5 other than the stored one, as a
	// server that mixed up replies would.
	UploadReplyWrongMD5 UploadReplyShape = "wrong-md5"
)

// Faults holds the active faults.
type Faults struct {
	mu     sync.Mutex
	rng    *rand.Rand
	active []*faultState
}

type faultState struct {
	f    Fault
	left int // remaining firings when f.Times > 0
}

func newFaults() *Faults {
	return &Faults{rng: rand.New(rand.NewPCG(1, 2))}
}

// Add activates f. A DropAfterBytes or CorruptMD5 fault without an
// Endpoint applies to uploads; a TokenEndpointDown fault to the token
// endpoint.
func (fs *Faults) Add(f Fault) {
	if f.Endpoint == "" {
		switch {
		case f.DropAfterBytes != 0 || f.CorruptMD5 || f.UploadReply != "":
			f.Endpoint = EndpointUpload
		case f.TokenEndpointDown:
			f.Endpoint = EndpointToken
		default:
			f.Endpoint = EndpointAny
		}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.active = append(fs.active, &faultState{f: f, left: f.Times})
}

// Clear removes every fault and reseeds the generator.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.active = nil
	fs.rng = rand.New(rand.NewPCG(1, 2))
}

// Seed reseeds the generator behind Probability.
func (fs *Faults) Seed(seed uint64) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// take returns the first fault that fires for a request of class ep.
func (fs *Faults) take(ep Endpoint) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, st := range fs.active {
		if st.f.Endpoint != EndpointAny && st.f.Endpoint != ep {
			continue
		}
		if st.f.Endpoint == EndpointAny && (st.f.DropAfterBytes != 0 || st.f.CorruptMD5 || st.f.UploadReply != "") && ep != EndpointUpload {
			continue
		}
		if st.f.Probability > 0 && fs.rng.Float64() >= st.f.Probability {
			continue
		}
		if st.f.Times > 0 {
			st.left--
			if st.left <= 0 {
				fs.active = append(fs.active[:i:i], fs.active[i+1:]...)
			}
		}
		return st.f, true
	}
	return Fault{}, false
}
