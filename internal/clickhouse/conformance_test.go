package clickhouse

import (
	"testing"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/backend/backendtest"
	"github.com/oktascope/oktascope/internal/clickhouse/chtest"
)

// TestConformance runs the storage contract's suite on a 2-shard cluster.
func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend { return open(t, chtest.DSN(t)) })
}
