package catalog

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// articlePath is the Okta article the product is built from.
const articlePath = "../../testdata/article.txt"

// readArticleLines returns the article's lines.
func readArticleLines(t *testing.T) []string {
	t.Helper()
	content, err := os.ReadFile(articlePath)
	if err != nil {
		t.Fatalf("read the article: %v", err)
	}
	return strings.Split(strings.ReplaceAll(string(content), "\r\n", "\n"), "\n")
}

// articleQueries returns the article's System Log queries in order: blocks whose
// first line starts with "(" and that end with a line ")", or single lines
// "( ... )".
func articleQueries(t *testing.T) []string {
	t.Helper()
	lines := readArticleLines(t)
	var queries []string
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "(") {
			continue
		}
		end := i
		if strings.HasSuffix(lines[i], "(") {
			for end < len(lines) && lines[end] != ")" {
				end++
			}
			if end == len(lines) {
				t.Fatalf("article query starting at line %d never closes", i+1)
			}
		}
		queries = append(queries, strings.Join(lines[i:end+1], "\n"))
		i = end
	}
	return queries
}

// articleDefinitions returns the article's Definitions table as name →
// description: after the "Definitions" heading and its "Event" / "Description"
// column headers, pairs of non-blank lines up to "More information".
func articleDefinitions(t *testing.T) (names []string, descriptions map[string]string) {
	t.Helper()
	lines := readArticleLines(t)
	start := slices.Index(lines, "Definitions")
	end := slices.Index(lines, "More information")
	if start < 0 || end < start {
		t.Fatal("the article has no Definitions table")
	}
	var cells []string
	for _, line := range lines[start+1 : end] {
		if strings.TrimSpace(line) != "" {
			cells = append(cells, line)
		}
	}
	if len(cells) < 2 || cells[0] != "Event" || cells[1] != "Description" || len(cells)%2 != 0 {
		t.Fatalf("unexpected Definitions table shape: %q", cells)
	}
	descriptions = map[string]string{}
	for i := 2; i < len(cells); i += 2 {
		names = append(names, cells[i])
		descriptions[cells[i]] = cells[i+1]
	}
	return names, descriptions
}

// normalizedArticle returns the article with every run of white space made one
// space, so that table cells split around link text read as one sentence.
func normalizedArticle(t *testing.T) string {
	t.Helper()
	return strings.Join(strings.Fields(strings.Join(readArticleLines(t), "\n")), " ")
}

// articleEventTypeNames returns every event type name the article mentions.
func articleEventTypeNames(t *testing.T) []string {
	t.Helper()
	pattern := regexp.MustCompile(`\b(?:user|system|policy|application)\.[a-z0-9_.]*[a-z0-9_]`)
	names := pattern.FindAllString(strings.Join(readArticleLines(t), "\n"), -1)
	slices.Sort(names)
	return slices.Compact(names)
}

func TestPlaybookFiltersReproduceTheArticleQueries(t *testing.T) {
	queries := articleQueries(t)
	inArticleOrder := []string{
		"user-signin", "ip-signin", "session", "session-signin",
		"user-logout", "user-mfa-changes", "user-sspr", "user-ssu",
	}
	if len(queries) != len(inArticleOrder) {
		t.Fatalf("found %d queries in the article, want %d", len(queries), len(inArticleOrder))
	}
	for i, name := range inArticleOrder {
		t.Run(name, func(t *testing.T) {
			playbook, ok := PlaybookByName(name)
			if !ok {
				t.Fatalf("no playbook %q", name)
			}
			if got := playbook.Filter(playbook.Placeholder); got != queries[i] {
				t.Errorf("Filter(%q) differs from the article's query\n got: %q\nwant: %q",
					playbook.Placeholder, got, queries[i])
			}
			if playbook.Template != queries[i] {
				t.Errorf("Template differs from the article's query")
			}
		})
	}
	if got := len(Playbooks()); got != len(inArticleOrder) {
		t.Errorf("Playbooks() has %d playbooks, want %d", got, len(inArticleOrder))
	}
}

func TestDefinitionsMatchTheArticleWordForWord(t *testing.T) {
	names, descriptions := articleDefinitions(t)
	if len(names) != 24 {
		t.Fatalf("parsed %d definitions from the article, want 24", len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			definition, ok := Lookup(name)
			if !ok {
				t.Fatalf("Lookup(%q) found nothing", name)
			}
			if definition.Description != descriptions[name] {
				t.Errorf("description\n got: %q\nwant: %q", definition.Description, descriptions[name])
			}
			if definition.Source != SourceArticle {
				t.Errorf("source = %q, want %q", definition.Source, SourceArticle)
			}
		})
	}
	for _, definition := range append(EventTypes(), mustLookup(t, "actor.id")) {
		_, inTable := descriptions[definition.ID]
		if inTable != (definition.Source == SourceArticle) {
			t.Errorf("%s: source %q but in the article's table: %v", definition.ID, definition.Source, inTable)
		}
	}
}

func TestEveryEventTypeTheArticleNamesIsKnown(t *testing.T) {
	names := articleEventTypeNames(t)
	if len(names) != 30 {
		t.Errorf("the article names %d event types, want 30: %q", len(names), names)
	}
	for _, name := range names {
		definition, ok := Lookup(name)
		if !ok || definition.Kind != KindEvent {
			t.Errorf("%s: named by the article but not a known event type", name)
		}
	}
	if got := len(EventTypes()); got != len(names) {
		t.Errorf("EventTypes() has %d types, the article names %d", got, len(names))
	}
}

func TestSequenceTextIsTheArticlesWordForWord(t *testing.T) {
	article := normalizedArticle(t)
	for _, sequence := range Sequences() {
		texts := append([]string{articleHeading(sequence.Title), sequence.Intro}, sequence.Notes...)
		for _, step := range sequence.Steps {
			texts = append(texts, step.Description, step.Note)
		}
		for _, text := range texts {
			if text != "" && !strings.Contains(article, text) {
				t.Errorf("sequence %s: %q is not in the article", sequence.Name, text)
			}
		}
	}
}

func TestPlaybookTextIsTheArticlesWordForWord(t *testing.T) {
	article := normalizedArticle(t)
	for _, playbook := range Playbooks() {
		for _, text := range []string{playbook.Title, playbook.Description, `"` + playbook.Placeholder + `"`} {
			if !strings.Contains(article, text) {
				t.Errorf("playbook %s: %q is not in the article", playbook.Name, text)
			}
		}
	}
}

// articleHeading returns a sequence title without our qualifier, e.g.
// "Sign in to an app (successful)" → "Sign in to an app".
func articleHeading(title string) string {
	if heading, _, qualified := strings.Cut(title, " ("); qualified && strings.HasSuffix(title, ")") {
		return heading
	}
	return title
}

// mustLookup returns the definition of id or fails the test.
func mustLookup(t *testing.T, id string) EventType {
	t.Helper()
	definition, ok := Lookup(id)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", id)
	}
	return definition
}
