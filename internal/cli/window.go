package cli

import (
	"time"

	"github.com/oktascope/oktascope/internal/timewindow"
)

// parseTimeFlag reads a --since or --until value (see timewindow.Parse).
func parseTimeFlag(flag, value string, now time.Time) (time.Time, error) {
	t, err := timewindow.Parse(value, now)
	if err != nil {
		return time.Time{}, usageError("--%s %v", flag, err)
	}
	return t, nil
}
