-- A run's items point at their events in ingest's own log (`position` = the event's
-- global_position) instead of keeping a second copy of each event's JSON. The copy was as
-- large as the log row itself: ~600 bytes of WAL and of table per LLM call, measured under
-- load, and a jsonb parse per item. The run detail reads the JSON from the log by primary
-- key; the log is append-only, so what an item points at cannot change under it.
ALTER TABLE run_items ADD COLUMN position bigint;
UPDATE run_items i SET position = e.global_position FROM events e WHERE e.event_id = i.event_id;
ALTER TABLE run_items ALTER COLUMN position SET NOT NULL;
ALTER TABLE run_items DROP COLUMN data;
