package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/oktascope/oktascope/internal/render"
)

// histogramView is a histogram drawn as SVG bars, each a link that zooms
// the view to its interval.
type histogramView struct {
	Empty      bool
	Total      string // the number of events counted
	Complete   bool
	Step       string // the width of a bar, in words
	From, To   string // axis labels
	Middle     string
	Bars       []barView
	Max        int
	BudgetNote string // why counting stopped, when it did
}

// barView is one bar: geometry in a 1000×100 viewBox.
type barView struct {
	X, Y, W, H string
	Class      string
	Title      string
	URL        string
}

const (
	svgWidth  = 1000.0
	svgHeight = 100.0
)

func histogramViewOf(h *histogram, st searchState) histogramView {
	v := histogramView{Empty: len(h.Buckets) == 0, Total: render.Thousands(h.Total), Complete: h.Complete}
	if v.Empty {
		return v
	}
	for _, b := range h.Buckets {
		v.Max = max(v.Max, b.Count)
	}
	layout := axisFormat(h.Step)
	v.Step, v.From, v.To = stepWords(h.Step), h.From.UTC().Format(layout), h.To.UTC().Format(layout)
	v.Middle = h.From.Add(h.To.Sub(h.From) / 2).UTC().Format(layout)
	width := svgWidth / float64(len(h.Buckets))
	for i, b := range h.Buckets {
		v.Bars = append(v.Bars, barOf(b, i, width, v.Max, st))
	}
	if !h.Complete {
		v.BudgetNote = "counting took longer than its time budget: narrow the time range or the filter"
	}
	return v
}

func barOf(b bucket, i int, width float64, highest int, st searchState) barView {
	zoom := st.firstPage()
	zoom.Since, zoom.Until = b.Start.UTC().Format(time.RFC3339), b.End.UTC().Format(time.RFC3339)
	bar := barView{X: num(float64(i) * width), W: num(width * 0.86), URL: zoom.URL(), Class: "bar"}
	span := b.Start.UTC().Format(time.RFC3339) + " – " + b.End.UTC().Format(time.RFC3339)
	height := svgHeight
	switch {
	case !b.Counted:
		bar.Class, bar.Title = "bar uncounted", span+": not counted"
	case b.Count == 0:
		height, bar.Title = 0, span+": no events"
	default:
		height = max(1.5, svgHeight*float64(b.Count)/float64(highest))
		bar.Title = fmt.Sprintf("%s: %s events", span, render.Thousands(b.Count))
	}
	bar.Y, bar.H = num(svgHeight-height), num(height)
	return bar
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// axisFormat is the time layout of axis labels for a bucket width.
func axisFormat(step time.Duration) string {
	switch {
	case step >= 24*time.Hour:
		return "2006-01-02"
	case step >= time.Minute:
		return "2006-01-02 15:04"
	}
	return "2006-01-02 15:04:05"
}

// stepWords says a bucket width in words: "15 minutes", "1 day".
func stepWords(d time.Duration) string {
	unit := func(n int64, name string) string {
		if n == 1 {
			return "1 " + name
		}
		return strconv.FormatInt(n, 10) + " " + name + "s"
	}
	switch {
	case d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	}
	return unit(int64(d/time.Second), "second")
}
