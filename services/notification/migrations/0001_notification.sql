-- Channels and subscriptions read models: projections of notification's own log.
CREATE TABLE channels (
    channel_id  text        PRIMARY KEY,
    team_id     text        NOT NULL,
    kind        text        NOT NULL,
    name        text        NOT NULL,
    target      text,
    disabled    boolean     NOT NULL DEFAULT false,
    disabled_reason text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX channels_by_team ON channels (team_id, created_at, channel_id);

CREATE TABLE subscriptions (
    subscription_id  text        PRIMARY KEY,
    channel_id       text        NOT NULL,
    team_id          text        NOT NULL,
    event_types      text[]      NOT NULL,
    filter_team_ids  text[]      NOT NULL DEFAULT '{}',
    filter_agent_ids text[]      NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL
);
CREATE INDEX subscriptions_by_channel ON subscriptions (channel_id);

-- What a channel needs to deliver and must never appear in an event or a response:
-- URL, custom headers, recipients, signing secrets, each encrypted (Fernet). Written by
-- the channel commands in the same transaction as their events.
CREATE TABLE channel_config (
    channel_id  text        PRIMARY KEY,
    config_enc  text        NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE TABLE channel_secrets (
    channel_id  text        NOT NULL,
    secret_enc  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    -- Set on the old secret when it is rotated out: valid until then (grace period).
    expires_at  timestamptz,
    PRIMARY KEY (channel_id, created_at)
);

-- Durable deliveries: one row per (event, channel), written in the same transaction as
-- the inbox row. Both unique keys make duplicates impossible: a redelivered event, and
-- a second alert for the same (policy, period, threshold) under another event id.
CREATE TABLE deliveries (
    delivery_id      text        PRIMARY KEY,
    event_id         uuid        NOT NULL,
    event_type       text        NOT NULL,
    channel_id       text        NOT NULL,
    subscription_id  text,
    team_id          text,
    dedup_key        text        NOT NULL,
    cloudevent       jsonb       NOT NULL,
    status           text        NOT NULL,
    attempts         int         NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    first_attempt_at timestamptz,
    last_status_code int,
    last_error       text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (event_id, channel_id),
    UNIQUE (dedup_key, channel_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_channel ON deliveries (channel_id, created_at DESC);

CREATE TABLE delivery_attempts (
    delivery_id  text        NOT NULL,
    attempt      int         NOT NULL,
    at           timestamptz NOT NULL,
    outcome      text        NOT NULL,
    status_code  int,
    latency_ms   int,
    error        text,
    PRIMARY KEY (delivery_id, attempt)
);

-- Consecutive failures per channel, to disable one that keeps failing.
CREATE TABLE channel_health (
    channel_id    text        PRIMARY KEY,
    failing_since timestamptz,
    last_success  timestamptz
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
