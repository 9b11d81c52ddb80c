-- The pricing catalog: a projection of cost.pricing.changed.v1 (projection "catalog").
-- `price_key` is genai-prices' (provider/model) when it knows the model, else the names as
-- given, lower-cased: calls and prices meet on it.
CREATE TABLE prices (
    price_id        text        PRIMARY KEY,
    price_key       text        NOT NULL,
    provider        text        NOT NULL,
    model           text        NOT NULL,
    source          text        NOT NULL,
    catalog_version text        NOT NULL,
    effective_from  timestamptz NOT NULL,
    effective_to    timestamptz,
    prices          jsonb       NOT NULL,
    tiers           jsonb       NOT NULL DEFAULT '[]'::jsonb,
    team_id         text,
    -- {"start": "00:30:00", "end": "16:30:00"} (UTC) for a time-of-day price.
    daily_window    jsonb,
    position        bigint      NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX prices_by_key ON prices (price_key, effective_from);
CREATE INDEX prices_by_position ON prices (position);

-- Every call cost has seen, with its current price (projection "calls").
CREATE TABLE calls (
    call_id        text        PRIMARY KEY,
    run_id         text        NOT NULL,
    agent_id       text        NOT NULL,
    team_id        text,
    api_key_id     text,
    provider       text        NOT NULL,
    model          text        NOT NULL,
    price_key      text        NOT NULL,
    occurred_at    timestamptz NOT NULL,
    usage          jsonb       NOT NULL,
    status         text        NOT NULL,
    total_micros   bigint,
    breakdown      jsonb,
    price_id       text,
    reservation_id text,
    unpriced_reason text,
    position       bigint      NOT NULL
);
CREATE INDEX calls_by_key ON calls (price_key, occurred_at, call_id);
CREATE INDEX calls_unpriced ON calls (price_key) WHERE status = 'unpriced';

-- Rollups (projection "rollups"): one row per bucket, agent, team, provider and model.
-- '' stands for an unknown team (a primary key column cannot be NULL).
CREATE TABLE cost_hourly (
    bucket        timestamptz NOT NULL,
    agent_id      text        NOT NULL,
    team_id       text        NOT NULL,
    provider      text        NOT NULL,
    model         text        NOT NULL,
    total_micros  bigint      NOT NULL,
    calls         bigint      NOT NULL,
    input_tokens  bigint      NOT NULL,
    output_tokens bigint      NOT NULL,
    PRIMARY KEY (bucket, agent_id, team_id, provider, model)
);
CREATE INDEX cost_hourly_by_team ON cost_hourly (team_id, bucket);
CREATE TABLE cost_daily (LIKE cost_hourly INCLUDING ALL);

-- Agent -> team, from registry.agent.* (written by the consumer in the inbox transaction).
CREATE TABLE agents (
    agent_id        text        PRIMARY KEY,
    team_id         text        NOT NULL,
    source_sequence bigint
);

-- Where the repricer is within the price change it is applying.
CREATE TABLE repricing (
    price_position bigint      PRIMARY KEY,
    price_id       text        NOT NULL,
    after_at       timestamptz,
    after_call     text,
    repriced       int         NOT NULL DEFAULT 0,
    done           boolean     NOT NULL DEFAULT false
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
