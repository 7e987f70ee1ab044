// Command oktascope answers what a user, an IP address or a session did, from
// the Okta System Log. See README.md and `oktascope --help`.
package main

import (
	"context"
	"os"
	"syscall"

	"github.com/oktascope/oktascope/internal/cli"
)

func main() {
	stopProfile := startProfile()
	ctx, stop := cli.SignalContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.SystemIO())
	stop()
	stopProfile()
	os.Exit(code)
}
