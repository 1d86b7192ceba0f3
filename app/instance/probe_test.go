package instance_test

import (
	"errors"
	"os"
	"testing"

	"jottacloudclient/app/instance"
)

func TestProbe(t *testing.T) {
	dir := t.TempDir()
	if err := instance.Probe(dir); err != nil {
		t.Fatalf("nobody runs: %v", err)
	}
	inst, err := instance.Acquire(dir, instance.RoleRun)
	if err != nil {
		t.Fatal(err)
	}
	var busy *instance.BusyError
	if err := instance.Probe(dir); !errors.As(err, &busy) || busy.Role != instance.RoleRun || busy.PID != os.Getpid() {
		t.Fatalf("while held: %v, want busy by run with pid %d", err, os.Getpid())
	}
	if err := inst.Release(); err != nil {
		t.Fatal(err)
	}
	if err := instance.Probe(dir); err != nil {
		t.Fatalf("after release: %v", err)
	}
	// Probing never stands in the way of the next engine.
	again, err := instance.Acquire(dir, instance.RoleTray)
	if err != nil {
		t.Fatalf("acquire after probes: %v", err)
	}
	_ = again.Release()
}
