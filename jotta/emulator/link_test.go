package emulator_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
)

// TestLinkLatency: with a round trip set, every request waits it, and the
// first request on a new connection waits one more for the handshake.
// Only lower bounds are checked: the delays are what the link adds.
func TestLinkLatency(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	const rtt = 60 * time.Millisecond
	e.run.SetLink(emulator.Link{Latency: rtt})
	if got := e.run.Link(); got.Latency != rtt || got.String() != "60ms round trip" {
		t.Errorf("Link() = %+v (%s)", got, got)
	}
	http.DefaultClient.CloseIdleConnections()
	start := time.Now()
	mustStatus(t, e.do(http.MethodGet, "/account/v1/customer", nil, nil), http.StatusOK)
	if took := time.Since(start); took < 2*rtt {
		t.Errorf("first request on a new connection took %v, want at least two round trips (%v)", took, 2*rtt)
	}
	start = time.Now()
	mustStatus(t, e.do(http.MethodGet, "/account/v1/customer", nil, nil), http.StatusOK)
	if took := time.Since(start); took < rtt {
		t.Errorf("request took %v, want at least one round trip (%v)", took, rtt)
	}
	e.run.SetLink(emulator.Link{})
	start = time.Now()
	mustStatus(t, e.do(http.MethodGet, "/account/v1/customer", nil, nil), http.StatusOK)
	if took := time.Since(start); took >= rtt {
		t.Errorf("request took %v after the link was reset to loopback", took)
	}
}

// TestLinkBandwidth: bodies in both directions move no faster than the cap.
func TestLinkBandwidth(t *testing.T) {
	e := newEnv(t, emulator.Options{Link: emulator.Link{Bandwidth: 1 << 20}})
	data := bytes.Repeat([]byte("0123456789abcdef"), 24<<10) // 384 KiB
	start := time.Now()
	e.put("/jfs/Jotta/Archive/link/big.bin", data)
	// The first burst is free; the rest moves at 1 MiB/s.
	if took, least := time.Since(start), 300*time.Millisecond; took < least {
		t.Errorf("a 384 KiB upload took %v at 1 MiB/s, want at least %v", took, least)
	}
	start = time.Now()
	r := e.jfs(http.MethodGet, "Jotta/Archive/link/big.bin?mode=bin")
	mustStatus(t, r, http.StatusOK)
	if !bytes.Equal(r.body, data) {
		t.Fatal("the download differs from the upload")
	}
	if took, least := time.Since(start), 300*time.Millisecond; took < least {
		t.Errorf("a 384 KiB download took %v at 1 MiB/s, want at least %v", took, least)
	}
}

func TestParseBandwidth(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"100Mbit", 12_500_000, true},
		{"100Mbit/s", 12_500_000, true},
		{"100 Mbit", 12_500_000, true},
		{"1Gbps", 125_000_000, true},
		{"512kbit", 64_000, true},
		{"8Mb", 1_000_000, true},
		{"12.5MB/s", 12_500_000, true},
		{"10MiB/s", 10 << 20, true},
		{"800KiB", 800 << 10, true},
		{"100B/s", 100, true},
		{"0", 0, true},
		{"off", 0, true},
		{"100", 0, false},
		{"fast", 0, false},
		{"10Mfoo", 0, false},
		{"-1Mbit", 0, false},
	}
	for _, c := range cases {
		got, err := emulator.ParseBandwidth(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseBandwidth(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}
