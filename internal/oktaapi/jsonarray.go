package oktaapi

import (
	"errors"
)

// errNotArray says a page body is not a well-formed JSON array.
var errNotArray = errors.New("not a JSON array")

// splitArray splits a JSON array into its elements' bytes (slices of body,
// not copies) without decoding them: each event is decoded (and so
// validated) on its own later, and a bad one costs only itself. The array's
// structure must be well formed: brackets, braces and strings balanced,
// elements separated by commas.
func splitArray(body []byte) ([][]byte, error) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '[' {
		return nil, errNotArray
	}
	i = skipSpace(body, i+1)
	var out [][]byte
	if i < len(body) && body[i] == ']' {
		return out, trailing(body, i+1)
	}
	for i < len(body) {
		end, err := valueEnd(body, i)
		if err != nil {
			return nil, err
		}
		out = append(out, body[i:end])
		i = skipSpace(body, end)
		if i >= len(body) {
			break
		}
		switch body[i] {
		case ']':
			return out, trailing(body, i+1)
		case ',':
			i = skipSpace(body, i+1)
		default:
			return nil, errNotArray
		}
	}
	return nil, errNotArray
}

// trailing accepts only white space after the array.
func trailing(body []byte, i int) error {
	if skipSpace(body, i) != len(body) {
		return errNotArray
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just past the value starting at i: an object
// or array (nesting and strings tracked), a string, or a scalar.
func valueEnd(b []byte, i int) (int, error) {
	switch b[i] {
	case '{', '[':
		return compositeEnd(b, i)
	case '"':
		return stringEnd(b, i)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	if j == i {
		return 0, errNotArray
	}
	return j, nil
}

// compositeEnd finds the bracket or brace closing the one at i.
func compositeEnd(b []byte, i int) (int, error) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return j + 1, nil
			}
		case '"':
			end, err := stringEnd(b, j)
			if err != nil {
				return 0, err
			}
			j = end - 1
		}
	}
	return 0, errNotArray
}

// stringEnd returns the index just past the string starting at i.
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errNotArray
}
