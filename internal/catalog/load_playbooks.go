package catalog

import (
	"errors"
	"fmt"
	"strings"
)

// addPlaybooks checks the playbooks and reads the event types each selects.
func (c *catalog) addPlaybooks(entries []rawPlaybook) error {
	if len(entries) == 0 {
		return errors.New("no playbooks")
	}
	seen := map[string]bool{}
	for _, entry := range entries {
		if entry.Name == "" || seen[entry.Name] {
			return fmt.Errorf("playbook name %q is empty or repeated", entry.Name)
		}
		seen[entry.Name] = true
		playbook, err := c.buildPlaybook(entry)
		if err != nil {
			return fmt.Errorf("playbook %s: %w", entry.Name, err)
		}
		c.playbooks = append(c.playbooks, playbook)
	}
	return nil
}

// buildPlaybook checks one playbook.
func (c *catalog) buildPlaybook(entry rawPlaybook) (Playbook, error) {
	switch {
	case entry.Title == "" || entry.Description == "":
		return Playbook{}, errors.New("title and description are required")
	case !entry.Parameter.Valid():
		return Playbook{}, fmt.Errorf("parameter %q is not user, ip or session", entry.Parameter)
	}
	if err := checkPlaceholder(entry.Filter, entry.Placeholder); err != nil {
		return Playbook{}, err
	}
	eventTypes := eventTypesIn(entry.Filter)
	for _, eventType := range eventTypes {
		if !c.isEvent(eventType) {
			return Playbook{}, fmt.Errorf("filter selects unknown event type %q", eventType)
		}
	}
	return Playbook{
		Name: entry.Name, Title: entry.Title, Description: entry.Description,
		Parameter: entry.Parameter, Placeholder: entry.Placeholder,
		Template: entry.Filter, EventTypes: eventTypes,
	}, nil
}

// checkPlaceholder makes sure the placeholder occurs in the filter, always as
// a whole double-quoted string, so that substituting an escaped value keeps it
// one string literal.
func checkPlaceholder(filter, placeholder string) error {
	if placeholder == "" || strings.ContainsAny(placeholder, "\"\\") {
		return fmt.Errorf("bad placeholder %q", placeholder)
	}
	quoted := `"` + placeholder + `"`
	occurrences := strings.Count(filter, placeholder)
	switch {
	case occurrences == 0:
		return fmt.Errorf("filter does not contain placeholder %q", placeholder)
	case strings.Count(filter, quoted) != occurrences:
		return fmt.Errorf("placeholder %q occurs outside a quoted string", placeholder)
	}
	return nil
}
