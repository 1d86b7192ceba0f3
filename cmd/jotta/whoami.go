package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"jottacloudclient/app/creds"
	"jottacloudclient/jotta/api"
)

func newWhoamiCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show the signed-in account, its usage and where the credential came from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			acc, err := openAccount(ctx, g)
			if err != nil {
				return err
			}
			cu, err := acc.Client.Customer(ctx)
			if err != nil {
				return commandError(fmt.Errorf("read the account: %w", err), exitUsage)
			}
			whoamiPrint(g.stdout, cu, acc.Info, acc.Env.Endpoint)
			return nil
		},
	}
}

// whoamiPrint writes the account summary.
func whoamiPrint(w io.Writer, cu *api.Customer, info creds.Info, endpoint string) {
	fmt.Fprintf(w, "user:       %s\n", cu.Username)
	if cu.Email != "" {
		fmt.Fprintf(w, "email:      %s\n", cu.Email)
	}
	if cu.Name != "" {
		fmt.Fprintf(w, "name:       %s\n", cu.Name)
	}
	if cu.AccountType != "" || cu.SubscriptionType != "" {
		fmt.Fprintf(w, "account:    %s\n", joinNonEmpty(cu.AccountType, cu.SubscriptionType))
	}
	fmt.Fprintf(w, "usage:      %s\n", whoamiUsage(cu.Usage, cu.Quota))
	if cu.WriteLocked {
		fmt.Fprintln(w, "            the account is write-locked (full or suspended): backups cannot upload")
	}
	if cu.ReadLocked {
		fmt.Fprintln(w, "            the account is read-locked: files cannot be downloaded")
	}
	fmt.Fprintf(w, "credential: %s\n", describeCredential(info))
	if !info.SavedAt.IsZero() {
		fmt.Fprintf(w, "            last renewed %s\n", info.SavedAt.Local().Format("2006-01-02 15:04:05 MST"))
	}
	if endpoint != "" {
		fmt.Fprintf(w, "endpoint:   %s\n", endpoint)
	}
}

// whoamiUsage is "1.5 GiB of 5.0 GiB (30%)", or "… of unlimited" when
// the quota is negative or absent.
func whoamiUsage(used, quota int64) string {
	if quota <= 0 {
		return accountBytes(used) + " of unlimited"
	}
	pct := float64(used) * 100 / float64(quota)
	return fmt.Sprintf("%s of %s (%.0f%%)", accountBytes(used), accountBytes(quota), pct)
}

func joinNonEmpty(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += ", "
		}
		out += p
	}
	return out
}
