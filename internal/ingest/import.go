package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// DefaultBatchSize is how many events Import hands the sink at once.
const DefaultBatchSize = 5000

// Options tune Import.
type Options struct {
	// RejectsPath is the file rejected records are written to, one JSON
	// object a line: {"file", "line", "offset", "reason", "record"}, where
	// record is the original text as a JSON string ("record_base64" instead
	// when it is not UTF-8). It is created (truncated) at the first reject.
	// Empty: rejects are only counted.
	RejectsPath string
	// Progress is where a progress bar is drawn, when it is a terminal
	// (os.Stderr in the CLI); nothing is drawn otherwise.
	Progress io.Writer
	// Reporter, when set, receives progress instead of the bar on Progress.
	Reporter Progress
	// BatchSize is the number of events per Insert (DefaultBatchSize).
	BatchSize int
	// Workers is the number of decoding goroutines (GOMAXPROCS).
	Workers int
	// MaxRecordSize is the largest record kept (DefaultMaxRecordSize).
	MaxRecordSize int
}

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.MaxRecordSize <= 0 {
		o.MaxRecordSize = DefaultMaxRecordSize
	}
	if o.Reporter == nil {
		o.Reporter = NewProgress(o.Progress)
	}
	return o
}

// Import reads every record of the files and directories in paths (walked
// recursively in lexical order), decodes them in parallel, and hands the
// events to sink in input order, from one goroutine, in batches of
// Options.BatchSize. Duplicates and conflicts are counted from what Insert
// returns. Bad records are written untouched to
// opts.RejectsPath and counted; every good record still lands. A file that
// cannot be read, breaks off (*BreakError: its records before the break are
// kept) or, named explicitly, is no export (*FormatError) does not stop the
// others: its error is returned at the end, joined with any others. A sink
// or rejects-file error, or ctx ending, stops the import.
func Import(ctx context.Context, paths []string, sink backend.Writer, opts Options) (Summary, error) {
	files, errs := expandPaths(paths, opts.RejectsPath)
	sources := make([]source, len(files))
	for i, f := range files {
		sources[i] = fileSource(f)
	}
	return importSources(ctx, sources, sink, opts, errs)
}

// source is one input: a file, or (in tests) anything that opens.
type source struct {
	name     string
	size     int64
	explicit bool
	open     func() (io.ReadCloser, error)
}

func fileSource(f inputFile) source {
	if f.path == Stdin {
		return source{name: "standard input", explicit: true, open: func() (io.ReadCloser, error) {
			return io.NopCloser(os.Stdin), nil
		}}
	}
	return source{name: f.path, size: f.size, explicit: f.explicit, open: func() (io.ReadCloser, error) {
		return os.Open(f.path)
	}}
}

// importSources runs the pipeline: one goroutine reads records into
// chunks, opts.Workers goroutines decode chunks, and the calling goroutine
// puts chunks back in order, writes rejects and fills the sink's batches.
// The error joins errs (from listing the inputs), the error that stopped
// the pipeline, and those of single files.
func importSources(ctx context.Context, sources []source, sink backend.Writer, opts Options, errs []error) (Summary, error) {
	start := time.Now()
	opts = opts.withDefaults()
	p := &pipeline{sink: sink, opts: opts, rejects: &rejectWriter{path: opts.RejectsPath}}
	var total int64
	for _, s := range sources {
		total += s.size
	}
	opts.Reporter.Start(total)
	err := p.run(ctx, sources)
	opts.Reporter.Finish()
	if cerr := p.rejects.close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	p.sum.Bytes = p.bytesRead.Load()
	p.sum.Elapsed = time.Since(start)
	if p.sum.Rejected > 0 {
		p.sum.RejectsPath = opts.RejectsPath
	}
	errs = append(errs, err)
	return p.sum, errors.Join(append(errs, p.fileErrs...)...)
}

// pipeline is the state of one import.
type pipeline struct {
	sink      backend.Writer
	opts      Options
	rejects   *rejectWriter
	bytesRead atomic.Int64
	sum       Summary // Files and Skipped by the reading goroutine; the rest by the collecting one
	fileErrs  []error // by the reading goroutine
	batch     []*logevent.Event
	batchEnd  Record // where the batch's last event came from
}

// chunk is a run of consecutive records, decoded together.
type chunk struct {
	seq     int
	records []Record
	arena   []byte // holds the records' bytes
	events  []*logevent.Event
	errs    []error
}

const (
	chunkRecords = 1024
	chunkBytes   = 1 << 20
)

