// Command jotta is the headless JottaCloud backup client: the seed's one-shot
// scanner (jotta scan), the background engine (jotta run), account commands
// and a local JottaCloud emulator.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"jottacloudclient/app/message"
)

// Exit codes shared by every command.
const (
	exitOK      = 0 // everything done
	exitPartial = 1 // the command ran, but some files failed or differ
	exitUsage   = 2 // usage, configuration or authentication error
)

// exitError carries an exit code through cobra's error return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that main exits with code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "jotta",
		Short:         "Back up folders to JottaCloud",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	g.register(root)
	root.AddCommand(
		newEmulatorCmd(g),
		newLoginCmd(g),
		newLogoutCmd(g),
		newWhoamiCmd(g),
		newLsCmd(g),
		newRestoreCmd(g),
		newVerifyCmd(g),
		newScanCmd(g),
		newBenchCmd(g),
		newRunCmd(g),
		newStatusCmd(g),
	)
	return root
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the CLI with args and returns the process exit code.
func run(ctx context.Context, args []string) int {
	g := newGlobals()
	root := newRootCmd(g)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "jotta:", errorText(err))
	if g.logLevel == "debug" {
		fmt.Fprintln(os.Stderr, "jotta: details:", err)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage
}

// errorText is the last line a failed command prints: the account-wide
// states (offline, server trouble, full, refused, certificate) in the
// words of app/message for a command that ran once (message.Once),
// everything else as the command wrote it, without the protocol's
// internals (exception names, x-ids, doubled prefixes).
// --loglevel debug adds the technical chain.
func errorText(err error) string {
	switch m := message.For(err); m.Kind {
	case message.KindOffline, message.KindServer, message.KindQuota, message.KindTLS, message.KindAccessDenied:
		return m.Once().String()
	}
	return message.Clean(err.Error())
}
