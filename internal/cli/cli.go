// Package cli holds oktascope's commands: flags, wiring and output. The
// logic lives in the domain, storage and output packages; a command parses
// its flags, calls them and writes the result.
//
// Every command is wired one way, as in the GitHub CLI. x.go holds:
//
//   - xOptions: what the command runs with, its dependencies (the streams
//     and the backend opener, taken from the factory) and its flags,
//     parsed and validated;
//   - newXCmd(f, runF): the cobra command; it registers the flags (the
//     shared groups of flags.go) and turns them into options before any
//     storage is opened, then calls runF (a test's) or runX;
//   - runX(ctx, opts): the work.
//
// Storage comes from the factory's openBackend (backend.go) and nowhere
// else. docs/cli.md, "Adding a command", walks through it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/render"
)

// Exit statuses (docs/cli.md); a command stopped by a signal exits 128
// plus its number (ExitInterrupted for Ctrl-C).
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	ExitPartial = 3
)

// IO is where a command reads and writes, injected so that tests can
// capture output and pretend to be a terminal or a pipe.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	// Terminal reports whether Out is a terminal (tables, colours, progress).
	Terminal bool
	// Width is the terminal width in columns, 0 when unknown.
	Width int
	// Env looks up environment variables (os.LookupEnv by default).
	Env func(string) (string, bool)
}

// SystemIO is the process's own standard streams.
func SystemIO() IO {
	io := IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Env: os.LookupEnv}
	if fd := int(os.Stdout.Fd()); term.IsTerminal(fd) {
		io.Terminal = true
		io.Width, _, _ = term.GetSize(fd)
	}
	return io
}

// ExitError carries the exit status a command wants.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks bad flags or arguments (exit 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// asUsage marks err, a flag value's error, as a usage error (exit 2).
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: ExitUsage, Err: err}
}

// Main runs oktascope with args (without the program name) and returns the
// process exit status. A command that fails after ctx was cancelled by a
// signal (SignalContext) exits 128 plus the signal's number: 130 for
// Ctrl-C.
//
// What reaches the terminal is escaped: the error line always (it may
// quote a server's errorSummary, an event or a file name), and all of
// standard output when it is a terminal (render.NewJSONTerminalWriter: no
// command's output can carry an escape sequence or an invisible character
// to it raw, whatever its format).
func Main(ctx context.Context, args []string, streams IO) int {
	if streams.Terminal {
		out := render.NewJSONTerminalWriter(streams.Out)
		defer out.Close()
		streams.Out = out
	}
	return execute(ctx, newFactory(streams), args)
}

// execute runs the command args name, built from f, and returns its exit
// status.
func execute(ctx context.Context, f *factory, args []string) int {
	root := newRoot(f)
	root.SetArgs(args)
	root.SetOut(f.io.Out)
	root.SetErr(f.io.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	for _, line := range errorLines(err) {
		fmt.Fprintln(f.io.Err, "oktascope:", render.Terminal(line))
	}
	if code := signalExit(ctx); code != 0 {
		return code
	}
	return exitCode(err)
}

// errorLines splits an error made by errors.Join (under wrappers that
// add no text, such as ExitError) into one line per error, each escaped
// whole by the caller: the newlines errors.Join puts between them are its
// own, while a newline inside one error (a file name, a server's message)
// is content, shown escaped.
func errorLines(err error) []string {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		var lines []string
		for _, inner := range e.Unwrap() {
			lines = append(lines, errorLines(inner)...)
		}
		return lines
	case interface{ Unwrap() error }:
		if inner := e.Unwrap(); inner != nil && inner.Error() == err.Error() {
			return errorLines(inner)
		}
	}
	return []string{err.Error()}
}

func exitCode(err error) int {
	var exit *ExitError
	var syntax *filter.SyntaxError
	switch {
	case errors.As(err, &exit):
		return exit.Code
	case errors.As(err, &syntax):
		return ExitUsage
	case isFlagError(err):
		return ExitUsage
	}
	return ExitFailure
}

// isFlagError recognises cobra's errors for unknown commands and flags.
func isFlagError(err error) bool {
	var flagErr *flagError
	return errors.As(err, &flagErr)
}

type flagError struct{ err error }

func (f *flagError) Error() string { return f.err.Error() }

// newRoot builds the command tree. Every command is made the same way
// (docs/cli.md, "Adding a command"): newXCmd(f, nil) in x.go.
func newRoot(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "oktascope",
		Short: "Answer what a user, an IP address or a session did, from the Okta System Log",
		Long: `oktascope imports Okta System Log exports (or collects from /api/v1/logs) into an
embedded store and answers the incident questions of Okta's own cheat sheet: every
sign-in, MFA, password reset, unlock and logout tied to a user, an IP or a session,
in Okta's own filter language.`,
		Example: `  oktascope demo
  oktascope import export.json.gz
  oktascope search 'eventType eq "user.session.start" and outcome.result eq "FAILURE"'
  oktascope hunt user-signin --user alice@example.com`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			f.resolveDB(cmd)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })
	root.PersistentFlags().StringVar(&f.db, "db", "", "store file (default $OKTASCOPE_DB or ./oktascope.db)")
	root.AddCommand(
		newSearchCmd(f, nil),
		newStatsCmd(f, nil),
		newImportCmd(f, nil),
		newHuntCmd(f, nil),
		newExplainCmd(f, nil),
		newTimelineCmd(f, nil),
		newScopeCmd(f, nil),
		newDetectCmd(f, nil),
		newGenerateCmd(f, nil),
		newCollectCmd(f, nil),
		newServeCmd(f, nil),
		newWatchCmd(f, nil),
		newDemoCmd(f, nil),
	)
	return root
}
