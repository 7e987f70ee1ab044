package clickhouse

import (
	"strings"

	"github.com/go-faster/city"
	"testing"
	"time"
)

func TestParseDSN(t *testing.T) {
	for _, tt := range []struct {
		dsn, addr, db, cluster, user, password, location string
		maxExec                                          time.Duration
		compress                                         bool
	}{
		{"clickhouse://ch1:9440/logs?cluster=prod", "ch1:9440", "logs", "prod", "", "", "clickhouse://ch1:9440/logs?cluster=prod", defaultMaxExecution, true},
		{"ClickHouse://ch1", "ch1:9000", "oktascope", "", "", "", "clickhouse://ch1:9000/oktascope", defaultMaxExecution, true},
		{"clickhouse://alice:s3cr%40t@ch1:9000/db?secure=true&max_execution_time=30&compress=false", "ch1:9000", "db", "", "alice", "s3cr@t",
			"clickhouse://ch1:9000/db?secure=true", 30 * time.Second, false},
		{"clickhouse://[::1]:9001/", "[::1]:9001", "oktascope", "", "", "", "clickhouse://[::1]:9001/oktascope", defaultMaxExecution, false},
		{"clickhouse://127.0.0.1:9001/x?compress=1", "127.0.0.1:9001", "x", "", "", "", "clickhouse://127.0.0.1:9001/x", defaultMaxExecution, true},
		{"clickhouse://localhost/x", "localhost:9000", "x", "", "", "", "clickhouse://localhost:9000/x", defaultMaxExecution, false},
	} {
		c, err := parseDSN(tt.dsn)
		if err != nil {
			t.Errorf("%s: %v", tt.dsn, err)
			continue
		}
		if c.addr != tt.addr || c.database != tt.db || c.cluster != tt.cluster || c.user != tt.user || c.password != tt.password || c.maxExecution != tt.maxExec ||
			c.compress != tt.compress {
			t.Errorf("%s: %+v", tt.dsn, c)
		}
		if got := c.location(); got != tt.location {
			t.Errorf("%s: location %q, want %q", tt.dsn, got, tt.location)
		}
	}
	for _, dsn := range []string{
		"oktascope.db", "clickhouse:///db", "clickhouse://h/db-1", "clickhouse://h/db?cluster=a;b",
		"clickhouse://h/db?secure=maybe", "clickhouse://h/db?max_execution_time=0", "clickhouse://h/db?password=x",
		"clickhouse://u:pa ss%zz@h/db",
	} {
		if _, err := parseDSN(dsn); err == nil {
			t.Errorf("%s: no error", dsn)
		} else if strings.Contains(err.Error(), "pa ss") {
			t.Errorf("%s: the error shows the password: %v", dsn, err)
		}
	}
}

func TestIsDSN(t *testing.T) {
	for s, want := range map[string]bool{
		"clickhouse://h": true, "CLICKHOUSE://h": true, "clickhouse:/h": false, "./clickhouse://x": false, "oktascope.db": false, "": false,
	} {
		if IsDSN(s) != want {
			t.Errorf("IsDSN(%q) = %v", s, !want)
		}
	}
}

func TestPivotKey(t *testing.T) {
	kind, key := pivotKey(pivotUUID, "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a")
	if kind != pivotUUID || key != 0x1ef598cdc9fd3c0 {
		t.Errorf("v1 uuid: kind %d key %x", kind, key)
	}
	_, later := pivotKey(pivotUUID, "0a000000-598d-11ef-8478-2b7584bf8d5a") // later time_mid, smaller time_low
	if later <= key {
		t.Errorf("v1 keys %x, %x: want them in time order", key, later)
	}
	for _, u := range []string{"DC9FD3C0-598C-11EF-8478-2B7584BF8D5A", "dc9fd3c0-598c-41ef-8478-2b7584bf8d5a", "m1", "dc9fd3c0-598c-11ef-8478-2b7584bf8d5"} {
		if kind, key := pivotKey(pivotUUID, u); kind != pivotOtherUUID || key != city.CH64([]byte(u)) {
			t.Errorf("%q: kind %d key %x", u, kind, key)
		}
	}
	if kind, key := pivotKey(pivotClientIP, "10.0.0.1"); kind != pivotClientIP || key != city.CH64([]byte("10.0.0.1")) {
		t.Errorf("address: kind %d key %x", kind, key)
	}
}
