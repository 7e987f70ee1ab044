package sigma

import (
	"errors"
	"github.com/oktascope/oktascope/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sigmaDir = samplesDir + "/sigma-okta"

// TestPublicRulesGolden loads the 23 public Sigma rules for Okta and checks
// each conversion (or the reason it has none) against the golden file.
func TestPublicRulesGolden(t *testing.T) {
	rules, errs := LoadDir(sigmaDir)
	for _, err := range errs {
		t.Error(err)
	}
	if len(rules) != 23 {
		t.Fatalf("loaded %d rules, want 23", len(rules))
	}
	var b strings.Builder
	for _, r := range rules {
		if r.ID == "" || r.Author == "" || r.Title == "" || r.Level == "" {
			t.Errorf("%s: missing id, author, title or level: %+v", r.File, r)
		}
		b.WriteString(goldenLine(r))
	}
	golden.Check(t, filepath.Join("testdata", "sigma-convert.golden"), []byte(b.String()))
}

// goldenLine is "file<TAB>filter" or "file<TAB>NOT CONVERTIBLE: reasons".
func goldenLine(r *Rule) string {
	name := filepath.Base(r.File)
	text, err := Convert(r)
	if err != nil {
		var nc *NotConvertibleError
		if !errors.As(err, &nc) {
			return name + "\tERROR: " + err.Error() + "\n"
		}
		return name + "\tNOT CONVERTIBLE: " + strings.Join(nc.Reasons, "; ") + "\n"
	}
	return name + "\t" + text + "\n"
}

// TestHandWrittenConversions checks conversions of public rules against
// filters written by hand from the rules' YAML.
func TestHandWrittenConversions(t *testing.T) {
	want := map[string]string{
		"okta_new_behaviours_admin_console.yml":            `eventType eq "policy.evaluate_sign_on" and target.displayName eq "Okta Admin Console" and (debugContext.debugData.behaviors co "POSITIVE" or debugContext.debugData.logOnlySecurityData co "POSITIVE")`,
		"okta_apt_suspicious_user_creation.yml":            `(eventType eq "user.lifecycle.create" or eventType eq "user.lifecycle.activate") and target.displayName co "svc_network_backup"`,
		"okta_admin_activity_from_proxy_query.yml":         `debugContext.debugData.requestUri co "admin" and securityContext.isProxy eq "true"`,
		"okta_mfa_reset_or_deactivated.yml":                `eventType eq "user.mfa.factor.deactivate" or eventType eq "user.mfa.factor.reset_all"`,
		"okta_unauthorized_access_to_app.yml":              `displayMessage eq "User attempted unauthorized access to app"`,
		"okta_user_session_start_via_anonymised_proxy.yml": `eventType eq "user.session.start" and securityContext.isProxy eq "true"`,
	}
	for file, filterText := range want {
		r, err := LoadFile(filepath.Join(sigmaDir, file))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Convert(r); err != nil || got != filterText {
			t.Errorf("%s:\n got %s (%v)\nwant %s", file, got, err, filterText)
		}
	}
}

func TestPasswordInAlternateIDIsNotConvertible(t *testing.T) {
	r, err := LoadFile(filepath.Join(sigmaDir, "okta_password_in_alternateid_field.yml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Convert(r)
	want := "okta_password_in_alternateid_field.yml: not convertible to an Okta filter: field modifier |re on actor.alternateId has no equivalent in Okta's filter language"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("Convert error = %v, want …%s", err, want)
	}
	pre, err := r.Filter()
	if err == nil || pre == nil || pre.String() != `legacyEventType eq "core.user_auth.login_failed"` {
		t.Errorf("prefilter = %v (%v)", pre, err)
	}
	if r.Convertible() {
		t.Error("Convertible() = true")
	}
	if r.ID != "91b76b84-8589-47aa-9605-c837583b82a9" || r.Author != "kelnage" || r.Date != "2023-04-03" ||
		r.Modified != "2026-04-27" || r.Level != "high" || r.Status != "test" || len(r.References) != 3 ||
		len(r.Tags) != 2 || r.LogSource != (LogSource{Product: "okta", Service: "okta"}) ||
		!strings.HasPrefix(r.Description, "Detects when a user") || r.FalsePositives[0] != "Unlikely" {
		t.Errorf("metadata = %+v", r)
	}
	m := r.Matcher()
	failed := func(id string) bool {
		return m.Match(event(t, map[string]any{"legacyEventType": "core.user_auth.login_failed", "actor.alternateId": id}))
	}
	if failed("jane@example.com") || failed("0oa1b2c3") || !failed("Hunter2!") {
		t.Error("matcher: emails and 0oa ids must be excluded, a password-like id kept")
	}
}

func TestLoadDirReportsEveryBadFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"good.yml":         ruleYAMLText("    sel:\n        eventType: a\n    condition: sel\n"),
		"bad_yaml.yml":     "title: [unclosed\n",
		"windows.yaml":     strings.Replace(ruleYAMLText("    sel:\n        eventType: a\n    condition: sel\n"), "product: okta", "product: windows", 1),
		"modifier.yml":     ruleYAMLText("    sel:\n        eventType|base65: a\n    condition: sel\n"),
		"notes.txt":        "not a rule",
		".hidden/skip.yml": "title: [",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rules, errs := LoadDir(dir)
	if len(rules) != 1 || filepath.Base(rules[0].File) != "good.yml" {
		t.Errorf("rules = %v", rules)
	}
	want := []string{
		"bad_yaml.yml: yaml: line 1: did not find expected ',' or ']'",
		`modifier.yml: detection: selection "sel": key "eventType|base65": unknown field modifier |base65`,
		`windows.yaml: logsource product "windows", service "okta" is not Okta's System Log: only product okta (service okta or none) is supported`,
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v", errs)
	}
	for i, w := range want {
		var fe *FileError
		if !errors.As(errs[i], &fe) || filepath.Dir(fe.Path) != dir || !strings.HasSuffix(errs[i].Error(), w) {
			t.Errorf("error %d = %v, want …%s", i, errs[i], w)
		}
	}
}
