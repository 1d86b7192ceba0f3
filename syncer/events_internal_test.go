package syncer

import (
	"testing"
	"testing/synctest"
)

func TestSlowSubscriberGetsEveryProblemAndTheLatestProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b bus
		sub := b.subscribe()
		defer sub.Close()
		for i := range 100 {
			b.publish(ProgressEvent{Pair: "p", FilesDone: i})
			if i%10 == 0 {
				b.publish(ProblemEvent{Pair: "p", Problem: Problem{Path: string(rune('a' + i/10))}})
			}
		}
		b.publish(ProgressEvent{Pair: "q", FilesDone: 7})
		synctest.Wait()
		// The pump may already hold one early event when the burst
		// starts; everything else is coalesced while nobody reads.
		var problems string
		var progress []ProgressEvent
	read:
		for {
			select {
			case ev := <-sub.C():
				switch ev := ev.(type) {
				case ProblemEvent:
					problems += ev.Path
				case ProgressEvent:
					progress = append(progress, ev)
				}
			default:
				synctest.Wait()
				select {
				case ev := <-sub.C():
					if pe, ok := ev.(ProgressEvent); ok {
						progress = append(progress, pe)
					} else if pr, ok := ev.(ProblemEvent); ok {
						problems += pr.Path
					}
					continue
				default:
				}
				break read
			}
		}
		if problems != "abcdefghij" {
			t.Errorf("problems arrived as %q, want all ten in order", problems)
		}
		if len(progress) > 3 {
			t.Errorf("%d progress events reached a subscriber that did not read, want them coalesced", len(progress))
		}
		last := map[string]int{}
		for _, p := range progress {
			last[p.Pair] = p.FilesDone
		}
		if last["p"] != 99 || last["q"] != 7 {
			t.Errorf("latest progress %v, want p=99 q=7", last)
		}
	})
}

func TestPassResultDiscardsStaleProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b bus
		sub := b.subscribe()
		defer sub.Close()
		b.publish(ProgressEvent{Pair: "p", FilesDone: 1})
		b.publish(PassEvent{Result: &PassResult{Pair: "p"}})
		synctest.Wait()
		// The progress may have left before the result was published;
		// it must never arrive after it.
		ev := <-sub.C()
		if _, ok := ev.(ProgressEvent); ok {
			ev = <-sub.C()
		}
		if _, ok := ev.(PassEvent); !ok {
			t.Fatalf("got %#v, want the pass result", ev)
		}
		synctest.Wait()
		select {
		case ev := <-sub.C():
			t.Errorf("progress after the result was delivered: %#v", ev)
		default:
		}
	})
}

func TestOverflowIsCountedNotSilent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b bus
		sub := b.subscribe()
		defer sub.Close()
		const extra = 25
		// The pump holds one event while blocked on the channel send.
		synctest.Wait()
		for range maxQueued + 1 + extra {
			b.publish(NoticeEvent{Message: "n"})
		}
		synctest.Wait()
		notices, dropped := 0, 0
		for notices+dropped < maxQueued+1+extra {
			switch ev := (<-sub.C()).(type) {
			case NoticeEvent:
				notices++
			case DroppedEvent:
				dropped += ev.Count
			}
		}
		// One event may have left the queue before the burst filled it.
		if dropped != extra && dropped != extra+1 {
			t.Errorf("dropped %d reported, want %d (or one more)", dropped, extra)
		}
		if notices+dropped != maxQueued+1+extra {
			t.Errorf("delivered %d notices and reported %d drops, want %d in all", notices, dropped, maxQueued+1+extra)
		}
	})
}
