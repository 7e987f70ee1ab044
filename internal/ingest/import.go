package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
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
	// Limits bound each input: the largest record, and the decompressed
	// content of a compressed input (see Limits and LimitError).
	Limits
	// MaxRejectsSize caps the rejects file, in bytes
	// (DefaultMaxRejectsSize): past it, rejected records are counted but no
	// longer written, and Import returns a *LimitError at the end.
	MaxRejectsSize int64
	// Now is the import's clock, which bounds the plausible published
	// times (see logevent.CheckPlausible); time.Now when nil.
	Now func() time.Time
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
	if o.MaxRejectsSize <= 0 {
		o.MaxRejectsSize = DefaultMaxRejectsSize
	}
	if o.Now == nil {
		o.Now = time.Now
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
	p := &pipeline{sink: sink, opts: opts, rejects: &rejectWriter{path: opts.RejectsPath, max: opts.MaxRejectsSize}, now: opts.Now()}
	if err := p.rejects.check(); err != nil {
		return Summary{}, errors.Join(append(errs, err)...)
	}
	var total int64
	for _, s := range sources {
		total += s.size
	}
	opts.Reporter.Start(total)
	err := p.run(ctx, sources)
	opts.Reporter.Finish()
	p.sum.RejectsUnwritten = p.rejects.unwritten
	if cerr := p.rejects.close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	p.sum.Files -= len(p.late.skipped)
	p.sum.Skipped = append(p.sum.Skipped, p.late.skipped...)
	p.sum.Bytes = p.bytesRead.Load()
	p.sum.Elapsed = time.Since(start)
	if p.sum.Rejected > 0 || p.sum.Conflicts > 0 {
		p.sum.RejectsPath = opts.RejectsPath
	}
	errs = append(errs, err)
	errs = append(append(errs, p.fileErrs...), p.late.errs...)
	return p.sum, errors.Join(errs...)
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
	batchRecs []Record  // where each event of the batch came from
	batchEnd  Record    // where the batch's last event came from
	now       time.Time // the import's clock (Options.Now)
	file      fileState // the input the collecting goroutine is at
	late      struct {  // by the collecting goroutine: inputs found to be no export (see endFile)
		skipped []string
		errs    []error
	}
}

// inputState is what the collecting goroutine learns of an input from the
// reading one, through its records.
type inputState struct {
	name     string
	explicit bool
	kind     Kind
}

// fileState is what the collecting goroutine counts of the input it is at.
type fileState struct {
	input    *inputState
	records  int         // records read
	rejected int         // of which rejected
	export   bool        // one of them is (or looks like) a System Log event
	mark     rejectsMark // where the input's rejects start
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
				c.decode(p.now)
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
		return inputErr(src.name, err)
	}
	defer rc.Close()
	rd, err := NewLimitedReader(&countingReader{r: rc, n: &p.bytesRead}, src.name, p.opts.Limits)
	if err != nil {
		return err
	}
	if rd.Format().Kind == KindUnknown && !src.explicit {
		p.sum.Skipped = append(p.sum.Skipped, src.name)
		return nil
	}
	p.sum.Files++
	in := &inputState{name: src.name, explicit: src.explicit, kind: rd.Format().Kind}
	return rd.Read(func(rec Record) error {
		rec.input = in
		return add(rec)
	})
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

