package render

import (
	"encoding/json"
	"io"

	"github.com/oktascope/oktascope/internal/indicator"
)

// indicatorJSON is an indicator in every JSON form: {"kind","value"}.
type indicatorJSON struct {
	Kind  indicator.Kind `json:"kind"`
	Value string         `json:"value"`
}

// writeIndentedJSON writes v as JSON indented by two spaces, as every
// report's JSON form is written.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// orEmpty makes a nil slice an empty one, so that JSON has [] and not null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
