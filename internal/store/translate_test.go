package store

import (
	"fmt"
	"testing"

	"github.com/oktascope/oktascope/internal/filter"
)

func TestTranslate(t *testing.T) {
	const sess = "e.id IN (SELECT event FROM targets WHERE "
	tests := []struct {
		filter, sql, args, residual string
	}{
		{`eventType eq "user.session.start"`, `e.event_type = ?`, `[user.session.start]`, ``},
		{`EVENTTYPE eq "a"`, `e.event_type = ?`, `[a]`, ``},
		{`actor.id ne "x"`, `e.actor_id <> ?`, `[x]`, ``},
		{`actor.alternateId gt "m"`, `e.actor_alternate_id > ?`, `[m]`, ``},
		{`client.ipAddress le "10."`, `e.client_ip <= ?`, `[10.]`, ``},
		{`eventType sw "user.mfa."`, `(e.event_type >= ? AND e.event_type < ?)`, `[user.mfa. user.mfa/]`, ``},
		{`eventType sw "a\u00ff"`, `(e.event_type >= ? AND e.event_type < ?)`, "[a\xc3\xbf a\xc3\xc0]", ``}, // ÿ is C3 BF
		{`displayMessage co "log"`, `instr(CAST(e.display_message AS BLOB), ?) > 0`, `[[108 111 103]]`, ``},
		{`actor.alternateId ew "@x"`, `substr(CAST(e.actor_alternate_id AS BLOB), ?) = ?`, `[-2 [64 120]]`, ``},
		{`actor.id sw ""`, `e.actor_id IS NOT NULL`, `[]`, ``},
		{`actor.id pr`, `e.actor_id IS NOT NULL`, `[]`, ``},
		{`actor.id eq null`, `e.actor_id IS NULL`, `[]`, ``},
		{`actor.id ne null`, `e.actor_id IS NOT NULL`, `[]`, ``},
		{`actor.id gt null`, `0`, `[]`, ``},
		{`eventType pr`, `1`, `[]`, ``},
		{`uuid eq "x"`, `e.uuid_key = ?`, `[[0 120]]`, ``},
		{`uuid in ["x", "y"]`, `e.uuid_key IN (?, ?)`, `[[0 120] [0 121]]`, ``},
		{`uuid sw "x"`, `(e.uuid >= ? AND e.uuid < ?)`, `[x y]`, ``},
		{`uuid pr`, `1`, `[]`, ``},
		{`eventType eq null`, `0`, `[]`, ``},
		{`target.id eq "00u1"`, sess + `target_id = ?)`, `[00u1]`, ``},
		{`target.alternateId co "@"`, sess + `instr(CAST(target_alternate_id AS BLOB), ?) > 0)`, `[[64]]`, ``},
		{`target.id pr`, sess + `target_id IS NOT NULL)`, `[]`, ``},
		{`target.id eq null`, `e.id NOT IN (SELECT event FROM targets WHERE target_id IS NOT NULL)`, `[]`, ``},
		{`target.id in ["a", null]`, `(e.id NOT IN (SELECT event FROM targets WHERE target_id IS NOT NULL) OR ` + sess + `target_id = ?))`, `[a]`, ``},
		{`eventType in ["a", "b"]`, `e.event_type IN (?, ?)`, `[a b]`, ``},
		{`actor.id in [null]`, `e.actor_id IS NULL`, `[]`, ``},
		{`eventType eq "a" or eventType eq "b" or eventType in ["c"]`, `e.event_type IN (?, ?, ?)`, `[a b c]`, ``},
		{`(actor.id eq "u" or target.id eq "u") and (eventType eq "a" or eventType eq "b")`,
			`((e.actor_id = ? OR ` + sess + `target_id = ?)) AND +e.event_type IN (?, ?))`, `[u u a b]`, ``},
		{`target.id eq "a" or target.id eq "b"`, sess + `target_id IN (?, ?))`, `[a b]`, ``},
		{`not (outcome.result eq "SUCCESS")`, `NOT coalesce(e.outcome_result = ?, 0)`, `[SUCCESS]`, ``},
		{`published gt "2024-03-01T00:00:00Z"`, `e.published > ?`, `[1709251200000000000]`, ``},
		{`published le "2024-03-01T01:00:00+01:00"`, `e.published <= ?`, `[1709251200000000000]`, ``},
		{`published pr`, `1`, `[]`, ``},
		{`published in ["2024-03-01T00:00:00Z", null]`, `e.published IN (?)`, `[1709251200000000000]`, ``},
		// Residual: other paths, types, time literals on text, string ops on published.
		{`client.zone eq "x"`, ``, `[]`, `client.zone eq "x"`},
		{`actor.id eq 5`, ``, `[]`, `actor.id eq 5`},
		{`actor.id eq true`, ``, `[]`, `actor.id eq true`},
		{`displayMessage eq "2024-03-01T00:00:00Z"`, ``, `[]`, `displayMessage eq "2024-03-01T00:00:00Z"`},
		{`published sw "2024"`, ``, `[]`, `published sw "2024"`},
		{`published gt "2024"`, ``, `[]`, `published gt "2024"`},
		{`published gt "3000-01-01T00:00:00Z"`, ``, `[]`, `published gt "3000-01-01T00:00:00Z"`},
		{`target.0.id eq "x"`, ``, `[]`, `target.0.id eq "x"`},
		{`eventType eq "a" or client.zone eq "x"`, ``, `[]`, `eventType eq "a" or client.zone eq "x"`},
		{`not (eventType eq "a" and client.zone eq "x")`, ``, `[]`, `not (eventType eq "a" and client.zone eq "x")`},
		// A top-level and keeps its translatable terms.
		{`eventType eq "a" and client.zone eq "x" and actor.id eq "u" and actor.type eq "User"`,
			`(+e.event_type = ? AND e.actor_id = ?)`, `[a u]`, `client.zone eq "x" and actor.type eq "User"`},
		// No demotion when the indicator is not in every branch.
		{`(actor.id eq "u" or eventType eq "x") and outcome.result eq "FAILURE"`,
			`((e.actor_id = ? OR e.event_type = ?) AND e.outcome_result = ?)`, `[u x FAILURE]`, ``},
		{`not (actor.id eq "u") and eventType eq "x"`,
			`(NOT coalesce(e.actor_id = ?, 0) AND e.event_type = ?)`, `[u x]`, ``},
	}
	for _, tt := range tests {
		where, residual := translate(filter.MustParse(tt.filter))
		args := fmt.Sprint(where.Args)
		if where.Args == nil {
			args = "[]"
		}
		res := ""
		if residual != nil {
			res = residual.String()
		}
		if where.SQL != tt.sql || args != tt.args || res != tt.residual {
			t.Errorf("%s\n got  %s %s | %s\n want %s %s | %s", tt.filter, where.SQL, args, res, tt.sql, tt.args, tt.residual)
		}
	}
}

