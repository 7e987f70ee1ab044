package ingest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/render"
)

// Exit statuses of `oktascope import` (docs/cli.md).
const (
	ExitOK      = 0
	ExitFailure = 1 // something stopped part of the import: a file broke off, could not be read, a sink error
	ExitPartial = 3 // everything was read, but some records were rejected or conflicting
)

// Summary counts what an import did.
type Summary struct {
	Files       int           // input files read
	Skipped     []string      // files met in a directory that are no System Log export, left alone
	Read        int           // records read (imported + duplicates + conflicts + rejected)
	Imported    int           // events stored
	Duplicates  int           // events whose uuid was already stored, or came earlier in the import, with the same content
	Conflicts   int           // events whose uuid was already stored, or came earlier, with other content (not stored)
	Rejected    int           // records written to the rejects file
	Bytes       int64         // bytes read from the input files (compressed size for gzip)
	Elapsed     time.Duration // wall time of the import
	RejectsPath string        // where the rejects went ("" when they were only counted)
	// RejectsUnwritten counts the rejected records not written to the
	// rejects file, which had reached its cap (Options.MaxRejectsSize).
	RejectsUnwritten int
}

// String is the summary line, e.g. "read 1,234 events from 3 files: 1,200
// imported, 28 duplicates, 2 conflicting, 4 rejected (see rejects.ndjson) in
// 1.2s, 98,000 events/s" (conflicting only when there are some).
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "read %s from %s: %s imported, %s", plural(s.Read, "event"), plural(s.Files, "file"),
		commas(int64(s.Imported)), plural(s.Duplicates, "duplicate"))
	if s.Conflicts > 0 {
		fmt.Fprintf(&b, ", %s conflicting", commas(int64(s.Conflicts)))
	}
	fmt.Fprintf(&b, ", %s rejected", commas(int64(s.Rejected)))
	if (s.Rejected > 0 || s.Conflicts > 0) && s.RejectsPath != "" {
		fmt.Fprintf(&b, " (see %s", render.Terminal(s.RejectsPath))
		if s.RejectsUnwritten > 0 {
			fmt.Fprintf(&b, "; %s not written, past its cap", commas(int64(s.RejectsUnwritten)))
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " in %s", roundDuration(s.Elapsed))
	if s.Elapsed > 0 {
		fmt.Fprintf(&b, ", %s events/s", commas(int64(perSecond(s.Read, s.Elapsed))))
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintf(&b, "; skipped %s that %s not a System Log export", plural(len(s.Skipped), "file"), isAre(len(s.Skipped)))
	}
	return b.String()
}

// ExitCode maps the outcome of Import to the CLI's exit status: 1 when
// err is not nil, 3 when records were rejected or conflicting (not
// stored), else 0.
func (s Summary) ExitCode(err error) int {
	switch {
	case err != nil:
		return ExitFailure
	case s.Rejected > 0 || s.Conflicts > 0:
		return ExitPartial
	}
	return ExitOK
}

// commas formats n with thousands separators: 1234567 → "1,234,567".
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return commas(int64(n)) + " " + noun + "s"
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// roundDuration prints tenths of a second below a minute, seconds above.
func roundDuration(d time.Duration) string {
	if d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return d.Round(time.Second).String()
}
