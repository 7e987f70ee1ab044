package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/ingest"
	"github.com/oktascope/oktascope/internal/render"
)

// importOptions are what import runs with.
type importOptions struct {
	io          IO
	openBackend backendOpener

	paths      []string      // files and directories; "-" is the standard input
	rejects    string        // the file for the records that could not be imported
	limits     ingest.Limits // caps on each input's decompressed content
	maxRejects int64         // cap on the rejects file
}

func newImportCmd(f *factory, runF func(context.Context, *importOptions) error) *cobra.Command {
	opts := &importOptions{io: f.io, openBackend: f.openBackend,
		limits:     ingest.Limits{MaxGzipRatio: ingest.DefaultMaxGzipRatio, MaxGzipSize: ingest.DefaultMaxGzipSize},
		maxRejects: ingest.DefaultMaxRejectsSize}
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import Okta System Log exports (JSON, NDJSON, gzip, Admin Console CSV, directories)",
		Long: `import reads System Log exports into the store, detecting each file's format by its
content: a JSON array of events (an /api/v1/logs page), NDJSON or objects concatenated,
an object wrapping an array (Event Hook deliveries included), Amazon EventBridge events
from Okta's Log Streaming (one a line, in arrays, or as Firehose writes them to S3), the
Admin Console's CSV export, any of them gzip-compressed; directories are walked (files
that are no System Log export are skipped); "-" reads the standard input. Events are
deduplicated by uuid, so importing twice is safe. Bad records are kept, untouched, in the
rejects file with file, line and reason; every good record still lands. The rejects file
is created 0600, and never written through a symbolic link.

A record whose uuid is already stored with other content (a conflicting duplicate) is not
stored: it is counted apart and written to the rejects file with the stored event's JSON.

A compressed file's content is capped (--max-gzip-ratio times what was read compressed, not
below 1 MiB, and --max-gzip-size), and so is the rejects file (--max-rejects-size): past a
cap import says which, keeps what it read before it, and exits 1. Events published before
2009-01-01 or more than a day after this machine's clock are rejected (docs/import.md).

Exit status: 0 all imported, 3 some records rejected or conflicting, 1 a file could not be
read whole (the records before the break are imported; re-run to complete) or a cap was
reached.`,
		Example: `  oktascope import logs-2024-05.json.gz
  oktascope --db case42.db import ./export-dir --rejects case42-rejects.ndjson
  oktascope generate --events 1000000 | oktascope import -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			opts.paths = paths
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runImport(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.rejects, "rejects", "oktascope-rejects.ndjson", "file for the records that could not be imported")
	cmd.Flags().IntVar(&opts.limits.MaxGzipRatio, "max-gzip-ratio", opts.limits.MaxGzipRatio, "cap on a compressed file's content, in times the compressed bytes read (not below 1 MiB)")
	cmd.Flags().Var((*sizeFlag)(&opts.limits.MaxGzipSize), "max-gzip-size", "cap on a compressed file's content (KiB, MiB, GiB, TiB)")
	cmd.Flags().Var((*sizeFlag)(&opts.maxRejects), "max-rejects-size", "cap on the rejects file; past it rejects are counted, not written")
	return cmd
}

// sizeFlag is a flag holding a size in bytes, written with a unit
// (ingest.ParseSize).
type sizeFlag int64

func (f *sizeFlag) String() string { return ingest.FormatSize(int64(*f)) }

func (f *sizeFlag) Set(s string) error {
	n, err := ingest.ParseSize(s)
	if err != nil {
		return err
	}
	if n <= 0 {
		return fmt.Errorf("size %q: must be more than 0", s)
	}
	*f = sizeFlag(n)
	return nil
}

func (f *sizeFlag) Type() string { return "size" }

// importGCPercent is the garbage collector's target during an import
// (GOGC; Go's default is 100): the pipeline allocates fast and keeps little
// alive, so a collection every 400 % of growth rather than 100 % saved 2.4
// to 5 CPU-s of 46 to 52 for 1M events, for a peak RSS of 421-451 MB
// against 312-317 (docs/performance.md). A GOGC set in the environment is
// left as it is.
const importGCPercent = 400

// withImportGC runs fn with the import's garbage collector target, unless
// the environment sets GOGC, then restores the previous one.
func withImportGC(fn func() error) error {
	if _, set := os.LookupEnv("GOGC"); set {
		return fn()
	}
	defer debug.SetGCPercent(debug.SetGCPercent(importGCPercent))
	return fn()
}

func runImport(ctx context.Context, opts *importOptions) error {
	return withImportGC(func() error { return importFiles(ctx, opts) })
}

func importFiles(ctx context.Context, opts *importOptions) error {
	return opts.openBackend.with(ctx, createIfMissing, func(st backend.Backend) error {
		ingestOpts := ingest.Options{RejectsPath: opts.rejects, Limits: opts.limits, MaxRejectsSize: opts.maxRejects}
		if b, ok := st.(backend.Batcher); ok {
			ingestOpts.BatchSize = b.InsertBatch()
		}
		if opts.io.Terminal {
			ingestOpts.Progress = opts.io.Err
		}
		start := time.Now()
		bulk, _ := st.(backend.BulkLoader)
		if bulk != nil {
			if err := bulk.BeginBulk(ctx, estimateEvents(opts.paths)); err != nil {
				return err
			}
		}
		summary, err := ingest.Import(ctx, opts.paths, st, ingestOpts)
		if bulk != nil {
			if endErr := bulk.EndBulk(context.WithoutCancel(ctx)); err == nil {
				err = endErr
			}
		}
		// The events are searchable once the bulk load's indexes are built:
		// the summary's time and rate count that too.
		summary.Elapsed = time.Since(start)
		fmt.Fprintln(opts.io.Err, summary)
		if code := summary.ExitCode(err); code != ExitOK {
			if err == nil {
				err = fmt.Errorf("%d records rejected, %d conflicting: see %s", summary.Rejected, summary.Conflicts, render.Terminal(opts.rejects))
			}
			return &ExitError{Code: code, Err: err}
		}
		return nil
	})
}

// estimateEvents guesses how many events the paths hold from their sizes
// (about 2 KB an event, ten times that per byte of gzip), so that the store
// can decide whether to defer its indexes during the load.
func estimateEvents(paths []string) int {
	var total int64
	for _, p := range paths {
		filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				size := info.Size()
				if strings.HasSuffix(path, ".gz") {
					size *= 10
				}
				total += size
			}
			return nil
		})
	}
	return int(total / 2000)
}
