package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/timeline"
	"github.com/oktascope/oktascope/internal/timewindow"
)

// The flag groups that mean the same in every command (docs/cli.md,
// "Shared flags"). Each is registered here, once, and parsed here into
// what a command's options hold; a command never registers these flags
// itself. A group with raw values to read is a type (register, then a
// method that reads them: parse, choose, one); one whose flags pflag parses
// into their final values is a function.

// The help of --since and --until.
const (
	sinceHelp = "from this time on: RFC 3339, a date, or a duration ago (90m, 24h, 7d)"
	untilHelp = "before this time: RFC 3339, a date, or a duration ago"
)

// windowFlags are the time window, --since and --until: published from
// since (inclusive) to until (exclusive), either side open when empty.
type windowFlags struct {
	since, until string
	// openSince and openUntil, when set, say in the help what the command
	// does with that side left open (collect: Okta's defaults).
	openSince, openUntil string
}

func (w *windowFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&w.since, "since", "", withNote(sinceHelp, w.openSince))
	fl.StringVar(&w.until, "until", "", withNote(untilHelp, w.openUntil))
}

func withNote(help, note string) string {
	if note == "" {
		return help
	}
	return help + "; " + note
}

// parse reads the window against now (timewindow.Parse); the zero time
// for a side left open.
func (w *windowFlags) parse(now time.Time) (since, until time.Time, err error) {
	if since, err = parseTimeFlag("since", w.since, now); err != nil {
		return
	}
	until, err = parseTimeFlag("until", w.until, now)
	return
}

// parseTimeFlag reads a --since or --until value (see timewindow.Parse).
func parseTimeFlag(flag, value string, now time.Time) (time.Time, error) {
	t, err := timewindow.Parse(value, now)
	if err != nil {
		return time.Time{}, usageError("--%s %v", flag, err)
	}
	return t, nil
}

// formatFlag is --format: one of the formats of what the command writes,
// the default chosen by the one rule of render.Formats.Choose (the first
// on a terminal, the second when piped).
type formatFlag struct {
	formats render.Formats
	value   string
}

func (f *formatFlag) register(fl *pflag.FlagSet, formats render.Formats) {
	f.formats = formats
	fl.StringVar(&f.value, "format", "", formats.Help())
}

// choose returns the format asked for, or the default for the output.
func (f *formatFlag) choose(terminal bool) (render.Format, error) {
	format, err := f.formats.Choose(f.value, terminal)
	return format, asUsage(err)
}

// indicatorFlags name one user, IP address or session: --user, --ip,
// --session.
type indicatorFlags struct {
	user, ip, session string
}

func (f *indicatorFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.user, "user", "", "Okta user id (00u…) or login")
	fl.StringVar(&f.ip, "ip", "", "client IP address")
	fl.StringVar(&f.session, "session", "", "external session id (authenticationContext.externalSessionId)")
}

// given returns the indicators given, in the order user, IP, session.
func (f *indicatorFlags) given() []indicator.Indicator {
	var given []indicator.Indicator
	for _, ind := range []indicator.Indicator{{Kind: indicator.User, Value: f.user}, {Kind: indicator.IP, Value: f.ip}, {Kind: indicator.Session, Value: f.session}} {
		if ind.Value != "" {
			given = append(given, ind)
		}
	}
	return given
}

// one returns the one indicator given.
func (f *indicatorFlags) one() (indicator.Indicator, error) {
	given := f.given()
	if len(given) != 1 {
		return indicator.Indicator{}, usageError("give exactly one of --user, --ip or --session")
	}
	return given[0], nil
}

// subjectFlags name what a report is about (timeline, scope): one
// indicator over a time window.
type subjectFlags struct {
	indicator indicatorFlags
	window    windowFlags
}

func (f *subjectFlags) register(fl *pflag.FlagSet) {
	f.indicator.register(fl)
	f.window.register(fl)
}

// reportSubject is what a report is about: the events of one indicator
// published in [since, until).
type reportSubject struct {
	indicator    indicator.Indicator // a user's login is resolved when run
	since, until time.Time
}

// parse reads the indicator, and the window against now.
func (f *subjectFlags) parse(now time.Time) (reportSubject, error) {
	var s reportSubject
	var err error
	if s.indicator, err = f.indicator.one(); err != nil {
		return s, err
	}
	s.since, s.until, err = f.window.parse(now)
	return s, err
}

// resolve resolves a user indicator's login to the user's id
// (indicator.Resolve), listing the candidates when a login names several.
func resolve(ctx context.Context, r indicator.Resolver, ind indicator.Indicator) (indicator.Indicator, error) {
	resolved, err := indicator.Resolve(ctx, r, ind)
	var userErr *indicator.UserError
	if !errors.As(err, &userErr) || len(userErr.Candidates) == 0 {
		return resolved, err
	}
	var b strings.Builder
	for _, r := range userErr.Candidates {
		fmt.Fprintf(&b, "\n  %s  (%d events as actor, %d as target)", render.Terminal(r.ID), r.ActorEvents, r.TargetEvents)
	}
	return resolved, fmt.Errorf("%w:%s", err, b.String())
}

