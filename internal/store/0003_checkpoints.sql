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
