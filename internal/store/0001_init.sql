-- oktascope store, schema version 1.
--
-- events holds one row per event (unique by uuid): the pivot columns that
-- filters are pushed down to, a few display columns, and published as unix
-- nanoseconds UTC. Empty strings are stored as NULL, as the filter evaluator
-- treats them as absent. The original JSON lives in raw, a separate table so
-- that scans of events stay narrow. targets has one row per element of
-- target[] that has an id or an alternateId.

PRAGMA application_id = 1332433763; -- 0x4F6B5363, "OkSc"

CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT    NOT NULL,
    uuid_key           BLOB    NOT NULL UNIQUE, -- see uuidKey in insert.go
    published          INTEGER NOT NULL,
    event_type         TEXT    NOT NULL,
    actor_id           TEXT,
    actor_alternate_id TEXT,
    actor_display_name TEXT,
    client_ip          TEXT,
    session_id         TEXT,
    outcome_result     TEXT,
    severity           TEXT,
    display_message    TEXT,
    city               TEXT,
    country            TEXT
);

CREATE TABLE raw (
    id   INTEGER PRIMARY KEY,
    json BLOB NOT NULL
);

CREATE TABLE targets (
    event               INTEGER NOT NULL,
    pos                 INTEGER NOT NULL,
    target_id           TEXT,
    target_alternate_id TEXT,
    PRIMARY KEY (event, pos)
) WITHOUT ROWID;

-- Counters kept in step with events by every insert transaction, so that
-- Stats and EventTypeCounts need no scan.
CREATE TABLE event_type_counts (
    event_type TEXT PRIMARY KEY,
    n          INTEGER NOT NULL
) WITHOUT ROWID;

-- The definitions of the indexes a bulk load dropped (see bulk.go); an
-- open store rebuilds them.
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    sql  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX events_published      ON events (published);
CREATE INDEX events_event_type     ON events (event_type, published);
CREATE INDEX events_actor_id       ON events (actor_id, published) WHERE actor_id IS NOT NULL;
CREATE INDEX events_actor_alt_id   ON events (actor_alternate_id, published) WHERE actor_alternate_id IS NOT NULL;
CREATE INDEX events_client_ip      ON events (client_ip, published) WHERE client_ip IS NOT NULL;
CREATE INDEX events_session_id     ON events (session_id, published) WHERE session_id IS NOT NULL;
CREATE INDEX events_outcome_result ON events (outcome_result, published) WHERE outcome_result IS NOT NULL;
CREATE INDEX targets_id            ON targets (target_id) WHERE target_id IS NOT NULL;
CREATE INDEX targets_alt_id        ON targets (target_alternate_id, target_id) WHERE target_alternate_id IS NOT NULL;