// decode decodes every record of the chunk, and rejects the events
// published outside the plausible range at now (logevent.CheckPlausible).
func (c *chunk) decode(now time.Time) {
	c.events = make([]*logevent.Event, len(c.records))
	c.errs = make([]error, len(c.records))
	for i, rec := range c.records {
		if rec.Err != nil {
			c.errs[i] = rec.Err
			continue
		}
		e, err := logevent.Decode(rec.JSON)
		if err == nil {
			err = logevent.CheckPlausible(e, now)
		}
		if err != nil {
			e = nil
		}
		c.events[i], c.errs[i] = e, err
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
	if err := p.endFile(); err != nil {
		return err
	}
	return p.flush(ctx)
}

// process counts the records of a chunk, rejects the bad ones and batches
// the good ones.
func (p *pipeline) process(ctx context.Context, c *chunk) error {
	for i, rec := range c.records {
		if rec.input != p.file.input {
			if err := p.endFile(); err != nil {
				return err
			}
			p.file = fileState{input: rec.input, mark: p.rejects.mark()}
		}
		p.sum.Read++
		p.file.records++
		if err := c.errs[i]; err != nil {
			p.sum.Rejected++
			p.file.rejected++
			p.file.export = p.file.export || rec.Err != nil || looksLikeEvent(rec.JSON)
			if werr := p.rejects.write(rec, err); werr != nil {
				return werr
			}
			continue
		}
		p.file.export = true
		p.batch = append(p.batch, c.events[i])
		p.batchRecs = append(p.batchRecs, rec)
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

// endFile ends the input the collecting goroutine was at. An input of JSON
// none of whose records is, or looks like, a System Log event (another
// product's log, a parser's test case) is no export: its rejects are taken
// back and it is left out of the counts, skipped as a file of unknown
// format is (with a *FormatError when it was named explicitly).
func (p *pipeline) endFile() error {
	f := p.file
	if f.input == nil || f.export || f.input.kind == KindCSV {
		return nil
	}
	if err := p.rejects.rollback(f.mark); err != nil {
		return err
	}
	p.sum.Read -= f.records
	p.sum.Rejected -= f.rejected
	if !f.input.explicit {
		p.late.skipped = append(p.late.skipped, f.input.name)
		return nil
	}
	p.late.errs = append(p.late.errs, &FormatError{File: f.input.name,
		Reason: fmt.Sprintf("JSON, but none of its %s is a System Log event (none has a uuid, eventType or published)", plural(f.records, "record"))})
	return nil
}

// looksLikeEvent reports whether the JSON object b (which may be broken)
// has a uuid, eventType or published member (in any case) at its top
// level, as a System Log event has even when it is partial or bad.
func looksLikeEvent(b []byte) bool {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			end := i + 1
			for end < len(b) && b[end] != '"' {
				if b[end] == '\\' {
					end++
				}
				end++
			}
			if depth == 1 && isEventKey(b[i+1:min(end, len(b))]) {
				if next := bytes.TrimLeft(b[min(end+1, len(b)):], " \t\r\n"); len(next) > 0 && next[0] == ':' {
					return true
				}
			}
			i = end
		}
	}
	return false
}

// isEventKey reports whether name is uuid, eventType or published, in any
// case.
func isEventKey(name []byte) bool {
	return bytes.EqualFold(name, []byte("uuid")) || bytes.EqualFold(name, []byte("eventType")) || bytes.EqualFold(name, []byte("published"))
}

// flush hands the batch to the sink.
func (p *pipeline) flush(ctx context.Context) error {
	if len(p.batch) == 0 {
		return nil
	}
	res, err := p.sink.Insert(ctx, p.batch)
	if err != nil {
		return fmt.Errorf("import: storing the events up to %s:%d: %w", render.Terminal(p.batchEnd.File), p.batchEnd.Line, err)
	}
	p.sum.Imported += res.Inserted
	p.sum.Duplicates += res.Duplicates
	p.sum.Conflicts += len(res.Conflicts)
	for _, c := range res.Conflicts {
		if c.Index < 0 || c.Index >= len(p.batchRecs) {
			return fmt.Errorf("import: the store reports a conflict for event %d of a batch of %d", c.Index, len(p.batchRecs))
		}
		reason := fmt.Errorf("conflicting duplicate: uuid %q is held with other content (see stored)", p.batch[c.Index].UUID)
		if err := p.rejects.writeConflict(p.batchRecs[c.Index], reason, c.Stored); err != nil {
			return err
		}
	}
	p.batch = make([]*logevent.Event, 0, p.opts.BatchSize)
	p.batchRecs = p.batchRecs[:0]
	return nil
}

// inputErr is the error of reading an input, naming it as render.Terminal
// shows it (a *fs.PathError's message holds the path as it is).
func inputErr(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("import %s: %s: %w", render.Terminal(pe.Path), pe.Op, pe.Err)
	}
	return fmt.Errorf("import %s: %w", render.Terminal(name), err)
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
