package catalog

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEmbeddedData(t *testing.T) {
	if _, err := load(); err != nil {
		t.Fatalf("the embedded data is malformed: %v", err)
	}
}

// embeddedFiles returns a copy of the embedded data files.
func embeddedFiles(t *testing.T) fstest.MapFS {
	t.Helper()
	files := fstest.MapFS{}
	for _, name := range []string{eventTypesFile, sequencesFile, playbooksFile} {
		content, err := fs.ReadFile(dataFS, name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = &fstest.MapFile{Data: content}
	}
	return files
}

func TestMalformedDataIsRejected(t *testing.T) {
	tests := []struct {
		name, file, old, new, wantError string
	}{
		{"unknown key", eventTypesFile, "  kind: field\n", "  kind: field\n  colour: red\n", "colour"},
		{"unknown kind", eventTypesFile, "kind: field", "kind: column", "kind"},
		{"unknown source", eventTypesFile, "source: okta-event-types", "source: blog", "source"},
		{"repeated event type", eventTypesFile, "- id: user.session.end", "- id: user.session.start", "defined twice"},
		{"empty description", eventTypesFile, `description: "Update factor for user."`, `description: ""`, "no description"},
		{"not YAML", eventTypesFile, "- id: actor.id", "- id: [actor.id", "decode"},
		{"step with unknown event", sequencesFile, "[user.session.start]", "[user.sesion.start]", "unknown event type"},
		{"step naming a field", sequencesFile, "[user.session.start]", "[actor.id]", "unknown event type"},
		{"step with events and ref", sequencesFile, "      ref: mfa\n      optional: true\n      description: \"If a policy requires multifactor",
			"      ref: mfa\n      events: [user.session.start]\n      optional: true\n      description: \"If a policy requires multifactor", "not both"},
		{"ref to unknown sequence", sequencesFile, "ref: mfa", "ref: mfaa", "unknown sequence"},
		{"repeated sequence", sequencesFile, "- name: ssu", "- name: sspr", "repeated"},
		{"two step descriptions for one type", sequencesFile, "    - label: factor activated\n      events: [user.mfa.factor.activate]\n",
			"    - label: factor activated\n      events: [user.mfa.factor.activate]\n      description: other words\n", "two different"},
		{"placeholder missing", playbooksFile, `placeholder: "<enter ip address here>"`, `placeholder: "<enter ip>"`, "does not contain"},
		{"placeholder unquoted", playbooksFile, `(client.ipAddress eq "<enter ip address here>")`,
			`(client.ipAddress eq <enter ip address here>)`, "outside a quoted string"},
		{"unknown parameter", playbooksFile, "parameter: ip", "parameter: address", "parameter"},
		{"filter with unknown event type", playbooksFile, `(eventType eq "user.session.end") or`,
			`(eventType eq "user.session.ended") or`, "unknown event type"},
		{"missing file", playbooksFile, "", "", "read"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			files := embeddedFiles(t)
			if test.old == "" {
				delete(files, test.file)
			} else {
				content := string(files[test.file].Data)
				if !strings.Contains(content, test.old) {
					t.Fatalf("%s does not contain %q", test.file, test.old)
				}
				files[test.file].Data = []byte(strings.Replace(content, test.old, test.new, 1))
			}
			_, err := parse(files)
			if err == nil || !strings.Contains(err.Error(), test.wantError) {
				t.Errorf("parse error %v, want one mentioning %q", err, test.wantError)
			}
		})
	}
}
