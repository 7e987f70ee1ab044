package render

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/histogram"
)

// histogramBarWidth is the longest bar of a histogram table, in cells.
const histogramBarWidth = 40

// Histogram writes h in format (one of HistogramFormats): a table of the
// buckets (start, count and a bar) with a total line, CSV rows (start,
// end, count), or the histogram as one JSON document. Every value is the
// histogram's own (times and counts): nothing from the events is written.
func Histogram(w io.Writer, h *histogram.Histogram, format Format) error {
	switch format {
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(h)
	case CSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"start", "end", "count"})
		for _, b := range h.Buckets {
			cw.Write([]string{b.Start.UTC().Format(time.RFC3339Nano), b.End.UTC().Format(time.RFC3339Nano), strconv.Itoa(b.Count)})
		}
		cw.Flush()
		return cw.Error()
	case Table:
		return histogramTable(w, h)
	}
	return fmt.Errorf("histogram: format %q: want %s", format, HistogramFormats().list("or"))
}

func histogramTable(w io.Writer, h *histogram.Histogram) error {
	if len(h.Buckets) == 0 {
		_, err := fmt.Fprintln(w, "no events")
		return err
	}
	highest, width := 0, 0
	for _, b := range h.Buckets {
		highest = max(highest, b.Count)
		width = max(width, len(Thousands(b.Count)))
	}
	var out strings.Builder
	for _, b := range h.Buckets {
		bar := 0
		if highest > 0 {
			bar = (b.Count*histogramBarWidth + highest - 1) / highest
		}
		fmt.Fprintf(&out, "%s  %*s  %s\n", b.Start.UTC().Format(time.RFC3339), width, Thousands(b.Count), strings.Repeat("█", bar))
	}
	fmt.Fprintf(&out, "%s events from %s to %s, %d buckets of %s\n", Thousands(h.Total),
		h.From.UTC().Format(time.RFC3339), h.To.UTC().Format(time.RFC3339), len(h.Buckets), h.Step)
	_, err := io.WriteString(w, out.String())
	return err
}
