package sigma

import (
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	sel := "    sel:\n        eventType: a\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"bad yaml", "title: x\ndetection: [\n", "yaml: line"},
		{"empty", "", "empty file"},
		{"two documents", ruleYAMLText(sel+"    condition: sel\n") + "---\ntitle: y\n", "more than one YAML document"},
		{"no title", strings.Replace(ruleYAMLText(sel+"    condition: sel\n"), "title: Test rule", "", 1), "missing title"},
		{"windows", strings.Replace(ruleYAMLText(sel+"    condition: sel\n"), "product: okta", "product: windows", 1), `logsource product "windows", service "okta" is not Okta's System Log`},
		{"other service", strings.Replace(ruleYAMLText(sel+"    condition: sel\n"), "service: okta", "service: sso", 1), `service "sso" is not Okta's`},
		{"no logsource", "title: t\ndetection:\n" + sel + "    condition: sel\n", `logsource product "", service "" is not Okta's`},
		{"no detection", "title: t\nlogsource:\n    product: okta\n", "detection: missing"},
		{"no condition", ruleYAMLText(sel), "detection: missing condition"},
		{"keywords list", ruleYAMLText("    keywords:\n        - evil\n    condition: keywords\n"), `selection "keywords": keywords are not supported`},
		{"keyword string", ruleYAMLText("    kw: evil\n    condition: kw\n"), "keywords are not supported"},
		{"keyword modifier", ruleYAMLText("    kw:\n        '|contains': evil\n    condition: kw\n"), "keywords are not supported"},
		{"unknown modifier", ruleYAMLText("    sel:\n        eventType|containz: a\n    condition: sel\n"), `key "eventType|containz": unknown field modifier |containz`},
		{"windows modifier", ruleYAMLText("    sel:\n        eventType|base64offset|contains: a\n    condition: sel\n"), "field modifier |base64offset is not supported for Okta events"},
		{"two kinds", ruleYAMLText("    sel:\n        eventType|contains|startswith: a\n    condition: sel\n"), "field modifiers |contains and |startswith cannot be combined"},
		{"flag without re", ruleYAMLText("    sel:\n        eventType|i: a\n    condition: sel\n"), "apply only to |re"},
		{"bad regexp", ruleYAMLText("    sel:\n        eventType|re: '(?<=a)b'\n    condition: sel\n"), "is not a regular expression Go accepts"},
		{"bad cidr", ruleYAMLText("    sel:\n        client.ipAddress|cidr: 10.0.0.0/33\n    condition: sel\n"), `|cidr value "10.0.0.0/33" is not a CIDR prefix`},
		{"exists string", ruleYAMLText("    sel:\n        eventType|exists: yes\n    condition: sel\n"), "|exists takes true or false"},
		{"null contains", ruleYAMLText("    sel:\n        eventType|contains: null\n    condition: sel\n"), "a null value cannot be used with |contains"},
		{"empty selection", ruleYAMLText("    sel:\n    condition: sel\n"), `selection "sel": is empty`},
		{"empty list", ruleYAMLText("    sel:\n        eventType: []\n    condition: sel\n"), "empty list of values"},
		{"map value", ruleYAMLText("    sel:\n        eventType:\n            a: b\n    condition: sel\n"), "the value is a map"},
		{"unknown selection", ruleYAMLText(sel + "    condition: sel and other\n"), `condition "sel and other": unknown selection "other" (the detection defines sel)`},
		{"dangling and", ruleYAMLText(sel + "    condition: sel and\n"), "expected a selection name, found the end of the condition"},
		{"unclosed", ruleYAMLText(sel + "    condition: (sel\n"), "expected ')'"},
		{"extra token", ruleYAMLText(sel + "    condition: sel sel\n"), `unexpected "sel"`},
		{"no match", ruleYAMLText(sel + "    condition: 1 of filter*\n"), "'1 of filter*': no selection matches filter*"},
		{"bad timeframe", ruleYAMLText(sel + "    timeframe: 5 minutes\n    condition: sel | count() > 3\n"), `timeframe "5 minutes": expected a number and a unit`},
		{"bad aggregation", ruleYAMLText(sel + "    condition: sel | count() by\n"), "expected count([field]) [by field[, field]] > N"},
		{"avg", ruleYAMLText(sel + "    condition: sel | avg(x) > 3\n"), "only count() is supported, not avg()"},
		{"less than", ruleYAMLText(sel + "    condition: sel | count() < 3\n"), "only > and >= are supported"},
		{"near", ruleYAMLText(sel + "    condition: sel | near sel\n"), "'near' is not supported"},
		{"agg in list", ruleYAMLText(sel + "    condition:\n        - sel | count() > 1\n        - sel\n"), "only supported in a single condition"},
		{"correlation", "title: c\ncorrelation:\n    type: event_count\n", "correlation rules are not supported"},
		{"too big", strings.Repeat("#", MaxRuleSize+1), "the limit is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDeepConditionIsAnError(t *testing.T) {
	cond := strings.Repeat("(", 200) + "sel" + strings.Repeat(")", 200)
	_, err := Parse([]byte(ruleYAMLText("    sel:\n        eventType: a\n    condition: " + cond + "\n")))
	if err == nil || !strings.Contains(err.Error(), "nests deeper than") {
		t.Fatalf("err = %v", err)
	}
}
