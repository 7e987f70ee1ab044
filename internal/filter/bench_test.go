package filter

import (
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/samples"
)

// BenchmarkArticleUserQuery measures evaluation of the article's user query
// (the longest of its cheat sheet) over decoded public sample events.
func BenchmarkArticleUserQuery(b *testing.B) {
	query := strings.ReplaceAll(articleQueries(b)[0], "<enter user id>", "00u1abvz4pYqdM8ms4x6")
	benchmarkMatch(b, query)
}

// BenchmarkArticleSessionQuery measures the article's session sign-on query.
func BenchmarkArticleSessionQuery(b *testing.B) {
	query := strings.ReplaceAll(articleQueries(b)[3], "<enter external session id here>", "102nZHzd6OHSfGG51vsoc22gw")
	benchmarkMatch(b, query)
}

func benchmarkMatch(b *testing.B, query string) {
	events := samples.Events(b)
	m := Compile(MustParse(query))
	matched := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, e := range events {
			if m.Match(e) {
				matched++
			}
		}
	}
	b.ReportMetric(float64(b.N*len(events))/b.Elapsed().Seconds(), "events/s")
	if matched == 0 {
		b.Fatal("the query matched no sample event")
	}
}