// run reads, decodes and collects; it returns the error that stopped it.
func (p *pipeline) run(ctx context.Context, sources []source) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan *chunk, p.opts.Workers)
	results := make(chan *chunk, p.opts.Workers)
	readDone := make(chan error, 1)
	go func() {
		defer close(jobs)
		readDone <- p.readAll(ctx, sources, jobs)
	}()
	var wg sync.WaitGroup
	for range p.opts.Workers {
		wg.Go(func() {
			for c := range jobs {
				c.decode()
				results <- c
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	err := p.collect(ctx, results, cancel)
	if rerr := <-readDone; err == nil {
		err = rerr
	}
	return err
}

// readAll reads every source into chunks sent on jobs.
func (p *pipeline) readAll(ctx context.Context, sources []source, jobs chan<- *chunk) error {
	seq := 0
	var c *chunk
	send := func() error {
		select {
		case jobs <- c:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		seq, c = seq+1, nil
		return nil
	}
	add := func(rec Record) error {
		if c != nil && !c.fits(rec) {
			if err := send(); err != nil {
				return err
			}
		}
		if c == nil {
			c = newChunk(seq, len(rec.Raw)+len(rec.JSON))
		}
		c.add(rec)
		return nil
	}
	for _, src := range sources {
		err := p.readSource(src, add)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if err != nil {
			p.fileErrs = append(p.fileErrs, err)
		}
	}
	if c == nil {
		return nil
	}
	return send()
}

// readSource reads the records of one source, passing each to add.
func (p *pipeline) readSource(src source, add func(Record) error) error {
	rc, err := src.open()
	if err != nil {
		return fmt.Errorf("import %s: %w", src.name, err)
	}
	defer rc.Close()
	rd, err := NewReader(&countingReader{r: rc, n: &p.bytesRead}, src.name)
	if err != nil {
		return err
	}
	if rd.Format().Kind == KindUnknown && !src.explicit {
		p.sum.Skipped = append(p.sum.Skipped, src.name)
		return nil
	}
	p.sum.Files++
	rd.SetMaxRecordSize(p.opts.MaxRecordSize)
	return rd.Read(add)
}

func newChunk(seq, need int) *chunk {
	return &chunk{seq: seq, arena: make([]byte, 0, max(chunkBytes, need))}
}

// fits reports whether rec can join the chunk.
func (c *chunk) fits(rec Record) bool {
	return len(c.records) < chunkRecords && len(c.arena)+len(rec.Raw)+len(rec.JSON) <= cap(c.arena)
}

// add copies rec into the chunk.
func (c *chunk) add(rec Record) {
	raw := c.keep(rec.Raw)
	if sameBytes(rec.Raw, rec.JSON) {
		rec.JSON = raw
	} else {
		rec.JSON = c.keep(rec.JSON)
	}
	rec.Raw = raw
	c.records = append(c.records, rec)
}

func (c *chunk) keep(b []byte) []byte {
	start := len(c.arena)
	c.arena = append(c.arena, b...)
	return c.arena[start:len(c.arena):len(c.arena)]
}

// decode decodes every record of the chunk.
func (c *chunk) decode() {
	c.events = make([]*logevent.Event, len(c.records))
	c.errs = make([]error, len(c.records))
	for i, rec := range c.records {
		if rec.Err != nil {
			c.errs[i] = rec.Err
			continue
		}
		c.events[i], c.errs[i] = logevent.Decode(rec.JSON)
	}
}

// collect takes decoded chunks, puts them back in order and processes them.
// After an error it drains the rest.
func (p *pipeline) collect(ctx context.Context, results <-chan *chunk, cancel context.CancelCauseFunc) error {
	pending := map[int]*chunk{}
	next := 0
	var fatal error
	for c := range results {
		if fatal != nil {
			continue
		}
		pending[c.seq] = c
		for c := pending[next]; c != nil && fatal == nil; c = pending[next] {
			delete(pending, next)
			next++
			fatal = p.process(ctx, c)
		}
		if fatal != nil {
			cancel(fatal)
		}
	}
	if fatal != nil {
		return fatal
	}
	return p.flush(ctx)
}

// process counts the records of a chunk, rejects the bad ones and batches
// the good ones.
func (p *pipeline) process(ctx context.Context, c *chunk) error {
	for i, rec := range c.records {
		p.sum.Read++
		if err := c.errs[i]; err != nil {
			p.sum.Rejected++
			if werr := p.rejects.write(rec, err); werr != nil {
				return werr
			}
			continue
		}
		p.batch = append(p.batch, c.events[i])
		p.batchEnd = rec
		if len(p.batch) >= p.opts.BatchSize {
			if err := p.flush(ctx); err != nil {
				return err
			}
		}
	}
	p.opts.Reporter.Update(p.bytesRead.Load(), p.sum.Read)
	return nil
}

// flush hands the batch to the sink.
func (p *pipeline) flush(ctx context.Context) error {
	if len(p.batch) == 0 {
		return nil
	}
	res, err := p.sink.Insert(ctx, p.batch)
	if err != nil {
		return fmt.Errorf("import: storing the events up to %s:%d: %w", p.batchEnd.File, p.batchEnd.Line, err)
	}
	p.sum.Imported += res.Inserted
	p.sum.Duplicates += res.Duplicates
	p.sum.Conflicts += len(res.Conflicts)
	p.batch = make([]*logevent.Event, 0, p.opts.BatchSize)
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
