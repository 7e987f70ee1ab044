package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/oktascope/oktascope/internal/indicator"
)

// The data files, relative to the embedded file system.
const (
	eventTypesFile = "data/event_types.yaml"
	sequencesFile  = "data/sequences.yaml"
	playbooksFile  = "data/playbooks.yaml"
)

// rawEventType is one entry of event_types.yaml.
type rawEventType struct {
	ID          string `yaml:"id"`
	Kind        Kind   `yaml:"kind"`
	Source      Source `yaml:"source"`
	Description string `yaml:"description"`
	Note        string `yaml:"note"`
}

// rawSequence is one entry of sequences.yaml.
type rawSequence struct {
	Name       string         `yaml:"name"`
	Title      string         `yaml:"title"`
	Source     SequenceSource `yaml:"source"`
	Ordered    bool           `yaml:"ordered"`
	Intro      string         `yaml:"intro"`
	Notes      []string       `yaml:"notes"`
	FollowedBy string         `yaml:"followed_by"`
	Steps      []rawStep      `yaml:"steps"`
}

// rawStep is one step of a rawSequence.
type rawStep struct {
	Label       string   `yaml:"label"`
	Events      []string `yaml:"events"`
	Ref         string   `yaml:"ref"`
	Optional    bool     `yaml:"optional"`
	Description string   `yaml:"description"`
	Note        string   `yaml:"note"`
}

// rawPlaybook is one entry of playbooks.yaml.
type rawPlaybook struct {
	Name        string         `yaml:"name"`
	Title       string         `yaml:"title"`
	Description string         `yaml:"description"`
	Parameter   indicator.Kind `yaml:"parameter"`
	Placeholder string         `yaml:"placeholder"`
	Filter      string         `yaml:"filter"`
}

// parse reads and checks the three data files of fsys.
func parse(fsys fs.FS) (*catalog, error) {
	var (
		events    []rawEventType
		sequences []rawSequence
		playbooks []rawPlaybook
	)
	if err := decodeFile(fsys, eventTypesFile, &events); err != nil {
		return nil, err
	}
	if err := decodeFile(fsys, sequencesFile, &sequences); err != nil {
		return nil, err
	}
	if err := decodeFile(fsys, playbooksFile, &playbooks); err != nil {
		return nil, err
	}
	c, err := buildDefinitions(events)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", eventTypesFile, err)
	}
	if err := c.addSequences(sequences); err != nil {
		return nil, fmt.Errorf("%s: %w", sequencesFile, err)
	}
	if err := c.addPlaybooks(playbooks); err != nil {
		return nil, fmt.Errorf("%s: %w", playbooksFile, err)
	}
	return c, nil
}

// decodeFile decodes one YAML file into out, rejecting unknown keys and
// anything after the first document.
func decodeFile(fsys fs.FS, name string, out any) error {
	content, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	decoder := yaml.NewDecoder(bytes.NewReader(content))
	decoder.KnownFields(true)
	if err := decoder.Decode(out); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	var extra any
	if err := decoder.Decode(&extra); err == nil {
		return fmt.Errorf("decode %s: more than one YAML document", name)
	}
	return nil
}

// buildDefinitions checks the event type entries and indexes them by ID.
func buildDefinitions(entries []rawEventType) (*catalog, error) {
	if len(entries) == 0 {
		return nil, errors.New("no event types")
	}
	c := &catalog{byID: map[string]int{}, stepsOf: map[string][]StepRef{}}
	for i, entry := range entries {
		if err := checkEventType(entry); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		c.definitions = append(c.definitions, EventType{
			ID: entry.ID, Kind: entry.Kind, Source: entry.Source,
			Description: entry.Description, Note: entry.Note,
		})
	}
	slices.SortFunc(c.definitions, func(a, b EventType) int { return strings.Compare(a.ID, b.ID) })
	for i, definition := range c.definitions {
		if _, seen := c.byID[definition.ID]; seen {
			return nil, fmt.Errorf("%s defined twice", definition.ID)
		}
		c.byID[definition.ID] = i
	}
	return c, nil
}

// checkEventType reports what is missing or wrong in one entry.
func checkEventType(entry rawEventType) error {
	switch {
	case entry.ID == "" || strings.TrimSpace(entry.ID) != entry.ID || strings.ContainsAny(entry.ID, " \"\\"):
		return fmt.Errorf("bad id %q", entry.ID)
	case entry.Kind != KindEvent && entry.Kind != KindField:
		return fmt.Errorf("%s: kind %q is not %q or %q", entry.ID, entry.Kind, KindEvent, KindField)
	case entry.Source != SourceArticle && entry.Source != SourceOktaEventTypes:
		return fmt.Errorf("%s: source %q is not %q or %q", entry.ID, entry.Source, SourceArticle, SourceOktaEventTypes)
	case entry.Description == "":
		return fmt.Errorf("%s: no description", entry.ID)
	}
	return nil
}

// isEvent reports whether id is a known event type (not a field).
func (c *catalog) isEvent(id string) bool {
	i, ok := c.byID[id]
	return ok && c.definitions[i].Kind == KindEvent
}
