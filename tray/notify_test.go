package tray

import (
	"strings"
	"testing"
)

func TestNoticePolicy(t *testing.T) {
	idle := State{Phase: Idle, Pairs: 1}
	cases := []struct {
		name   string
		states []State
		want   []string // title per state, "" for none
	}{
		{
			name:   "successful passes are silent",
			states: []State{idle, {Phase: Syncing, Pairs: 1, Passes: 0}, {Phase: Idle, Pairs: 1, Passes: 1}},
			want:   []string{"", "", ""},
		},
		{
			name: "not backed up since: once per warning, again after it cleared",
			states: []State{
				{Phase: Problem, Warning: "Docs: not backed up since Monday", Passes: 5},
				{Phase: Problem, Warning: "Docs: not backed up since Monday", Passes: 6},
				idle,
				{Phase: Problem, Warning: "Docs: not backed up since Monday", Passes: 8},
			},
			want: []string{"Not backed up", "", "", "Not backed up"},
		},
		{
			name:   "needs your decision once",
			states: []State{{Phase: Problem, Decision: "Needs your decision: 20 deleted files are still in JottaCloud"}, {Phase: Problem, Decision: "Needs your decision: 20 deleted files are still in JottaCloud"}},
			want:   []string{"Needs your decision", ""},
		},
		{
			name:   "waiting to retry is never announced",
			states: []State{{Phase: Idle, Waiting: "JottaCloud cannot be reached. Trying again at 14:05."}, idle},
			want:   []string{"", ""},
		},
		{
			name:   "sign-in needed once",
			states: []State{idle, {Phase: SignedOut}, {Phase: SignedOut}, idle, {Phase: SignedOut}},
			want:   []string{"", "Sign in needed", "", "", "Sign in needed"},
		},
		{
			name:   "signed out at start",
			states: []State{{Phase: SignedOut}},
			want:   []string{"Sign in needed"},
		},
		{
			name: "failed pass announced once until it succeeds",
			states: []State{
				{Phase: Problem, PassError: "network unreachable", Passes: 1},
				{Phase: Problem, PassError: "network unreachable", Passes: 2},
				{Phase: Idle, Passes: 3},
				{Phase: Problem, PassError: "network unreachable", Passes: 4},
			},
			want: []string{"Backup failed", "", "", "Backup failed"},
		},
		{
			name: "a different failure is announced",
			states: []State{
				{Phase: Problem, PassError: "network unreachable", Passes: 1},
				{Phase: Problem, PassError: "quota exceeded", Passes: 2},
			},
			want: []string{"Backup failed", "Backup failed"},
		},
		{
			name: "files keep failing on the second pass, once",
			states: []State{
				{Phase: Problem, Problems: 3, Passes: 1},
				{Phase: Syncing, Problems: 3, Passes: 1},
				{Phase: Problem, Problems: 3, Passes: 2},
				{Phase: Problem, Problems: 2, Passes: 3},
				{Phase: Idle, Passes: 4},
				{Phase: Problem, Problems: 1, Passes: 5},
				{Phase: Problem, Problems: 1, Passes: 6},
			},
			want: []string{"", "", "Files keep failing", "", "", "", "Files keep failing"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p noticePolicy
			for i, s := range tc.states {
				n, ok := p.next(s)
				got := ""
				if ok {
					got = n.Title
					if n.Body == "" {
						t.Errorf("state %d: notice %q has no body", i, n.Title)
					}
				}
				if got != tc.want[i] {
					t.Errorf("state %d (%v): notice %q, want %q", i, s.Phase, got, tc.want[i])
				}
			}
		})
	}
}

func TestNoticeBodyNamesCountAndReason(t *testing.T) {
	var p noticePolicy
	n, _ := p.next(State{Phase: Problem, PassError: "quota exceeded", Passes: 1})
	if !strings.Contains(n.Body, "quota exceeded") {
		t.Errorf("failure body %q does not say why", n.Body)
	}
	p = noticePolicy{}
	p.next(State{Phase: Problem, Problems: 7, Passes: 1})
	n, _ = p.next(State{Phase: Problem, Problems: 7, Passes: 2})
	if !strings.Contains(n.Body, "7 files") {
		t.Errorf("keep-failing body %q does not give the count", n.Body)
	}
}
