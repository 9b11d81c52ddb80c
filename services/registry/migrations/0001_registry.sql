-- Registry's read models (projections of its own log) and request bookkeeping.
CREATE TABLE teams (
    team_id     text PRIMARY KEY,
    name        text NOT NULL,
    description text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE agents (
    agent_id       text PRIMARY KEY,
    team_id        text NOT NULL,
    name           text NOT NULL,
    environment    text NOT NULL,
    framework      text NOT NULL,
    description    text,
    version        text,
    allowed_models jsonb NOT NULL,
    approved_tools jsonb NOT NULL,
    tags           jsonb NOT NULL,
    metadata       jsonb NOT NULL,
    status         text NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX agents_by_team ON agents (team_id, created_at, agent_id);

-- Registry's listing of the keys it issued (no secret, not even hashed: that lives in the
-- runtime's api_keys table every service keeps).
CREATE TABLE issued_keys (
    key_id      text PRIMARY KEY,
    team_id     text NOT NULL,
    name        text NOT NULL,
    prefix      text NOT NULL,
    scopes      jsonb NOT NULL,
    environment text,
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX issued_keys_by_team ON issued_keys (team_id, issued_at, key_id);

CREATE TABLE users (
    user_id      text PRIMARY KEY,
    email        text NOT NULL UNIQUE,
    display_name text,
    org_role     text,
    created_at   timestamptz NOT NULL
);

CREATE TABLE role_bindings (
    user_id text NOT NULL,
    team_id text NOT NULL,
    role    text NOT NULL,
    PRIMARY KEY (user_id, team_id)
);

-- The audit trail: admin events of every service, hash-chained in registry's log order.
CREATE TABLE audit_entries (
    position    bigint PRIMARY KEY,
    event_id    uuid        NOT NULL,
    type        text        NOT NULL,
    source      text        NOT NULL,
    actor       text,
    team_id     text,
    subject     text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    data        jsonb       NOT NULL,
    prev_hash   text        NOT NULL,
    hash        text        NOT NULL
);
CREATE INDEX audit_by_team ON audit_entries (team_id, position);

-- Idempotency-Key of POSTs that create: the same key and body replays the first answer.
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
