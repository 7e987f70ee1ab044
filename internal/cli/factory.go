package cli

import (
	"cmp"
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
)

// factory is what every command is built from, as the GitHub CLI's
// cmdutil.Factory: the streams, the clock and the one way to storage. A
// command's constructor copies the dependencies it uses into its options,
// so that a test can build any command on a factory of its own (a fixed
// clock, an opener that must not be called).
type factory struct {
	io IO
	// now is the clock that relative times (--since 7d) are read against.
	now func() time.Time
	// openBackend opens the storage that db names: every command gets its
	// backend here, and nowhere else (backend.go).
	openBackend backendOpener
	// db is the storage location: --db, else $OKTASCOPE_DB, else the
	// command's default (resolveDB, before the command runs).
	db string
}

// newFactory returns the factory of a real run: the system clock, and
// storage at the location --db resolves to.
func newFactory(streams IO) *factory {
	f := &factory{io: streams, now: time.Now}
	f.openBackend = func(ctx context.Context, mode openMode) (backend.Backend, error) {
		return openBackend(ctx, f.db, mode)
	}
	return f
}

// defaultDB is the store a command uses when neither --db nor
// $OKTASCOPE_DB names one.
const defaultDB = "oktascope.db"

// defaultDBAnnotation, in a command's Annotations, names the store that
// command uses by default instead of defaultDB (demo's own).
const defaultDBAnnotation = "oktascope.default-db"

// resolveDB applies the storage location's precedence for cmd: --db,
// $OKTASCOPE_DB (when set and not empty), the command's default.
func (f *factory) resolveDB(cmd *cobra.Command) {
	if f.db != "" {
		return
	}
	if env, ok := f.io.Env("OKTASCOPE_DB"); ok && env != "" {
		f.db = env
		return
	}
	f.db = cmp.Or(cmd.Annotations[defaultDBAnnotation], defaultDB)
}
