-- oktascope store, schema version with a narrower targets_alt_id.
--
-- targets_alt_id no longer carries target_id: the searches by a target's
-- alternateId read a few rows each, and the column made the index half
-- again as large (68 → 45 MB at 1M events). The index is dropped here and
-- rebuilt by the store's open, as after a bulk load (deferred_indexes).

DROP INDEX IF EXISTS targets_alt_id;
INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES ('targets_alt_id',
    'CREATE INDEX targets_alt_id ON targets (target_alternate_id) WHERE target_alternate_id IS NOT NULL');
