package catalog

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Closest returns up to n known event types nearest to id, nearest first, for a
// "did you mean" hint. Near means a small edit distance (Levenshtein, over
// lower-case runes: at most a third of id's length, and at least 2) or starting
// with id (so "user.mfa" suggests the user.mfa.* types). Ties go in name order.
// It returns nothing when no event type is near.
func Closest(id string, n int) []string {
	wanted := strings.ToLower(strings.TrimSpace(id))
	if n <= 0 || wanted == "" {
		return nil
	}
	type candidate struct {
		name     string
		distance int
	}
	var candidates []candidate
	for _, eventType := range EventTypes() {
		name := strings.ToLower(eventType.ID)
		distance := levenshtein(wanted, name)
		if distance <= maxSuggestionDistance(wanted) || strings.HasPrefix(name, wanted) {
			candidates = append(candidates, candidate{eventType.ID, distance})
		}
	}
	slices.SortFunc(candidates, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.distance, b.distance), strings.Compare(a.name, b.name))
	})
	var names []string
	for _, c := range candidates[:min(n, len(candidates))] {
		names = append(names, c.name)
	}
	return names
}

// maxSuggestionDistance is how many edits a suggestion may be from s.
func maxSuggestionDistance(s string) int {
	return max(2, utf8.RuneCountInString(s)/3)
}

// levenshtein returns the number of rune insertions, deletions and
// substitutions that turn a into b.
func levenshtein(a, b string) int {
	source, target := []rune(a), []rune(b)
	previous := make([]int, len(target)+1)
	current := make([]int, len(target)+1)
	for j := range previous {
		previous[j] = j
	}
	for i, s := range source {
		current[0] = i + 1
		for j, t := range target {
			substitution := previous[j]
			if s != t {
				substitution++
			}
			current[j+1] = min(previous[j+1]+1, current[j]+1, substitution)
		}
		previous, current = current, previous
	}
	return previous[len(target)]
}
