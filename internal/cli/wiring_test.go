package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/timeline"
)

// testNow is the clock of the tests below.
var testNow = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// testFactory returns a factory whose streams are buffers, whose clock is
// testNow and whose environment is empty; its opener is the real one, on
// the store --db names. opened counts the backends opened.
func testFactory(terminal bool) (f *factory, out, errOut *bytes.Buffer, opened *int) {
	out, errOut, opened = &bytes.Buffer{}, &bytes.Buffer{}, new(int)
	f = newFactory(IO{In: strings.NewReader(""), Out: out, Err: errOut, Terminal: terminal, Width: 160,
		Env: func(string) (string, bool) { return "", false }})
	f.now = func() time.Time { return testNow }
	real := f.openBackend
	f.openBackend = func(ctx context.Context, mode openMode) (backend.Backend, error) {
		*opened++
		return real(ctx, mode)
	}
	return f, out, errOut, opened
}

// Bad flags are usage errors (exit 2) found before any storage is opened:
// the backend opener is never called and no store file appears, for the
// commands that create one (collect, demo) as for those that read one
// (which would otherwise exit 1, "no store").
func TestFlagErrorsOpenNoStorage(t *testing.T) {
	cases := []struct {
		args []string
		want string // in the error
	}{
		{[]string{"search", "--since", "last tuesday"}, "--since"},
		{[]string{"search", "--format", "yaml"}, `--format "yaml"`},
		{[]string{"search", "--order", "sideways"}, "--order"},
		{[]string{"search", "--fields", ","}, "--fields"},
		{[]string{"hunt", "user-signin", "--user", "a@x", "--until", "soon"}, "--until"},
		{[]string{"hunt", "user-signin", "--ip", "192.0.2.1"}, "hunt user-signin takes --user, not --ip"},
		{[]string{"hunt", "ip-signin", "--ip", "192.0.2.1", "--format", "yaml"}, "--format"},
		{[]string{"timeline", "--user", "a@x", "--ip", "192.0.2.1"}, "exactly one of --user, --ip or --session"},
		{[]string{"timeline", "--user", "a@x", "--since", "tomorrowish"}, "--since"},
		{[]string{"timeline", "--user", "a@x", "--format", "pdf"}, "--format"},
		{[]string{"timeline", "--user", "a@x", "--fatigue-count", "1"}, "fatigue count"},
		{[]string{"scope", "--session", "s1", "--user", "a@x"}, "exactly one of"},
		{[]string{"scope", "--ip", "192.0.2.1", "--format", "pdf"}, "--format"},
		{[]string{"detect", "--since", "the dawn of time"}, "--since"},
		{[]string{"detect", "--format", "xml"}, "--format"},
		{[]string{"detect", "--join-window", "-1m"}, "join window"},
		{[]string{"collect", "--org", "https://acme.okta.com", "--since", "ages ago"}, "--since"},
		{[]string{"collect", "--org", "https://acme.okta.com", "--follow", "--until", "1d"}, "--follow"},
		{[]string{"serve", "--tls-cert", "cert.pem"}, "go together"},
		{[]string{"serve", "--faults", "teapot=1"}, "--faults"},
		{[]string{"demo", "--serve", "--addr", "no port"}, "--addr"},
		{[]string{"collect", "--org", "https://acme.okta.com", "--client-id", "0oa1"}, "go together"},
		{[]string{"serve", "--oauth-dpop"}, "needs --oauth-client"},
		{[]string{"serve", "--event-hook-secret-env", "UNSET_VARIABLE"}, "secret is empty"},
		{[]string{"watch", "--since", "whenever"}, "--since"},
		{[]string{"watch", "--webhook", "http://alerts.example.com/in"}, "use https"},
		{[]string{"watch", "--webhook", "https://alerts.example.com/in", "--webhook-format", "xml"}, "webhook format"},
		{[]string{"watch", "--fatigue-count", "1"}, "fatigue count"},
		{[]string{"stats", "--buckets", "0"}, "--buckets"},
		{[]string{"stats", "--since", "a while"}, "--since"},
		{[]string{"stats", "--format", "ndjson"}, "--format"},
	}
	if len(cases) != 31 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		db := filepath.Join(t.TempDir(), "none.db")
		f, _, errOut, opened := testFactory(false)
		code := execute(context.Background(), f, append([]string{"--db", db}, c.args...))
		if code != ExitUsage || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), code, errOut, ExitUsage, c.want)
		}
		if *opened != 0 {
			t.Errorf("%s: opened the backend %d times before failing", strings.Join(c.args, " "), *opened)
		}
		if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: a store file at %s: %v", strings.Join(c.args, " "), db, err)
		}
	}
}

