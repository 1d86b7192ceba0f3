package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"jottacloudclient/internal/bench"
)

func newBenchCmd(g *globals) *cobra.Command {
	var (
		benchQuick  bool
		benchCases  []string
		benchDir    string
		benchKeep   bool
		benchCheck  bool
		benchServe  bool
		benchChild  bool
		benchListed bool
		benchProf   string
		benchLat    time.Duration
		benchBW     string
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure backup performance against a local emulator",
		Long: `Generate data in a temporary directory, serve the emulator from a separate
process on loopback and measure, with references and goals from the same run:
an initial backup against md5sum, an unchanged rescan, memory per file, the
liststream decoder, watch latency, a folder rename and idle CPU; and, over an
emulated internet link (--latency, default 30ms; --bandwidth, default none),
many small files and the mixed-size tree, with requests per file.

The full run takes a few minutes and several GiB of temporary disk space;
--quick runs every case at a small size in well under a minute.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := g.logger()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			switch {
			case benchServe:
				return bench.Serve(ctx, os.Stdin, g.stdout, log)
			case benchChild:
				return bench.Child(ctx, os.Stdin, g.stdout, log)
			case benchListed:
				fmt.Fprintln(g.stdout, strings.Join(bench.Cases, "\n"))
				return nil
			}
			if err := bench.CheckCases(benchCases); err != nil {
				return withCode(exitUsage, err)
			}
			sizes := bench.FullSizes
			if benchQuick {
				sizes = bench.QuickSizes
			}
			link, err := linkFlags(benchLat, benchBW)
			if err != nil {
				return err
			}
			rep, err := bench.Run(ctx, bench.Options{
				Sizes:      sizes,
				Cases:      benchCases,
				WorkDir:    benchDir,
				Keep:       benchKeep,
				Stderr:     g.stderr,
				Progress:   g.stderr,
				Logger:     log,
				ProfileDir: benchProf,
				Link:       link,
			})
			if err != nil {
				return withCode(exitPartial, err)
			}
			if err := rep.WriteTable(g.stdout); err != nil {
				return err
			}
			switch {
			case !rep.Correct():
				return withCode(exitPartial, errors.New("some cases failed or left wrong data; see the problems above"))
			case benchCheck && !rep.AllMet():
				return withCode(exitPartial, errors.New("some goals were not met"))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&benchQuick, "quick", false, "run every case at a small size (CI)")
	f.StringSliceVar(&benchCases, "case", nil, "cases to run, comma-separated (default all; see --list)")
	f.BoolVar(&benchListed, "list", false, "print the case names and exit")
	f.StringVar(&benchDir, "workdir", "", "directory for the temporary data (default: the OS temp dir)")
	f.BoolVar(&benchKeep, "keep", false, "keep the generated data")
	f.StringVar(&benchProf, "profile", "", "write CPU and heap profiles of the cases to this directory (for go tool pprof)")
	f.BoolVar(&benchCheck, "check", false, "exit with status 1 when a goal is missed")
	addLinkFlags(cmd, &benchLat, &benchBW)
	f.Lookup("latency").DefValue = bench.DefaultLink.Latency.String()
	benchLat = bench.DefaultLink.Latency
	f.BoolVar(&benchServe, "serve", false, "serve the emulator for a benchmark run (internal)")
	f.BoolVar(&benchChild, "child", false, "run one measured job read from stdin (internal)")
	_ = f.MarkHidden("serve")
	_ = f.MarkHidden("child")
	return cmd
}
