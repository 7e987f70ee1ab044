package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/sigma"
)

// sigmaConvertOptions are what detect sigma-convert runs with.
type sigmaConvertOptions struct {
	io   IO
	rule string // the rule file
}

func newSigmaConvertCmd(f *factory, runF func(context.Context, *sigmaConvertOptions) error) *cobra.Command {
	opts := &sigmaConvertOptions{io: f.io}
	return &cobra.Command{
		Use:   "sigma-convert RULE.yml",
		Short: "Print the Okta System Log filter equivalent to a Sigma rule",
		Long: `sigma-convert prints the Okta System Log filter that selects what a Sigma rule for
Okta selects, to paste into the Okta console or run with oktascope search. A rule that
uses what Okta's filter language cannot express (regular expressions, CIDR ranges, inner
wildcards, aggregations) gets a message saying exactly what, and exit status 1.`,
		Example: `  oktascope detect sigma-convert okta_mfa_reset_or_deactivated.yml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.rule = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSigmaConvert(cmd.Context(), opts)
		},
	}
}

func runSigmaConvert(_ context.Context, opts *sigmaConvertOptions) error {
	rule, err := sigma.LoadFile(opts.rule)
	if err != nil {
		return err
	}
	text, err := sigma.Convert(rule)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.io.Out, text)
	return err
}