// parseArgs builds a command on f with a run function that only keeps
// the options, runs it on args, and returns what the command would have
// run with: its flags parsed and validated, without storage.
func parseArgs[O any](t *testing.T, f *factory, newCmd func(*factory, func(context.Context, *O) error) *cobra.Command, args ...string) *O {
	t.Helper()
	var got *O
	cmd := newCmd(f, func(_ context.Context, opts *O) error {
		got = opts
		return nil
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if got == nil {
		t.Fatalf("%v: the run function was not called", args)
	}
	return got
}

// The time window is read against the factory's clock, in every command
// that takes it.
func TestWindowIsReadAgainstTheClock(t *testing.T) {
	f, _, _, _ := testFactory(false)
	since, until := testNow.Add(-7*24*time.Hour), time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC)
	window := []string{"--since", "7d", "--until", "2025-03-09"}

	tl := parseArgs(t, f, newTimelineCmd, append([]string{"--user", "alice@acme.example"}, window...)...)
	want := reportSubject{indicator.Indicator{Kind: indicator.User, Value: "alice@acme.example"}, since, until}
	if tl.subject != want {
		t.Errorf("timeline: %+v, want %+v", tl.subject, want)
	}
	sc := parseArgs(t, f, newScopeCmd, append([]string{"--ip", "192.0.2.1"}, window...)...)
	if sc.subject.since != since || sc.subject.until != until || sc.subject.indicator.Kind != indicator.IP {
		t.Errorf("scope: %+v", sc.subject)
	}
	de := parseArgs(t, f, newDetectCmd, window...)
	if de.since != since || de.until != until {
		t.Errorf("detect: %v to %v", de.since, de.until)
	}
	hu := parseArgs(t, f, newHuntCmd, append([]string{"ip-signin", "--ip", "192.0.2.1"}, window...)...)
	if q := hu.listing.query; q.Since != since || q.Until != until {
		t.Errorf("hunt: %v to %v", q.Since, q.Until)
	}
	co := parseArgs(t, f, newCollectCmd, append([]string{"--org", "https://acme.okta.com"}, window...)...)
	if p := co.params; p.Since != since || p.Until != until || !strings.HasPrefix(p.Key, "7d\x002025-03-09\x00") {
		t.Errorf("collect: %v to %v, key %q", p.Since, p.Until, p.Key)
	}
}

func TestListingFlags(t *testing.T) {
	f, _, _, _ := testFactory(false)
	opts := parseArgs(t, f, newSearchCmd, `eventType eq "user.session.start"`, "--since", "90m", "--limit", "5",
		"--order", "DESC", "--q", "reset password", "--fields", "time,uuid", "--format", "CSV")
	q := opts.listing.query
	if opts.filter == nil || q.Since != testNow.Add(-90*time.Minute) || !q.Until.IsZero() || q.Limit != 5 || !q.Desc || q.Keywords == nil {
		t.Errorf("query %+v, filter %v", q, opts.filter)
	}
	if opts.listing.format != render.CSV || len(opts.listing.columns) != 2 {
		t.Errorf("format %q, %d columns", opts.listing.format, len(opts.listing.columns))
	}
	// The hunt's Admin Console link spans the window, or the 7 days up to
	// now where it is open.
	hu := parseArgs(t, f, newHuntCmd, "ip-signin", "--ip", "192.0.2.1", "--org", "https://acme.okta.com")
	if hu.playbook.Name != "ip-signin" || hu.value != "192.0.2.1" || hu.consoleTo != testNow || hu.consoleFrom != testNow.Add(-7*24*time.Hour) {
		t.Errorf("hunt: %s %q, console %v to %v", hu.playbook.Name, hu.value, hu.consoleFrom, hu.consoleTo)
	}
}

// With no --format, a command writes its first format to a terminal and
// its second to a pipe (render.Formats.Choose); a value is read in any
// case.
func TestFormatDefault(t *testing.T) {
	cases := []struct {
		terminal bool
		args     []string
		want     render.Format
	}{
		{true, nil, render.Text},
		{false, nil, render.JSON},
		{false, []string{"--format", "HTML"}, render.HTML},
	}
	for _, c := range cases {
		f, _, _, _ := testFactory(c.terminal)
		tl := parseArgs(t, f, newTimelineCmd, append([]string{"--session", "s1"}, c.args...)...)
		if tl.format != c.want {
			t.Errorf("timeline %v, terminal %v: %q, want %q", c.args, c.terminal, tl.format, c.want)
		}
	}
	for terminal, want := range map[bool]render.Format{true: render.Table, false: render.JSON} {
		f, _, _, _ := testFactory(terminal)
		if got := parseArgs(t, f, newDetectCmd).format; got != want {
			t.Errorf("detect, terminal %v: %q, want %q", terminal, got, want)
		}
		if got := parseArgs(t, f, newSearchCmd).listing.format; got != render.EventFormats()[map[bool]int{true: 0, false: 1}[terminal]] {
			t.Errorf("search, terminal %v: %q", terminal, got)
		}
	}
}

// The timeline's thresholds reach every command that builds flows, detect
// included (--join-window too), with the timeline's defaults.
func TestThresholdFlags(t *testing.T) {
	f, _, _, _ := testFactory(false)
	de := parseArgs(t, f, newDetectCmd, "--join-window", "5m", "--fatigue-count", "4", "--spray-users", "9")
	wantDetect := detect.DefaultThresholds()
	wantDetect.Timeline.JoinWindow, wantDetect.Timeline.FatigueCount, wantDetect.SprayUsers = 5*time.Minute, 4, 9
	if de.detection.thresholds != wantDetect {
		t.Errorf("detect: %+v, want %+v", de.detection.thresholds, wantDetect)
	}
	wa := parseArgs(t, f, newWatchCmd, "--join-window", "5m", "--fatigue-count", "4", "--spray-users", "9")
	if wa.detection.thresholds != wantDetect {
		t.Errorf("watch: %+v, want %+v", wa.detection.thresholds, wantDetect)
	}
	tl := parseArgs(t, f, newTimelineCmd, "--ip", "192.0.2.1", "--travel-speed", "900", "--recovery-window", "2h")
	wantTimeline := timeline.DefaultOptions()
	wantTimeline.TravelSpeed, wantTimeline.RecoveryWindow = 900, 2*time.Hour
	if tl.thresholds != wantTimeline {
		t.Errorf("timeline: %+v, want %+v", tl.thresholds, wantTimeline)
	}
	sc := parseArgs(t, f, newScopeCmd, "--ip", "192.0.2.1", "--depth", "2", "--max-shared", "0", "--fatigue-window", "3m")
	wantScope := scope.Options{Depth: 2, MaxShared: -1, MaxEvents: scope.DefaultMaxEvents, Timeline: timeline.DefaultOptions()}
	wantScope.Timeline.FatigueWindow = 3 * time.Minute
	if sc.scope != wantScope {
		t.Errorf("scope: %+v, want %+v", sc.scope, wantScope)
	}
	sc = parseArgs(t, f, newScopeCmd, "--ip", "192.0.2.1", "--max-events", "0")
	if sc.scope.MaxEvents != -1 {
		t.Errorf("scope --max-events 0: MaxEvents %d, want -1 (no limit)", sc.scope.MaxEvents)
	}
}

// A shared flag is registered by its group, so it means the same in every
// command that takes it: same help (a command may add a note after "; "),
// same type and default. A command that registered one of these flags by
// hand, or left one out of a group, fails here.
func TestSharedFlagsMeanTheSameEverywhere(t *testing.T) {
	f, _, _, _ := testFactory(false)
	commands := map[string]*cobra.Command{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		commands[c.CommandPath()] = c
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(f))
	groups := []struct {
		flags    []string
		commands []string
	}{
		{[]string{"since", "until"}, []string{"search", "hunt", "timeline", "scope", "detect", "collect"}},
		{[]string{"user", "ip", "session"}, []string{"hunt", "timeline", "scope"}},
		{[]string{"fatigue-count", "fatigue-window", "recovery-window", "join-window", "travel-speed"}, []string{"timeline", "scope", "detect"}},
		{[]string{"format"}, []string{"search", "hunt", "timeline", "scope", "detect"}},
		{[]string{"limit", "order", "fields", "q"}, []string{"search", "hunt"}},
	}
	checked := 0
	for _, g := range groups {
		for _, name := range g.flags {
			var first *pflag.Flag
			for _, c := range g.commands {
				cmd := commands["oktascope "+c]
				fl := cmd.Flags().Lookup(name)
				if fl == nil {
					t.Errorf("%s has no --%s", c, name)
					continue
				}
				checked++
				if name == "format" { // its help lists the command's own formats
					if !strings.Contains(fl.Usage, "(default on a terminal)") || fl.DefValue != "" {
						t.Errorf("%s --format: %q", c, fl.Usage)
					}
					continue
				}
				if first == nil {
					first = fl
					continue
				}
				help, _, _ := strings.Cut(fl.Usage, "; ")
				if help != first.Usage || fl.DefValue != first.DefValue || fl.Value.Type() != first.Value.Type() {
					t.Errorf("%s --%s: %q (default %q) differs from %q (default %q)", c, name, fl.Usage, fl.DefValue, first.Usage, first.DefValue)
				}
			}
		}
	}
	if checked != 6*2+3*3+3*5+5+2*4 {
		t.Errorf("%d flags checked", checked)
	}
}

// The store location's precedence: --db, $OKTASCOPE_DB, the command's
// default (demo's own).
func TestResolveDB(t *testing.T) {
	demo, search := &cobra.Command{Annotations: map[string]string{defaultDBAnnotation: demoDB}}, &cobra.Command{}
	cases := []struct {
		flag, env string
		cmd       *cobra.Command
		want      string
	}{
		{"", "", search, defaultDB},
		{"", "", demo, demoDB},
		{"", "case.db", demo, "case.db"},
		{"mine.db", "case.db", search, "mine.db"},
	}
	for _, c := range cases {
		f := newFactory(IO{Env: func(k string) (string, bool) { return c.env, k == "OKTASCOPE_DB" && c.env != "" }})
		f.db = c.flag
		f.resolveDB(c.cmd)
		if f.db != c.want {
			t.Errorf("--db %q, $OKTASCOPE_DB %q: %q, want %q", c.flag, c.env, f.db, c.want)
		}
	}
}

// recordingBackend is a backend without a database: Search returns its
// events and records the queries; any other read panics (nil embedded
// interface).
type recordingBackend struct {
	backend.Backend
	events  []*logevent.Event
	queries []backend.Query
	closed  int
}

func (b *recordingBackend) Search(_ context.Context, q backend.Query, fn func(*logevent.Event, backend.Cursor) error) error {
	b.queries = append(b.queries, q)
	for _, e := range b.events {
		if err := fn(e, ""); err != nil {
			return err
		}
	}
	return nil
}

func (b *recordingBackend) Close() error {
	b.closed++
	return nil
}

// A command gets its storage from the factory and nothing else: search
// runs end to end on a backend that is no database.
func TestSearchRunsOnTheFactorysBackend(t *testing.T) {
	var events []*logevent.Event
	for _, line := range []string{
		`{"uuid":"e1","published":"2025-03-10T09:00:00.000Z","eventType":"user.session.start"}`,
		`{"uuid":"e2","published":"2025-03-10T10:00:00.000Z","eventType":"user.session.start"}`,
	} {
		e, err := logevent.Decode([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	fake := &recordingBackend{events: events}
	f, out, errOut, _ := testFactory(false)
	var modes []openMode
	f.openBackend = func(_ context.Context, mode openMode) (backend.Backend, error) {
		modes = append(modes, mode)
		return fake, nil
	}
	code := execute(context.Background(), f, []string{"search", `eventType eq "user.session.start"`, "--since", "24h", "--limit", "2"})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := string(events[0].Raw) + "\n" + string(events[1].Raw) + "\n"; out.String() != want {
		t.Errorf("output %q, want the events' NDJSON %q", out, want)
	}
	if len(modes) != 1 || modes[0] != mustExist || fake.closed != 1 || len(fake.queries) != 1 {
		t.Fatalf("opened %v, closed %d times, %d queries", modes, fake.closed, len(fake.queries))
	}
	if q := fake.queries[0]; q.Filter == nil || q.Filter.String() != `eventType eq "user.session.start"` || q.Since != testNow.Add(-24*time.Hour) || q.Limit != 2 {
		t.Errorf("query %+v", q)
	}
}

// with closes the backend whatever fn returns; fn's error comes first,
// else the error of closing.
func TestBackendOpenerWith(t *testing.T) {
	errRun, errClose := errors.New("run"), errors.New("close")
	for _, c := range []struct {
		run, close, want error
	}{
		{nil, nil, nil},
		{errRun, nil, errRun},
		{nil, errClose, errClose},
		{errRun, errClose, errRun},
	} {
		fake := &closingBackend{err: c.close}
		open := backendOpener(func(context.Context, openMode) (backend.Backend, error) { return fake, nil })
		err := open.with(context.Background(), mustExist, func(backend.Backend) error { return c.run })
		if err != c.want || fake.closed != 1 {
			t.Errorf("run %v, close %v: %v (closed %d times), want %v", c.run, c.close, err, fake.closed, c.want)
		}
	}
}

// closingBackend is a backend whose Close fails with err.
type closingBackend struct {
	backend.Backend
	err    error
	closed int
}

func (b *closingBackend) Close() error {
	b.closed++
	return b.err
}
