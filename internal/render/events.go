package render

import (
	"bufio"
	"io"

	"github.com/oktascope/oktascope/internal/logevent"
)

// EventWriter writes a stream of events in one format. Call Close after the
// last event to finish the output (the closing bracket of a JSON array, the
// flush of a table).
type EventWriter interface {
	Write(e *logevent.Event) error
	Close() error
}

// NewEventWriter returns a writer of events in format f, one of
// EventFormats (Table for any other).
func NewEventWriter(w io.Writer, f Format, opts Options) EventWriter {
	cols := opts.Columns
	if cols == nil {
		cols = DefaultColumns()
	}
	if opts.Annotate != nil {
		cols = append(append([]Column(nil), cols...), *opts.Annotate)
	}
	switch f {
	case JSON, NDJSON:
		var out io.Writer = w
		var closer io.Closer
		if opts.Terminal {
			tw := NewJSONTerminalWriter(w)
			out, closer = tw, tw
		} else {
			// For a program, buffered: two write calls an event cost
			// more than reading and decoding it (docs/performance.md).
			bw := bufio.NewWriterSize(w, outputBuffer)
			out, closer = bw, flusher{bw}
		}
		if f == JSON {
			return &jsonWriter{w: out, closer: closer}
		}
		return &ndjsonWriter{w: out, closer: closer}
	case CSV:
		return newCSVWriter(w, cols, opts.Terminal)
	}
	return newTableWriter(w, cols, opts.Width)
}

// outputBuffer is the buffer of events written for a program.
const outputBuffer = 64 << 10

// flusher closes a buffered writer by flushing it.
type flusher struct{ w *bufio.Writer }

func (f flusher) Close() error { return f.w.Flush() }

type ndjsonWriter struct {
	w      io.Writer
	closer io.Closer // the terminal escaper, if any
}

func (n *ndjsonWriter) Write(e *logevent.Event) error {
	if _, err := n.w.Write(e.Raw); err != nil {
		return err
	}
	_, err := io.WriteString(n.w, "\n")
	return err
}

func (n *ndjsonWriter) Close() error { return closeIf(n.closer) }

func closeIf(c io.Closer) error {
	if c == nil {
		return nil
	}
	return c.Close()
}

// jsonWriter writes one JSON array of the original events, streaming.
type jsonWriter struct {
	w      io.Writer
	closer io.Closer // the terminal escaper, if any
	count  int
}

func (j *jsonWriter) Write(e *logevent.Event) error {
	sep := ",\n"
	if j.count == 0 {
		sep = "[\n"
	}
	j.count++
	if _, err := io.WriteString(j.w, sep); err != nil {
		return err
	}
	_, err := j.w.Write(e.Raw)
	return err
}

func (j *jsonWriter) Close() error {
	end := "\n]\n"
	if j.count == 0 {
		end = "[]\n"
	}
	if _, err := io.WriteString(j.w, end); err != nil {
		return err
	}
	return closeIf(j.closer)
}
