package indicator_test

import (
	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/indicator"
)

// Every storage backend resolves logins: backend.Reader is an
// indicator.Resolver (a compile-time check).
var _ indicator.Resolver = backend.Reader(nil)
