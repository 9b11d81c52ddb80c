-- Policies read model: a projection of budget's own log (projection "policies").
CREATE TABLE policies (
    policy_id            text        PRIMARY KEY,
    name                 text        NOT NULL,
    scope_kind           text        NOT NULL,
    scope_id             text        NOT NULL,
    team_id              text,
    period               text        NOT NULL,
    timezone             text        NOT NULL,
    limit_micros         bigint      NOT NULL,
    mode                 text        NOT NULL,
    thresholds           int[]       NOT NULL,
    archived             boolean     NOT NULL DEFAULT false,
    current_period_start timestamptz,
    current_period_end   timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    -- The policy stream's version: the roller appends with it as the expected version.
    stream_version       int         NOT NULL
);
CREATE INDEX policies_by_scope ON policies (scope_kind, scope_id) WHERE NOT archived;
CREATE INDEX policies_by_team ON policies (team_id, created_at DESC, policy_id DESC);

-- Blocked pre-flight checks: a projection of budget.call.blocked.v1 (projection "blocked").
CREATE TABLE blocked_calls (
    block_id        text        PRIMARY KEY,
    position        bigint      NOT NULL,
    policy_id       text        NOT NULL,
    policy_name     text        NOT NULL,
    team_id         text,
    agent_id        text        NOT NULL,
    run_id          text,
    model           text        NOT NULL,
    estimated_micros bigint     NOT NULL,
    spent_micros    bigint      NOT NULL,
    reserved_micros bigint      NOT NULL,
    limit_micros    bigint      NOT NULL,
    retry_after_s   int         NOT NULL,
    occurred_at     timestamptz NOT NULL
);
CREATE INDEX blocked_by_position ON blocked_calls (position DESC);
CREATE INDEX blocked_by_policy ON blocked_calls (policy_id, position DESC);
CREATE INDEX blocked_by_team ON blocked_calls (team_id, position DESC);

-- What budget knows of other contexts, written by its consumers in the inbox transaction:
-- agent -> team and allowed models (registry.agent.*), run -> agent (ingest.run.*).
CREATE TABLE agents (
    agent_id        text        PRIMARY KEY,
    team_id         text        NOT NULL,
    allowed_models  text[]      NOT NULL DEFAULT '{}',
    retired         boolean     NOT NULL DEFAULT false,
    source_sequence bigint,
    changed_at      timestamptz NOT NULL
);
CREATE TABLE runs (
    run_id     text        PRIMARY KEY,
    agent_id   text        NOT NULL,
    team_id    text,
    started_at timestamptz,
    ended_at   timestamptz
);

-- The spend ledger: one row per (policy, period). The spend handler updates it in the
-- same transaction as the inbox rows and the `budget.spend.applied` event that records
-- each change (with the new total and `version`), so the Redis counters can be rebuilt
-- from it and a stale write to Redis never wins over a newer one.
CREATE TABLE spend_counters (
    policy_id    text        NOT NULL,
    period_key   text        NOT NULL,
    period_start timestamptz NOT NULL,
    period_end   timestamptz,
    spent_micros bigint      NOT NULL DEFAULT 0,
    calls        int         NOT NULL DEFAULT 0,
    version      bigint      NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (policy_id, period_key)
);
CREATE INDEX spend_counters_open ON spend_counters (period_end);

-- The exactly-once guard of alerts: one row per (policy, period, threshold); 0 marks
-- budget.exceeded.v1.
CREATE TABLE alerts_emitted (
    policy_id  text NOT NULL,
    period_key text NOT NULL,
    threshold  int  NOT NULL,
    PRIMARY KEY (policy_id, period_key, threshold)
);

-- The most a million tokens of each model has cost in a priced call (estimates).
CREATE TABLE model_rates (
    model               text   PRIMARY KEY,
    micros_per_mtok     bigint NOT NULL
);

CREATE TABLE idempotency_keys (
    principal    text        NOT NULL,
    route        text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    status       int         NOT NULL,
    body         jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, route, key)
);