func TestPrefixRange(t *testing.T) {
	for _, tt := range []struct{ p, hi string }{
		{"a", "b"}, {"ab\xff", "ac"}, {"\xff\xff", ""}, {"a\xff\xff", "b"},
	} {
		f := prefixRange("c", tt.p)
		var hi string
		if len(f.Args) == 2 {
			hi = f.Args[1].(string)
		}
		if hi != tt.hi {
			t.Errorf("prefixRange(%q): upper bound %q, want %q (%s)", tt.p, hi, tt.hi, f.SQL)
		}
	}
}

func TestUUIDKey(t *testing.T) {
	// Okta's uuids are version 1: 1ef598c0 is time_low, 598c time_mid,
	// 11ef version and time_hi.
	early := uuidKey("dc9fd3c0-598c-11ef-8478-2b7584bf8d5a")
	later := uuidKey("0a000000-598d-11ef-8478-2b7584bf8d5a") // later time_mid, smaller time_low
	if len(early) != 17 || early[0] != 1 || string(early) >= string(later) {
		t.Errorf("v1 keys %x, %x: want 17 bytes, ordered by time", early, later)
	}
	seen := map[string]string{}
	for _, u := range []string{
		"dc9fd3c0-598c-11ef-8478-2b7584bf8d5a", "DC9FD3C0-598C-11EF-8478-2B7584BF8D5A", // case matters
		"dc9fd3c0-598c-41ef-8478-2b7584bf8d5a", // version 4: kept as is
		"uuid", "", "\x01", "dc9fd3c0598c11ef84782b7584bf8d5a", "dc9fd3c0-598c-11ef-8478-2b7584bf8d5", "dc9fd3c0-598c-11ef-8478-2b7584bf8d5g",
	} {
		k := string(uuidKey(u))
		if other, dup := seen[k]; dup {
			t.Errorf("uuidKey(%q) == uuidKey(%q)", u, other)
		}
		seen[k] = u
	}
}
