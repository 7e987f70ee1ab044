-- oktascope store, schema version 2.
--
-- ip_users summarizes, for every client IP address, the users (actors of
-- type User) acting from it: how many events and when. Scope pivots through
-- IP addresses read it instead of every event of the address, which for a
-- shared office address can be hundreds of thousands. Insert keeps it in
-- step with events in the same transaction. user_key is actor.id, or
-- actor.alternateId when the id is empty; published as in events.

CREATE TABLE ip_users (
    client_ip          TEXT    NOT NULL,
    user_key           TEXT    NOT NULL,
    actor_id           TEXT,
    actor_alternate_id TEXT,
    actor_display_name TEXT,
    events             INTEGER NOT NULL,
    first              INTEGER NOT NULL,
    last               INTEGER NOT NULL,
    PRIMARY KEY (client_ip, user_key)
) WITHOUT ROWID;

-- A store of schema version 1 gets the summary of the events it holds. The
-- actor's type is not a column, so it is read from the raw JSON.
INSERT INTO ip_users
SELECT e.client_ip, coalesce(e.actor_id, e.actor_alternate_id),
       max(e.actor_id), max(e.actor_alternate_id), max(e.actor_display_name),
       count(*), min(e.published), max(e.published)
FROM events e JOIN raw r ON r.id = e.id
WHERE e.client_ip IS NOT NULL AND e.client_ip <> 'null'
  AND coalesce(e.actor_id, e.actor_alternate_id) IS NOT NULL
  AND json_valid(r.json) AND lower(json_extract(r.json, '$.actor.type')) = 'user'
GROUP BY e.client_ip, coalesce(e.actor_id, e.actor_alternate_id);
