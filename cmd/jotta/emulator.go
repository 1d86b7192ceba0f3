package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"jottacloudclient/jotta/emulator"
)

func newEmulatorCmd(g *globals) *cobra.Command {
	var (
		listen   string
		dataDir  string
		user     string
		lifetime time.Duration
		quota    int64
		latency  time.Duration
		bw       string
		shapes   uint64
	)
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve a local JottaCloud emulator",
		Long: `Serve a local JottaCloud (OIDC, JFS and upload API on one address) until
interrupted. It prints url=, user= and login_token= lines first; point the
client at it with --endpoint URL and sign in with the login token.
--shapes SEED makes the replies vary the way the real service's do (compact
or indented XML, folders after their files or only implied by them,
case-insensitive order, empty lists left out, empty times, the built-in
device's virtual mount points, upper-case md5s); the same seed gives the
same shapes, 0 the plain ones.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			logger, err := g.logger()
			if err != nil {
				return err
			}
			if lifetime < 0 {
				return withCode(exitUsage, fmt.Errorf("--token-lifetime must not be negative, got %s", lifetime))
			}
			link, err := linkFlags(latency, bw)
			if err != nil {
				return err
			}
			run, err := emulator.Start(listen, emulator.Options{
				DataDir:             dataDir,
				User:                user,
				AccessTokenLifetime: lifetime,
				Quota:               quota,
				Link:                link,
				Shapes:              emulator.ShapesFromSeed(shapes),
				Logger:              logger,
			})
			if err != nil {
				return withCode(exitUsage, fmt.Errorf("start emulator: %w", err))
			}
			tok, err := run.MintLoginToken()
			if err != nil {
				run.Close()
				return fmt.Errorf("mint login token: %w", err)
			}
			fmt.Fprintf(g.stdout, "url=%s\nuser=%s\nlogin_token=%s\n", run.URL, run.User(), tok)
			if shapes != 0 {
				fmt.Fprintf(g.stderr, "reply shapes (seed %d): %s\n", shapes, emulator.ShapesFromSeed(shapes))
			}
			<-cmd.Context().Done()
			if err := run.Close(); err != nil {
				return fmt.Errorf("stop emulator: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	f.StringVar(&dataDir, "data", "", "directory to keep the state in (empty: memory only)")
	f.StringVar(&user, "user", "", "JFS username (default: random 24 hex characters, kept in --data)")
	f.DurationVar(&lifetime, "token-lifetime", time.Hour, "access token lifetime")
	f.Int64Var(&quota, "quota", 0, "account quota in bytes (0: unlimited)")
	f.Uint64Var(&shapes, "shapes", 0, "seed choosing how replies vary like the real service's (0: plain)")
	addLinkFlags(cmd, &latency, &bw)
	return cmd
}

// addLinkFlags adds the link-shaping flags of the emulator and the benchmark.
func addLinkFlags(cmd *cobra.Command, latency *time.Duration, bandwidth *string) {
	f := cmd.Flags()
	f.DurationVar(latency, "latency", 0, "round-trip time the emulated link adds to every request, like 30ms (0: loopback)")
	f.StringVar(bandwidth, "bandwidth", "", `speed of the emulated link in each direction, like "100Mbit" or "10MiB/s" (default: unlimited)`)
}

// linkFlags checks the link-shaping flags.
func linkFlags(latency time.Duration, bandwidth string) (emulator.Link, error) {
	if latency < 0 {
		return emulator.Link{}, withCode(exitUsage, fmt.Errorf("--latency must not be negative, got %s", latency))
	}
	bw, err := emulator.ParseBandwidth(bandwidth)
	if err != nil {
		return emulator.Link{}, withCode(exitUsage, fmt.Errorf("--bandwidth: %w", err))
	}
	return emulator.Link{Latency: latency, Bandwidth: bw}, nil
}
