package oktarules

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/filter"
)

func TestLoadDirFixtures(t *testing.T) {
	rules, skipped, errs := LoadDir("testdata")
	if len(errs) != 2 {
		t.Fatalf("errors = %v, want the two files under bad/", errs)
	}
	for _, err := range errs {
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Path, filepath.Join("testdata", "bad")) {
			t.Errorf("error %v does not name a file under testdata/bad", err)
		}
	}
	if !strings.Contains(errs[0].Error(), "admin_console_login_weak_mfa.yml: detection.okta_systemlog.OIE: filter: column") {
		t.Errorf("filter syntax error = %v", errs[0])
	}
	if len(skipped) != 1 || !strings.HasSuffix(skipped[0].Path, "rapid_application_access.yml") ||
		skipped[0].Reason != "detection has no okta_systemlog filter (it has: explanation, splunk)" {
		t.Fatalf("skipped = %+v", skipped)
	}
	want := []struct{ id, engine, text string }{
		{"e6e88bfdbc27a65cddf1225c9ff0fb12", "OIE", `eventType eq "user.session.access_admin_app" AND outcome.result eq "FAILURE"`},
		{"c490537fcdae239605717ee314bd61c9", "OIE", `eventType in ["system.api_token.create", "system.api_token.update"] AND debugContext.debugData.networkConnection eq "ANYWHERE"`},
		{"0a5e55104e7e4f0b8a4f2b6b3c1d2e3f", "OIE", `eventType eq "security.session.detect_client_roaming"`},
		{"0a5e55104e7e4f0b8a4f2b6b3c1d2e3f", "OCE", `eventType eq "security.session.detect_client_roaming" and outcome.result eq "FAILURE"`},
		{"052d6fd99943e35c76b75411bd2ecc0e", "OIE", `eventType eq "user.mfa.okta_verify.deny_push"`},
	}
	if len(rules) != len(want) {
		t.Fatalf("loaded %d rules, want %d", len(rules), len(want))
	}
	for i, w := range want {
		r := rules[i]
		if r.ID != w.id || r.Engine != w.engine || r.Text != w.text || r.Filter == nil {
			t.Errorf("rule %d = %s %s %q, want %s %s %q", i, r.ID, r.Engine, r.Text, w.id, w.engine, w.text)
		}
	}
}

func TestRuleFields(t *testing.T) {
	rules, err := LoadFile("testdata/detections/session_roaming_both_engines.yml")
	if err != nil {
		t.Fatal(err)
	}
	r := rules[0]
	if r.Title != "Session Roaming Detected" || r.Severity != "high" || r.Author != "oktascope, tests" ||
		r.Description != "Okta detected a session moving to a different client." || len(r.FalsePositives) != 1 {
		t.Errorf("rule = %+v", r)
	}
	rules, err = LoadFile("testdata/detections/access_to_admin_console_denied.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := rules[0].Filter.String(); got != `eventType eq "user.session.access_admin_app" and outcome.result eq "FAILURE"` {
		t.Errorf("filter = %s", got)
	}
	if rules[0].Severity != "" || rules[0].Author != "Okta" || len(rules[0].References) != 1 {
		t.Errorf("rule = %+v", rules[0])
	}
}

func TestParseShapes(t *testing.T) {
	tests := []struct {
		name, yaml, skip, err string
		engine                string
	}{
		{name: "bare filter", yaml: "title: t\ndetection:\n  okta_systemlog: eventType eq \"a\"\n", engine: ""},
		{name: "id from file", yaml: "title: t\ndetection:\n  okta_systemlog:\n    OCE: eventType eq \"a\"\n", engine: "OCE"},
		{name: "no detection", yaml: "title: s", skip: "no detection section"},
		{name: "empty filter", yaml: "title: t\ndetection:\n  okta_systemlog:\n    OIE: ''\n", skip: "detection.okta_systemlog holds no filter (it is empty)"},
		{name: "list", yaml: "title: t\ndetection:\n  okta_systemlog: [a]\n", err: "neither a filter nor a map"},
		{name: "bad engine value", yaml: "title: t\ndetection:\n  okta_systemlog:\n    OIE: [a]\n", err: "okta_systemlog.OIE is not a filter string"},
		{name: "not a map", yaml: "- a\n", err: "cannot unmarshal"},
		{name: "empty", yaml: "", err: "empty file"},
		{name: "bad filter", yaml: "title: t\ndetection:\n  okta_systemlog:\n    OIE: eventType eqq \"a\"\n", err: "x.yml: detection.okta_systemlog.OIE: filter: column 11: unrecognized attribute operator 'eqq'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := Parse("dir/x.yml", []byte(tt.yaml))
			var skip *SkipError
			switch {
			case tt.skip != "":
				if !errors.As(err, &skip) || skip.Reason != tt.skip || skip.Path != "dir/x.yml" {
					t.Fatalf("err = %v, want skip %q", err, tt.skip)
				}
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) || errors.As(err, &skip) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case len(rules) != 1 || rules[0].Engine != tt.engine || rules[0].ID != "x":
				t.Fatalf("rules = %+v", rules)
			}
		})
	}
}

// TestQueriesCorpus wraps each of the 37 filters Okta publishes in the YAML
// shape of its file and loads it.
func TestQueriesCorpus(t *testing.T) {
	f, err := os.Open("../../testdata/okta-samples/okta-customer-detections/queries.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 {
			t.Fatalf("line %q: %d columns", sc.Text(), len(cols))
		}
		doc := "title: " + cols[2] + "\ndetection:\n  okta_systemlog:\n    " + cols[1] + ": |\n      " + cols[3] + "\n"
		rules, err := Parse(cols[0], []byte(doc))
		if err != nil {
			t.Errorf("%s: %v", cols[0], err)
			continue
		}
		if back, err := filter.Parse(rules[0].Filter.String()); err != nil || back.String() != rules[0].Filter.String() {
			t.Errorf("%s: canonical filter does not parse back: %v", cols[0], err)
		}
		n++
	}
	if n != 37 {
		t.Errorf("loaded %d queries, want 37", n)
	}
}

func TestLoadQueries(t *testing.T) {
	rules, errs := LoadQueries("../../testdata/okta-samples/okta-customer-detections/queries.tsv")
	if len(errs) > 0 || len(rules) != 37 {
		t.Fatalf("loaded %d rules, errors %v", len(rules), errs)
	}
	r := rules[0]
	if r.ID != "access_to_admin_console_denied" || r.Path != "detections/access_to_admin_console_denied.yml" ||
		r.Engine != "OIE" || r.Title != "Access to Admin Console Denied" || r.Filter == nil {
		t.Errorf("first rule = %+v", r)
	}
	_, errs = ParseQueries("q.tsv", []byte(queriesHeader+"\na.yml\tOIE\tA\teventType eq \"x\"\nb.yml\tOIE\tB\teventType eqq \"x\"\nc.yml\tOIE\n"))
	if len(errs) != 2 || !strings.HasPrefix(errs[0].Error(), "q.tsv: line 3: b.yml: filter: column 11") ||
		!strings.HasPrefix(errs[1].Error(), "q.tsv: line 4: 2 tab-separated columns") {
		t.Errorf("errors = %v", errs)
	}
	if _, errs := ParseQueries("q.tsv", []byte("a\tb\n")); len(errs) != 1 {
		t.Errorf("a missing header must be an error: %v", errs)
	}
}
