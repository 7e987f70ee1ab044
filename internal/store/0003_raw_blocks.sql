-- oktascope store, schema version with compressed blocks of raw JSON.
--
-- raw_blocks holds the original JSON of the events inserted from this
-- version on, in blocks of consecutive event ids compressed with zstd
-- (see blocks.go): id is the block's first event id, n its number of
-- events. The events a store held before keep their JSON in raw, read as
-- it is; new events add no row to raw.

CREATE TABLE raw_blocks (
    id   INTEGER PRIMARY KEY,
    n    INTEGER NOT NULL,
    data BLOB    NOT NULL
);
