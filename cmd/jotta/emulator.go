package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newEmulatorCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "emulator",
		Short: "Serve a local JottaCloud emulator",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("not built yet")
		},
	}
}
