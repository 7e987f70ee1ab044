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

-- raw_dicts holds the zstd dictionaries blocks are compressed with: each
-- the JSON of some of the store's first events (raw content), id as named
-- in the blocks' zstd frames.
CREATE TABLE raw_dicts (
    id      INTEGER PRIMARY KEY,
    content BLOB    NOT NULL
);
