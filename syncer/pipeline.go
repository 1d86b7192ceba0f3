package syncer

import (
	"context"
	"sync"
)

// pipelineWindow is how many walked files may wait between the walk and
// the in-order consumer: it bounds the memory of a pass, and how far the
// hashers run ahead of a large file being read.
const pipelineWindow = 512

// item is one walked file on its way through the pipeline.
type item struct {
	f   localFile
	rem *remoteItem // the remote file listed at exactly this local path, if any
	err error       // why hashing failed
	// same: the index record at this path vouches for the file and says
	// it is backed up; written back unaltered when it still is.
	same bool
	// done is closed once the file is hashed; nil when it needed no
	// hashing.
	done chan struct{}
}

// pipeline hashes the files that need it with a pool of workers and hands
// every file to consume in the order they were pushed, so the index is
// written as a stream and uploads start while the walk goes on
// (syncthing's scanner: the walker streams, hashers work in parallel,
// results come back in order).
type pipeline struct {
	ctx     context.Context
	order   chan *item
	jobs    chan *item
	workers sync.WaitGroup
	done    chan struct{} // closed when the consumer has seen every item
}

// hashFn hashes one file and reports the result on the item.
type hashFn func(ctx context.Context, it *item)

// newPipeline starts workers hashers and the consumer.
func newPipeline(ctx context.Context, workers int, hash hashFn, consume func(*item)) *pipeline {
	pl := &pipeline{
		ctx:   ctx,
		order: make(chan *item, pipelineWindow),
		jobs:  make(chan *item),
		done:  make(chan struct{}),
	}
	for range max(workers, 1) {
		pl.workers.Add(1)
		go func() {
			defer pl.workers.Done()
			for it := range pl.jobs {
				hash(ctx, it)
				close(it.done)
			}
		}()
	}
	go func() {
		defer close(pl.done)
		for it := range pl.order {
			if it.done != nil {
				<-it.done // a worker always finishes an item it took
			}
			consume(it)
		}
	}()
	return pl
}

// push sends it on; needHash says whether a worker must hash it first. It
// blocks while the window is full and returns the context's error once
// the pass is cancelled.
func (pl *pipeline) push(it *item, needHash bool) error {
	if needHash {
		it.done = make(chan struct{})
		select {
		case pl.jobs <- it:
		case <-pl.ctx.Done():
			return context.Cause(pl.ctx)
		}
	}
	select {
	case pl.order <- it:
		return nil
	case <-pl.ctx.Done():
		return context.Cause(pl.ctx)
	}
}

// close waits until every pushed item was consumed.
func (pl *pipeline) close() {
	close(pl.jobs)
	close(pl.order)
	<-pl.done
	pl.workers.Wait()
}
