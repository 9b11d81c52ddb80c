-- Read model of the test projection in test_projections.py: per-stream counters and per-kind totals.
CREATE TABLE proj_counters (
    stream_id text        PRIMARY KEY,
    events    int         NOT NULL,
    total     bigint      NOT NULL,
    last_at   timestamptz NOT NULL
);
CREATE INDEX proj_counters_by_total ON proj_counters (total DESC);

CREATE TABLE proj_totals (
    kind          text   PRIMARY KEY,
    events        bigint NOT NULL CHECK (events >= 0),
    amount        bigint NOT NULL,
    last_position bigint NOT NULL
);
