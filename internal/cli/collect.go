package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/render"
)

// collectOptions are what collect runs with.
type collectOptions struct {
	io          IO
	openBackend backendOpener

	org    *url.URL
	token  oktaapi.Token
	auth   oktaapi.Authorizer // an OAuth 2.0 service app, or nil
	params oktaapi.Params
}

// collectFlags are collect's flags as given.
type collectFlags struct {
	org                  string
	secret               secretFlags
	clientID, privateKey string
	window               windowFlags
	filter, q            string
	limit                int
	follow               bool
	poll                 time.Duration
}

func newCollectCmd(f *factory, runF func(context.Context, *collectOptions) error) *cobra.Command {
	opts := &collectOptions{io: f.io, openBackend: f.openBackend}
	flags := collectFlags{window: windowFlags{openSince: "unset: Okta's default, 7 days ago", openUntil: "unset: a polling request"}}
	cmd := &cobra.Command{
		Use:   "collect --org URL (--token-env VAR | --token-file FILE | --client-id ID --private-key FILE)",
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
loopback addresses.

With --client-id and --private-key (PEM or JWK), collect authenticates as an OAuth 2.0
service app, as Okta recommends: it signs a client assertion with the key, obtains an
access token with the okta.logs.read scope, renews it before it expires, and uses DPoP
when the app requires it. The key file is read, never copied or printed.`,
		Example: `  export OKTA_API_TOKEN=00abc...   # an API token with read access to the System Log
  oktascope collect --org https://acme.okta.com --token-env OKTA_API_TOKEN --since 7d
  oktascope collect --org https://acme.okta.com --token-file ~/.okta-token --filter 'eventType sw "user.session."' --follow
  oktascope collect --org https://acme.okta.com --client-id 0oa1b2c3d4 --private-key ./oktascope-app.pem --follow`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.org, err = oktaapi.ParseOrg(flags.org); err != nil {
				return usageError("--org: %v", err)
			}
			if opts.token, err = flags.readToken(f.io.Env); err != nil {
				return err
			}
			if opts.auth, err = flags.oauth(opts.org, opts.token); err != nil {
				return err
			}
			if opts.params, err = flags.params(f.now()); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runCollect(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&flags.org, "org", "", "the org's URL, e.g. https://acme.okta.com")
	flags.secret.register(fl, "environment variable holding the token (SSWS or Bearer)", "file holding the token (SSWS or Bearer)")
	fl.StringVar(&flags.clientID, "client-id", "", "OAuth 2.0 service app's client id (with --private-key)")
	fl.StringVar(&flags.privateKey, "private-key", "", "file holding the service app's private key, PEM or JWK (with --client-id)")
	flags.window.register(fl)
	fl.StringVar(&flags.filter, "filter", "", "Okta filter expression, sent to Okta")
	fl.StringVar(&flags.q, "q", "", "keyword search, sent to Okta")
	fl.IntVar(&flags.limit, "limit", oktaapi.MaxPageSize, "page size, 1 to 1000")
	fl.BoolVar(&flags.follow, "follow", false, "keep polling for new events until interrupted")
	fl.DurationVar(&flags.poll, "poll-interval", 0, "pause between polls once caught up (default: oktaapi's)")
	return cmd
}

func runCollect(ctx context.Context, opts *collectOptions) error {
	return opts.openBackend.with(ctx, createIfMissing, func(st backend.Backend) error {
		c := &oktaapi.Collector{
			Org: opts.org, Token: opts.token, Auth: opts.auth, Sink: st, Checkpoint: st,
			Progress: collectProgress(opts.io),
		}
		final, err := c.Run(ctx, opts.params)
		if opts.io.Terminal {
			fmt.Fprint(opts.io.Err, "\r\x1b[K")
		}
		fmt.Fprintln(opts.io.Err, render.Terminal(final.String()))
		return err
	})
}

// readToken reads the credential from the environment or a file.
func (f *collectFlags) readToken(env func(string) (string, bool)) (oktaapi.Token, error) {
	secret, err := f.secret.read(env)
	if err != nil || secret == "" {
		return oktaapi.Token{}, err
	}
	return oktaapi.ParseToken(secret), nil
}

// oauth returns the OAuth 2.0 client of --client-id and --private-key, or
// nil (a plain nil interface) without them.
func (f *collectFlags) oauth(org *url.URL, token oktaapi.Token) (oktaapi.Authorizer, error) {
	switch {
	case f.clientID == "" && f.privateKey == "":
		return nil, nil
	case f.clientID == "" || f.privateKey == "":
		return nil, usageError("--client-id and --private-key go together")
	case !token.IsZero():
		return nil, usageError("give a token or --client-id and --private-key, not both")
	}
	key, err := oktaapi.ReadPrivateKey(f.privateKey)
	if err != nil {
		return nil, usageError("--private-key: %v", err)
	}
	return &oktaapi.OAuth{Org: org, ClientID: f.clientID, Key: key}, nil
}

func (f *collectFlags) params(now time.Time) (oktaapi.Params, error) {
	p := oktaapi.Params{Filter: f.filter, Q: f.q, Limit: f.limit, Follow: f.follow, PollInterval: f.poll}
	var err error
	if p.Since, p.Until, err = f.window.parse(now); err != nil {
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
	p.Key = strings.Join([]string{f.window.since, f.window.until, f.filter, f.q}, "\x00")
	return p, nil
}

// collectProgress reports each page on one rewritten line on a terminal,
// and only waits and the end when piped. A report may quote the server
// (an errorSummary, a bad event): it is escaped.
func collectProgress(streams IO) func(oktaapi.Progress) {
	return func(p oktaapi.Progress) {
		switch {
		case streams.Terminal:
			fmt.Fprintf(streams.Err, "\r\x1b[K%s", render.Terminal(p.String()))
		case p.Phase == oktaapi.PhaseWait || p.Phase == oktaapi.PhaseBadEvent:
			fmt.Fprintln(streams.Err, render.Terminal(p.String()))
		}
	}
}
