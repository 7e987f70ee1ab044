package render

import (
	"encoding/csv"
	"io"

	"github.com/oktascope/oktascope/internal/logevent"
)

type csvWriter struct {
	w        *csv.Writer
	cols     []Column
	header   bool
	terminal bool // escape cells as Terminal does
}

func newCSVWriter(w io.Writer, cols []Column, terminal bool) *csvWriter {
	return &csvWriter{w: csv.NewWriter(w), cols: cols, terminal: terminal}
}

func (c *csvWriter) Write(e *logevent.Event) error {
	if !c.header {
		c.header = true
		header := make([]string, len(c.cols))
		for i, col := range c.cols {
			header[i] = col.Header
		}
		if err := c.w.Write(header); err != nil {
			return err
		}
	}
	row := make([]string, len(c.cols))
	for i, col := range c.cols {
		v := col.Value(e)
		if c.terminal {
			v = Terminal(v)
		}
		row[i] = Spreadsheet(v)
	}
	return c.w.Write(row)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}
