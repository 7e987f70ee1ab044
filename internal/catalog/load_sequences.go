package catalog

import (
	"errors"
	"fmt"
)

// addSequences checks the flows, numbers their steps, indexes which steps name
// which event types, and attaches the article's step descriptions to the event
// types as their scenario descriptions.
func (c *catalog) addSequences(entries []rawSequence) error {
	if len(entries) == 0 {
		return errors.New("no sequences")
	}
	names := map[string]bool{}
	for _, entry := range entries {
		if entry.Name == "" || names[entry.Name] {
			return fmt.Errorf("sequence name %q is empty or repeated", entry.Name)
		}
		names[entry.Name] = true
	}
	for _, entry := range entries {
		sequence, err := c.buildSequence(entry, names)
		if err != nil {
			return fmt.Errorf("sequence %s: %w", entry.Name, err)
		}
		c.sequences = append(c.sequences, sequence)
	}
	for _, sequence := range c.sequences {
		c.indexSteps(sequence)
	}
	return c.attachScenarioDescriptions()
}

// buildSequence checks one flow; names holds every flow's name, for references.
func (c *catalog) buildSequence(entry rawSequence, names map[string]bool) (Sequence, error) {
	switch {
	case entry.Title == "" || entry.Intro == "":
		return Sequence{}, errors.New("title and intro are required")
	case entry.Source != SequenceFromTable && entry.Source != SequenceFromQuery:
		return Sequence{}, fmt.Errorf("source %q is not %q or %q", entry.Source, SequenceFromTable, SequenceFromQuery)
	case entry.FollowedBy != "" && !names[entry.FollowedBy]:
		return Sequence{}, fmt.Errorf("followed_by names unknown sequence %q", entry.FollowedBy)
	case len(entry.Steps) == 0:
		return Sequence{}, errors.New("no steps")
	}
	sequence := Sequence{
		Name: entry.Name, Title: entry.Title, Source: entry.Source, Ordered: entry.Ordered,
		Intro: entry.Intro, Notes: entry.Notes, FollowedBy: entry.FollowedBy,
	}
	for i, raw := range entry.Steps {
		step, err := c.buildStep(raw, i+1, entry.Name, names)
		if err != nil {
			return Sequence{}, fmt.Errorf("step %d: %w", i+1, err)
		}
		sequence.Steps = append(sequence.Steps, step)
	}
	return sequence, nil
}

// buildStep checks one step of the flow named sequenceName.
func (c *catalog) buildStep(raw rawStep, number int, sequenceName string, names map[string]bool) (Step, error) {
	switch {
	case raw.Label == "":
		return Step{}, errors.New("no label")
	case (len(raw.Events) == 0) == (raw.Ref == ""):
		return Step{}, errors.New("needs either events or ref, not both")
	case raw.Ref != "" && (!names[raw.Ref] || raw.Ref == sequenceName):
		return Step{}, fmt.Errorf("ref names unknown sequence %q", raw.Ref)
	}
	for _, eventType := range raw.Events {
		if !c.isEvent(eventType) {
			return Step{}, fmt.Errorf("unknown event type %q", eventType)
		}
	}
	return Step{
		Number: number, Label: raw.Label, EventTypes: raw.Events, Ref: raw.Ref,
		Optional: raw.Optional, Description: raw.Description, Note: raw.Note,
	}, nil
}

// indexSteps records, for each event type of the flow, the steps that name it.
func (c *catalog) indexSteps(sequence Sequence) {
	for _, step := range sequence.Steps {
		for _, eventType := range step.EventTypes {
			c.stepsOf[eventType] = append(c.stepsOf[eventType],
				StepRef{Sequence: sequence.Name, Step: step.Number, Label: step.Label})
		}
	}
}

// attachScenarioDescriptions gives each event type the article's step
// description of the steps naming it, where that differs from its definition.
// Two different step descriptions for one event type are an error.
func (c *catalog) attachScenarioDescriptions() error {
	for _, sequence := range c.sequences {
		for _, step := range sequence.Steps {
			for _, eventType := range step.EventTypes {
				if err := c.attachScenario(eventType, step.Description); err != nil {
					return fmt.Errorf("sequence %s step %d: %w", sequence.Name, step.Number, err)
				}
			}
		}
	}
	return nil
}

// attachScenario sets one event type's scenario description.
func (c *catalog) attachScenario(eventType, description string) error {
	definition := &c.definitions[c.byID[eventType]]
	if description == "" || description == definition.Description {
		return nil
	}
	if definition.ScenarioDescription != "" && definition.ScenarioDescription != description {
		return fmt.Errorf("%s has two different step descriptions", eventType)
	}
	definition.ScenarioDescription = description
	return nil
}
