-- A run's steps and calls are the events of its stream in ingest's log, which is indexed by
-- (stream_id, stream_version): `GET /v1/runs/{id}` reads them there. The table of pointers
-- to those events was a row and an index entry more per event on the ingest path, for a list
-- the log already keeps in order (ADR 0015, eighth measurement).
DROP TABLE IF EXISTS run_items;