// registerThresholds registers the timeline's deviation thresholds
// (docs/timeline.md), which every command that builds flows takes, into
// opts; their defaults are opts' values. Validate them with the options
// they belong to (timeline.Options.Validate, detect.Thresholds.Validate),
// as a usage error.
func registerThresholds(fl *pflag.FlagSet, opts *timeline.Options) {
	fl.IntVar(&opts.FatigueCount, "fatigue-count", opts.FatigueCount, "MFA challenges to one user that make fatigue")
	fl.DurationVar(&opts.FatigueWindow, "fatigue-window", opts.FatigueWindow, "window of the fatigue count")
	fl.DurationVar(&opts.RecoveryWindow, "recovery-window", opts.RecoveryWindow, "how long after a reset or unlock a new network is a takeover")
	fl.DurationVar(&opts.JoinWindow, "join-window", opts.JoinWindow, "how far apart events without a session may join one flow")
	fl.Float64Var(&opts.TravelSpeed, "travel-speed", opts.TravelSpeed, "km/h above which two sign-ins of a user are impossible travel")
}

// detectionFlags choose the detections (detect, watch): the built-ins with
// their thresholds (docs/detect.md), and --rules files.
type detectionFlags struct {
	rules      []string // directories or files of rules
	noBuiltin  bool
	thresholds detect.Thresholds
}

func (f *detectionFlags) register(fl *pflag.FlagSet) {
	f.thresholds = detect.DefaultThresholds()
	fl.StringArrayVar(&f.rules, "rules", nil, "a directory or file of Sigma or okta/customer-detections rules (repeatable)")
	fl.BoolVar(&f.noBuiltin, "no-builtin", false, "run only the rules given with --rules")
	th := &f.thresholds
	fl.IntVar(&th.SprayUsers, "spray-users", th.SprayUsers, "password spraying: distinct users failing from one IP")
	fl.IntVar(&th.SprayIPs, "spray-ips", th.SprayIPs, "distributed brute force: distinct IPs failing for one user")
	fl.DurationVar(&th.SprayWindow, "spray-window", th.SprayWindow, "window of the spraying counts")
	fl.IntVar(&th.BruteFailures, "brute-failures", th.BruteFailures, "brute force: failures for one user")
	fl.DurationVar(&th.BruteWindow, "brute-window", th.BruteWindow, "window of the brute-force count")
	registerThresholds(fl, &th.Timeline)
}

// validate checks the thresholds, as a usage error.
func (f *detectionFlags) validate() error { return asUsage(f.thresholds.Validate()) }

// options loads the rules (reporting on w the files that fail) into the
// engine's options.
func (f *detectionFlags) options(w io.Writer) (detect.Options, error) {
	opts := detect.Options{Builtin: !f.noBuiltin, Thresholds: f.thresholds}
	return opts, loadRules(w, f.rules, &opts)
}

// maxSecretFile bounds what --token-file reads: a token is a line.
const maxSecretFile = 64 << 10

// secretFlags are --token-env and --token-file: where a command reads a
// secret (collect its Okta credential, serve the token every request must
// carry), never from a flag value that shows in ps. One or the other, not
// both; a variable that is unset or blank, or a file that is empty, is an
// error, not "no secret": a secret asked for and not found must not leave a
// server open. Errors never quote the secret.
type secretFlags struct{ env, file string }

func (s *secretFlags) register(fl *pflag.FlagSet, envHelp, fileHelp string) {
	fl.StringVar(&s.env, "token-env", "", envHelp)
	fl.StringVar(&s.file, "token-file", "", fileHelp)
}

// read returns the secret, trimmed of surrounding space, or "" when
// neither flag is given.
func (s secretFlags) read(env func(string) (string, bool)) (string, error) {
	switch {
	case s.env != "" && s.file != "":
		return "", usageError("give --token-env or --token-file, not both")
	case s.file != "":
		f, err := os.Open(s.file)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
		switch {
		case err != nil:
			return "", fmt.Errorf("--token-file %s: %w", s.file, err)
		case len(b) > maxSecretFile:
			return "", fmt.Errorf("--token-file %s: larger than %d KiB, not a token", s.file, maxSecretFile>>10)
		}
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			return "", fmt.Errorf("--token-file %s: the file is empty", s.file)
		}
		return secret, nil
	case s.env != "":
		secret, ok := env(s.env)
		if secret = strings.TrimSpace(secret); !ok || secret == "" {
			return "", usageError("--token-env %s: the variable is not set", s.env)
		}
		return secret, nil
	}
	return "", nil
}
