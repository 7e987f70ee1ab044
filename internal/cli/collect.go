package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/store"
)

type collectFlags struct {
	org, tokenEnv, tokenFile string
	since, until             string
	filter, q                string
	limit                    int
	follow                   bool
	poll                     time.Duration
}

func (a *app) collectCommand() *cobra.Command {
	var f collectFlags
	cmd := &cobra.Command{
		Use:   "collect --org URL (--token-env VAR | --token-file FILE)",
		Short: "Collect events from an org's live System Log API into the store",
		Long: `collect pulls GET {org}/api/v1/logs into the store, following Okta's Link headers,
honouring its rate limits (X-Rate-Limit-* and 429: it waits until the reset, as Okta's SDK
does) and retrying 5xx and network errors with backoff. After each page it checkpoints the
next link, so an interrupted collect resumes where it stopped with no gap and no duplicate
(events are deduplicated by uuid). --follow keeps polling like tail -f.

It exits 0 only when the collect finished ("done"). Interrupted (Ctrl-C: exit 130,
whether it was paging, waiting on a rate limit or polling) or failed (exit 1), it
saves where it stopped, and running the same command again resumes there. Paging
that makes no progress (a server cycling through the same pages, or sending empty
pages without end) fails with an error naming the cycle, and each request must
complete within a minute (three attempts at most).

The token is read from an environment variable or a file, never from a flag value that
shows in ps, and it is never printed, logged or stored. "SSWS <token>" or a bare value is
an API token; "Bearer <token>" an OAuth 2.0 access token. The org must be https, except
loopback addresses.`,
		Example: `  export OKTA_API_TOKEN=00abc...   # an API token with read access to the System Log
  oktascope collect --org https://acme.okta.com --token-env OKTA_API_TOKEN --since 7d
  oktascope collect --org https://acme.okta.com --token-file ~/.okta-token --filter 'eventType sw "user.session."' --follow`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runCollect(cmd.Context(), &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.org, "org", "", "the org's URL, e.g. https://acme.okta.com")
	fl.StringVar(&f.tokenEnv, "token-env", "", "environment variable holding the token (SSWS or Bearer)")
	fl.StringVar(&f.tokenFile, "token-file", "", "file holding the token (SSWS or Bearer)")
	fl.StringVar(&f.since, "since", "", "from this time on: RFC 3339, a date, or a duration ago (Okta's default: 7 days)")
	fl.StringVar(&f.until, "until", "", "up to this time (omit for a polling request)")
	fl.StringVar(&f.filter, "filter", "", "Okta filter expression, sent to Okta")
	fl.StringVar(&f.q, "q", "", "keyword search, sent to Okta")
	fl.IntVar(&f.limit, "limit", oktaapi.MaxPageSize, "page size, 1 to 1000")
	fl.BoolVar(&f.follow, "follow", false, "keep polling for new events until interrupted")
	fl.DurationVar(&f.poll, "poll-interval", 0, "pause between polls once caught up (default: oktaapi's)")
	return cmd
}

func (a *app) runCollect(ctx context.Context, f *collectFlags) error {
	org, err := oktaapi.ParseOrg(f.org)
	if err != nil {
		return usageError("--org: %v", err)
	}
	token, err := a.readToken(f)
	if err != nil {
		return err
	}
	params, err := f.params(time.Now())
	if err != nil {
		return err
	}
	st, err := store.Open(a.dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	c := &oktaapi.Collector{
		Org: org, Token: token, Sink: st,
		Checkpoint: oktaapi.NewFileCheckpoints(oktaapi.CheckpointPath(st.Path())),
		Progress:   a.collectProgress(),
	}
	final, err := c.Run(ctx, params)
	if a.io.Terminal {
		fmt.Fprint(a.io.Err, "\r\x1b[K")
	}
	fmt.Fprintln(a.io.Err, render.Terminal(final.String()))
	return err
}

// readToken reads the credential from the environment or a file.
func (a *app) readToken(f *collectFlags) (oktaapi.Token, error) {
	switch {
	case f.tokenEnv != "" && f.tokenFile != "":
		return oktaapi.Token{}, usageError("give --token-env or --token-file, not both")
	case f.tokenFile != "":
		return oktaapi.ReadTokenFile(f.tokenFile)
	case f.tokenEnv != "":
		value, ok := a.io.Env(f.tokenEnv)
		if !ok || strings.TrimSpace(value) == "" {
			return oktaapi.Token{}, usageError("--token-env %s: the variable is not set", f.tokenEnv)
		}
		return oktaapi.ParseToken(value), nil
	}
	return oktaapi.Token{}, nil
}

func (f *collectFlags) params(now time.Time) (oktaapi.Params, error) {
	p := oktaapi.Params{Filter: f.filter, Q: f.q, Limit: f.limit, Follow: f.follow, PollInterval: f.poll}
	var err error
	if p.Since, err = parseTimeFlag("since", f.since, now); err != nil {
		return p, err
	}
	if p.Until, err = parseTimeFlag("until", f.until, now); err != nil {
		return p, err
	}
	if f.filter != "" {
		if _, err := filter.Parse(f.filter); err != nil {
			return p, err
		}
	}
	if f.follow && !p.Until.IsZero() {
		return p, usageError("--follow polls for new events: it cannot take --until")
	}
	// The checkpoint key is the command as typed, so that re-running it
	// resumes even though "--since 7d" now means another instant.
	p.Key = strings.Join([]string{f.since, f.until, f.filter, f.q}, "\x00")
	return p, nil
}

// collectProgress reports each page on one rewritten line on a terminal,
// and only waits and the end when piped. A report may quote the server
// (an errorSummary, a bad event): it is escaped.
func (a *app) collectProgress() func(oktaapi.Progress) {
	return func(p oktaapi.Progress) {
		switch {
		case a.io.Terminal:
			fmt.Fprintf(a.io.Err, "\r\x1b[K%s", render.Terminal(p.String()))
		case p.Phase == oktaapi.PhaseWait || p.Phase == oktaapi.PhaseBadEvent:
			fmt.Fprintln(a.io.Err, render.Terminal(p.String()))
		}
	}
}
