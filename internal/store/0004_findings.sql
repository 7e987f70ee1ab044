-- oktascope store: the findings of oktascope watch.
--
-- findings holds each finding a watch alerted, by watch and id (the
-- finding's identity: rule, indicator, first cited event), with its state
-- and the alert as JSON. version grows each time the finding grows.
-- finding_deliveries records, per output (stdout, a webhook), the version
-- of each finding it acknowledged: a version it has not is due. Times are
-- Unix nanoseconds UTC. A watch holds few findings (an alert each): its
-- queries read the rows of the watch by primary key, no other index.

CREATE TABLE IF NOT EXISTS findings (
    watch           TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    rule            TEXT    NOT NULL,
    indicator_kind  TEXT    NOT NULL,
    indicator_value TEXT    NOT NULL,
    start_ns        INTEGER NOT NULL,
    end_ns          INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    final           INTEGER NOT NULL,
    detected_ns     INTEGER NOT NULL,
    updated_ns      INTEGER NOT NULL,
    body            BLOB    NOT NULL,
    PRIMARY KEY (watch, id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS finding_deliveries (
    watch     TEXT    NOT NULL,
    output    TEXT    NOT NULL,
    id        TEXT    NOT NULL,
    version   INTEGER NOT NULL, -- the finding's latest version
    delivered INTEGER NOT NULL, -- the version the output acknowledged (0: none)
    updated_ns INTEGER NOT NULL,
    PRIMARY KEY (watch, output, id)
) WITHOUT ROWID;
