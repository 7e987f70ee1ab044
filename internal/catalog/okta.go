package catalog

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// OktaEventType is one entry of Okta's official event-type catalogue, the
// JSON okta/okta-developer-docs publishes (data/event-types.json) or its CSV
// form. That repository has no licence, so the catalogue is read from a
// file the user supplies, never shipped.
type OktaEventType struct {
	ID          string   `json:"id"`
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Release     string   `json:"-"`
	Tags        []string `json:"tags"`
	DebugData   []string `json:"-"`
}

// OktaCatalog is Okta's catalogue, by event type id.
type OktaCatalog map[string]OktaEventType

// LoadOktaCatalog reads Okta's catalogue from a JSON or CSV file.
func LoadOktaCatalog(path string) (OktaCatalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	var c OktaCatalog
	if trimmed := strings.TrimSpace(string(data)); strings.HasPrefix(trimmed, "{") {
		c, err = parseOktaJSON(data)
	} else {
		c, err = parseOktaCSV(strings.NewReader(string(data)))
	}
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	return c, nil
}

func parseOktaJSON(data []byte) (OktaCatalog, error) {
	var doc struct {
		Versions []struct {
			EventTypes []struct {
				OktaEventType
				Info struct {
					Release string `json:"release"`
				} `json:"info"`
				Schema struct {
					DebugData []string `json:"debugData"`
				} `json:"schema"`
			} `json:"eventTypes"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	c := OktaCatalog{}
	for _, v := range doc.Versions {
		for _, et := range v.EventTypes {
			t := et.OktaEventType
			t.Release, t.DebugData = et.Info.Release, et.Schema.DebugData
			if t.ID != "" {
				c[t.ID] = t
			}
		}
	}
	if len(c) == 0 {
		return nil, fmt.Errorf("no eventTypes under versions[]")
	}
	return c, nil
}

// parseOktaCSV reads the CSV form: a header naming at least id (or event
// type) and description columns.
func parseOktaCSV(r io.Reader) (OktaCatalog, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("no rows")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	idCol, ok := firstColumn(col, "id", "event type", "eventtype", "event_type")
	descCol, ok2 := firstColumn(col, "description")
	if !ok || !ok2 {
		return nil, fmt.Errorf("the header names no id and description columns: %v", rows[0])
	}
	catCol, hasCat := firstColumn(col, "category")
	c := OktaCatalog{}
	for _, row := range rows[1:] {
		if idCol >= len(row) || descCol >= len(row) || row[idCol] == "" {
			continue
		}
		t := OktaEventType{ID: row[idCol], Description: row[descCol]}
		if hasCat && catCol < len(row) {
			t.Category = row[catCol]
		}
		c[t.ID] = t
	}
	return c, nil
}

func firstColumn(col map[string]int, names ...string) (int, bool) {
	for _, n := range names {
		if i, ok := col[n]; ok {
			return i, true
		}
	}
	return 0, false
}

// IDs returns the catalogue's event type ids, sorted.
func (c OktaCatalog) IDs() []string {
	ids := make([]string, 0, len(c))
	for id := range c {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
