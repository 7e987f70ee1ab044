package ingest

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress follows an import: Start once with the total size of the input
// files, Update as records are read (with the bytes read so far and the
// records read so far), Finish at the end. Import calls it from one
// goroutine.
type Progress interface {
	Start(totalBytes int64)
	Update(doneBytes int64, records int)
	Finish()
}

// NewProgress returns a progress bar drawn on w when w is a terminal (bytes
// done of total, events/s, ETA), and a Progress that shows nothing
// otherwise (w nil, a pipe, a file).
func NewProgress(w io.Writer) Progress {
	if f, ok := w.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		return newBarProgress(w)
	}
	return nopProgress{}
}

type nopProgress struct{}

func (nopProgress) Start(int64)       {}
func (nopProgress) Update(int64, int) {}
func (nopProgress) Finish()           {}

// barProgress draws a progress bar with schollz/progressbar.
type barProgress struct {
	w         io.Writer
	bar       *progressbar.ProgressBar
	started   time.Time
	described time.Time
}

func newBarProgress(w io.Writer) *barProgress { return &barProgress{w: w} }

// Start draws the empty bar.
func (p *barProgress) Start(total int64) {
	if total <= 0 {
		total = -1 // unknown: a spinner
	}
	p.started = time.Now()
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionClearOnFinish(),
	)
}

// Update moves the bar and, a few times a second, the events/s figure.
func (p *barProgress) Update(done int64, records int) {
	if p.bar == nil {
		return
	}
	if now := time.Now(); now.Sub(p.described) >= 250*time.Millisecond {
		p.described = now
		p.bar.Describe(fmt.Sprintf("%s events, %s events/s", commas(int64(records)), commas(int64(perSecond(records, now.Sub(p.started))))))
	}
	_ = p.bar.Set64(min(done, p.bar.GetMax64()))
}

// Finish clears the bar.
func (p *barProgress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
