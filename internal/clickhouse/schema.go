package clickhouse

import (
	"context"
	"fmt"
	"strings"
)

// The schema (docs/clickhouse.md explains it). Every statement runs on
// every server of the cluster: 18.16 has no ON CLUSTER without ZooKeeper.
// {db} stands for the database, {cluster} for the cluster.
//
// events_local holds one row per event, in time order (the primary key
// starts with published, so that a time window is a range of the table):
// the filterable fields as columns ("" where absent), the raw JSON byte for
// byte, and raw_form (pushdown.Form: bit 1 when the JSON does not spell its
// string values verbatim, bit 2 when it is not ASCII). published is the
// second, clamped to what DateTime holds; published_ns the exact instant.
// received orders events by insertion (ByReceived). Rows with the same
// (published, uuid) collapse when parts merge; reads never depend on it.
//
// pivots_local is a time index for the indicators: for each value of uuid,
// actor.id, actor.alternateId, target.id, target.alternateId,
// client.ipAddress and externalSessionId, the seconds in which an event
// has it. A search for an indicator reads the few granules of events_local
// holding those seconds. The materialized view fills it on the shard that
// stores the event, so each shard answers from its own pivots. uuids are
// keyed by their timestamp first (uuidPivotKeySQL), so that the uuids of a
// chronological batch are neighbours.
var schema = []string{
	`CREATE DATABASE IF NOT EXISTS {db}`,
	`CREATE TABLE IF NOT EXISTS {db}.events_local (
    published           DateTime,
    published_ns        Int64,
    received            UInt64,
    uuid                String,
    event_type          String,
    severity            String,
    display_message     String,
    actor_id            String,
    actor_alternate_id  String,
    actor_display_name  String,
    actor_type          String,
    user_key            String,
    target_id           Array(String),
    target_alternate_id Array(String),
    target_type         Array(String),
    client_ip           String,
    user_agent          String,
    city                String,
    country             String,
    session_id          String,
    outcome_result      String,
    outcome_reason      String,
    raw_form            UInt8,
    raw                 String
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(published)
ORDER BY (published, uuid)
SETTINGS index_granularity = 256`,
	`CREATE TABLE IF NOT EXISTS {db}.pivots_local (
    kind      UInt8,
    key       String,
    published DateTime
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(published)
ORDER BY (kind, key, published)`,
	`CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.pivots_mv TO {db}.pivots_local AS
SELECT p.1 AS kind, p.2 AS key, published
FROM {db}.events_local
ARRAY JOIN arrayFilter(x -> x.2 != '', arrayConcat(
    [(toUInt8(0), ` + uuidPivotKeySQL + `), (toUInt8(1), actor_id), (toUInt8(2), actor_alternate_id),
     (toUInt8(5), client_ip), (toUInt8(6), session_id)],
    arrayMap(x -> (toUInt8(3), x), target_id),
    arrayMap(x -> (toUInt8(4), x), target_alternate_id))) AS p`,
	`CREATE TABLE IF NOT EXISTS {db}.checkpoints_local (
    key     String,
    next    String,
    version UInt64,
    deleted UInt8
) ENGINE = ReplacingMergeTree(version)
ORDER BY key`,
}

// distributedSchema adds, with a cluster, the tables every query goes
// through: rows are sharded by uuid (so that a uuid's rows meet on one
// shard) and checkpoints by key.
var distributedSchema = []string{
	`CREATE TABLE IF NOT EXISTS {db}.events AS {db}.events_local
ENGINE = Distributed({cluster}, {db}, events_local, cityHash64(uuid))`,
	`CREATE TABLE IF NOT EXISTS {db}.checkpoints AS {db}.checkpoints_local
ENGINE = Distributed({cluster}, {db}, checkpoints_local, cityHash64(key))`,
}

// The kinds of pivot.
const (
	pivotUUID uint8 = iota
	pivotActorID
	pivotActorAlternateID
	pivotTargetID
	pivotTargetAlternateID
	pivotClientIP
	pivotSession
)

// uuidPivotKeySQL is the pivot key of the column uuid: a version 1 UUID in
// lower case becomes "1" then its time fields (high, middle, low) then the
// rest, so that keys sort by the UUID's timestamp; any other string "0"
// then itself. uuidPivotKey is the same in Go.
const uuidPivotKeySQL = `if(match(uuid, '^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$'),
        concat('1', substring(uuid, 15, 4), substring(uuid, 10, 4), substring(uuid, 1, 8), substring(uuid, 19, 18)),
        concat('0', uuid))`

// uuidPivotKey is uuidPivotKeySQL in Go.
func uuidPivotKey(u string) string {
	if !isV1UUID(u) {
		return "0" + u
	}
	return "1" + u[14:18] + u[9:13] + u[0:8] + u[18:]
}

// isV1UUID reports whether u is a version 1 UUID written in lower case.
func isV1UUID(u string) bool {
	if len(u) != 36 || u[14] != '1' {
		return false
	}
	for i := range len(u) {
		switch c := u[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case (c < '0' || c > '9') && (c < 'a' || c > 'f'):
			return false
		}
	}
	return true
}

// createSchema creates what is missing of the schema on one server.
func createSchema(ctx context.Context, exec func(context.Context, string) error, db, cluster string) error {
	statements := schema
	if cluster != "" {
		statements = append(append([]string(nil), schema...), distributedSchema...)
	}
	for _, s := range statements {
		s = strings.NewReplacer("{db}", db, "{cluster}", cluster).Replace(s)
		if err := exec(ctx, s); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	return nil
}
