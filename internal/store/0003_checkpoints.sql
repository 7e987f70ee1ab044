-- oktascope store, schema version 3.
--
-- checkpoints keeps, for each collect (an org and a query, named by key),
-- the next link to fetch: the collector saves it after each page it stored,
-- so that an interrupted collect resumes where it stopped. saved is Unix
-- nanoseconds UTC. A link never carries a credential (the collector refuses
-- to save one that holds its token).

CREATE TABLE checkpoints (
    key   TEXT    PRIMARY KEY,
    next  TEXT    NOT NULL,
    saved INTEGER NOT NULL
) WITHOUT ROWID;

-- raw_hash is a 64-bit checksum of the event's raw JSON (CRC-32C and
-- CRC-32 of the bytes, see rawHash in insert.go): an insert of a uuid the
-- store holds compares it with the new event's, and reads the stored JSON
-- only when they differ (a conflict, or the same event in another layout).
-- NULL in rows stored before version 3: their JSON is read.
ALTER TABLE events ADD COLUMN raw_hash INTEGER;
