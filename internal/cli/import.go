package cli

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/ingest"
)

// importOptions are what import runs with.
type importOptions struct {
	io          IO
	openBackend backendOpener

	paths   []string // files and directories; "-" is the standard input
	rejects string   // the file for the records that could not be imported
}

func newImportCmd(f *factory, runF func(context.Context, *importOptions) error) *cobra.Command {
	opts := &importOptions{io: f.io, openBackend: f.openBackend}
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import Okta System Log exports (JSON, NDJSON, gzip, Admin Console CSV, directories)",
		Long: `import reads System Log exports into the store, detecting each file's format by its
content: a JSON array of events (an /api/v1/logs page), NDJSON, an object wrapping an
array (Event Hook deliveries included), the Admin Console's CSV export, any of them
gzip-compressed; directories are walked; "-" reads the standard input. Events are deduplicated by uuid, so importing
twice is safe. Bad records are kept, untouched, in the rejects file with file, line and
reason; every good record still lands.

Exit status: 0 all imported, 3 some records rejected, 1 a file could not be read whole
(the records before the break are imported; re-run to complete).`,
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
	return cmd
}

func runImport(ctx context.Context, opts *importOptions) error {
	return opts.openBackend.with(ctx, createIfMissing, func(st backend.Backend) error {
		ingestOpts := ingest.Options{RejectsPath: opts.rejects}
		if b, ok := st.(backend.Batcher); ok {
			ingestOpts.BatchSize = b.InsertBatch()
		}
		if opts.io.Terminal {
			ingestOpts.Progress = opts.io.Err
		}
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
		fmt.Fprintln(opts.io.Err, summary)
		if code := summary.ExitCode(err); code != ExitOK {
			if err == nil {
				err = fmt.Errorf("%d records rejected: see %s", summary.Rejected, opts.rejects)
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
