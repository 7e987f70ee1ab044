-- oktascope store, schema version with per-minute counters.
--
-- minute_counts counts the events published in each minute (minute m holds
-- published in [m * 60e9, (m + 1) * 60e9) Unix nanoseconds, floor
-- division), kept in step with events by every insert transaction, so that
-- an unfiltered histogram sums a few thousand counters instead of counting
-- millions of index entries (histogram.go).

CREATE TABLE minute_counts (
    minute INTEGER PRIMARY KEY,
    n      INTEGER NOT NULL
);

INSERT INTO minute_counts
SELECT CASE WHEN published >= 0 THEN published / 60000000000
            ELSE -((-(published + 1)) / 60000000000) - 1 END AS m, count(*)
FROM events GROUP BY m;
