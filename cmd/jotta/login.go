package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"jottacloudclient/app"
	"jottacloudclient/app/creds"
)

// loginTokenWhere says where a personal login token comes from, for the
// end of error messages.
const loginTokenWhere = "get a personal login token in the JottaCloud web app: Settings → Security → Personal login token → Generate"

// loginTokenHelp is loginTokenWhere as a sentence, for help and prompts.
const loginTokenHelp = "Get a personal login token in the JottaCloud web app: Settings → Security → Personal login token → Generate."

// loginMaxToken bounds what is read as a token; real ones are a few
// hundred bytes.
const loginMaxToken = 64 << 10

func newLoginCmd(g *globals) *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in with a personal login token",
		Long: `Sign in with a personal login token and keep the session in the OS keyring
(or, without one, in a file only you can read). ` + loginTokenHelp + `
The token is read from a prompt that does not echo, or from standard input
with --token-stdin. It is used once; the session replaces any earlier one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := loadEnvLenient(g)
			if err != nil {
				return err
			}
			token, err := loginReadToken(cmd.InOrStdin(), g.stderr, fromStdin)
			if err != nil {
				return withCode(exitUsage, err)
			}
			return loginRun(cmd.Context(), g, env, token)
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "token-stdin", false, "read the token from standard input instead of prompting")
	return cmd
}

// loginReadToken reads the token from a no-echo prompt on a terminal, or
// from in with --token-stdin.
func loginReadToken(in io.Reader, prompt io.Writer, fromStdin bool) (string, error) {
	if !fromStdin {
		f, ok := in.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return "", errors.New("standard input is not a terminal: pipe the token in with 'jotta login --token-stdin'")
		}
		fmt.Fprintln(prompt, loginTokenHelp)
		fmt.Fprint(prompt, "Personal login token: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read the token: %w", err)
		}
		return loginCheckToken(string(b))
	}
	b, err := io.ReadAll(io.LimitReader(in, loginMaxToken+1))
	if err != nil {
		return "", fmt.Errorf("read the token from standard input: %w", err)
	}
	if len(b) > loginMaxToken {
		return "", errors.New("standard input holds more than a token: pipe in only the personal login token; " + loginTokenWhere)
	}
	// A token is one line; tolerate a trailing newline and blank lines.
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 0, 4096), loginMaxToken+1)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 1 {
		return "", errors.New("standard input holds several lines: pipe in only the personal login token; " + loginTokenWhere)
	}
	if len(lines) == 0 {
		return "", errors.New("no token on standard input; " + loginTokenWhere)
	}
	return loginCheckToken(lines[0])
}

// loginCheckToken refuses what cannot be a token before anything is sent
// or stored: nothing at all, or an account password.
func loginCheckToken(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("no token given; " + loginTokenWhere)
	}
	if _, err := creds.NewSecret(creds.SourceLogin, "", s); err != nil {
		if errors.Is(err, creds.ErrPasswordLogin) {
			return "", fmt.Errorf("this is not a personal login token (it looks like a password; nothing was changed): %w", err)
		}
		return "", fmt.Errorf("this is not a personal login token (nothing was changed): %w; %s", err, loginTokenWhere)
	}
	return s, nil
}

// loginRun exchanges the token, stores the session and says who is signed
// in. A failed exchange leaves the stored session as it was.
func loginRun(ctx context.Context, g *globals, env *cliEnv, token string) error {
	info, err := app.SignIn(ctx, env.accountOptions(), token)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("%w (any earlier session is kept); %s", err, loginTokenWhere))
	}
	acc, err := openAccountIn(ctx, env)
	if err != nil {
		return err
	}
	cu, err := acc.Client.Customer(ctx)
	if err != nil {
		return commandError(fmt.Errorf("signed in, but reading the account failed: %w", err), exitPartial)
	}
	who := cu.Username
	if cu.Email != "" {
		who += " (" + cu.Email + ")"
	}
	fmt.Fprintf(g.stdout, "Signed in as %s; session %s.\n", who, describeCredential(info))
	return nil
}

func newLogoutCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the stored session",
		Long: `Remove the stored session from the OS keyring and the token file. ~/.netrc
and JOTTACLOUD_TOKEN are never changed: remove a token there yourself.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := g.logger()
			if err != nil {
				return err
			}
			// Signing out must work even when the configuration file is
			// broken, so only the paths are needed here.
			paths, err := app.DefaultPaths()
			if err != nil {
				return withCode(exitUsage, fmt.Errorf("find the configuration directory: %w", err))
			}
			o := app.AccountOptions{Paths: paths, NetrcPath: os.Getenv(envNetrc), Logger: log}
			st, err := app.NewStore(o)
			if err != nil {
				return withCode(exitUsage, err)
			}
			_, infoErr := st.Info(cmd.Context())
			stored := infoErr == nil
			err = st.Delete(cmd.Context())
			switch {
			case errors.Is(err, creds.ErrKeyringUnavailable):
				// The file is gone; only a keyring item that cannot be
				// reached now may remain.
				log.Debug("keyring not reachable while signing out", "err", err)
				fmt.Fprintln(g.stderr, "warning: the OS keyring could not be reached; if a session was kept there, run 'jotta logout' again when it is available")
			case err != nil:
				return withCode(exitUsage, err)
			}
			if stored {
				fmt.Fprintln(g.stdout, "Signed out: the stored session was removed.")
			} else {
				fmt.Fprintln(g.stdout, "Signed out: no session was stored.")
			}
			chain := &creds.Chain{NetrcPath: o.NetrcPath, Logger: log}
			if sec, ok, _ := chain.External(); ok {
				place := "~/.netrc"
				if sec.Source == creds.SourceEnv {
					place = creds.EnvToken
				}
				fmt.Fprintf(g.stderr, "note: %s still holds a token; the next command signs in with it again\n", place)
			}
			return nil
		},
	}
}
