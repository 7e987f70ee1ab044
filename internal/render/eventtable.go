package render

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/logevent"
)

// tableWriter prints aligned columns. To stream without holding the result,
// it fixes column widths from the first page of rows and truncates later
// cells that do not fit.
type tableWriter struct {
	w      io.Writer
	cols   []Column
	width  int
	page   [][]string
	widths []int
}

const tablePage = 200

// maxCell bounds a non-flex column so one long value cannot push the rest
// of the row off the screen.
const maxCell = 36

func newTableWriter(w io.Writer, cols []Column, width int) *tableWriter {
	return &tableWriter{w: w, cols: cols, width: width}
}

func (t *tableWriter) Write(e *logevent.Event) error {
	row := make([]string, len(t.cols))
	for i, c := range t.cols {
		row[i] = Terminal(c.Value(e))
	}
	if t.widths != nil {
		return t.printRow(row)
	}
	t.page = append(t.page, row)
	if len(t.page) >= tablePage {
		return t.flushPage()
	}
	return nil
}

func (t *tableWriter) Close() error {
	if t.widths == nil {
		return t.flushPage()
	}
	return nil
}

func (t *tableWriter) flushPage() error {
	header := make([]string, len(t.cols))
	for i, c := range t.cols {
		header[i] = c.Header
	}
	t.widths = t.measure(append([][]string{header}, t.page...))
	if err := t.printRow(header); err != nil {
		return err
	}
	for _, row := range t.page {
		if err := t.printRow(row); err != nil {
			return err
		}
	}
	t.page = nil
	return nil
}

// measure sizes each column to its widest cell (bounded), and gives the flex
// column what remains of the terminal width.
func (t *tableWriter) measure(rows [][]string) []int {
	widths := make([]int, len(t.cols))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	used := 0
	for i, c := range t.cols {
		if !c.Flex {
			widths[i] = min(widths[i], maxCell)
			used += widths[i] + 2
		}
	}
	for i, c := range t.cols {
		if c.Flex && t.width > 0 {
			widths[i] = max(min(widths[i], t.width-used), 10)
		}
	}
	return widths
}

func (t *tableWriter) printRow(row []string) error {
	var b strings.Builder
	for i, cell := range row {
		cell = cut(cell, t.widths[i])
		b.WriteString(cell)
		if i < len(row)-1 {
			b.WriteString(strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(cell)+2))
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(t.w, b.String())
	return err
}
