-- This service's projection of registry.api_key.* (ARCHITECTURE §6): every service checks
-- keys against its own copy, never by asking registry.
CREATE TABLE api_keys (
    key_id        text        PRIMARY KEY,
    prefix        text,
    -- SHA-256 (hex) of the whole key text. '' marks a tombstone: a revoke that arrived
    -- before its issue (events of two streams may be consumed out of order).
    secret_sha256 text        NOT NULL,
    team_id       text,
    scopes        text[]      NOT NULL DEFAULT '{}',
    name          text,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    issued_at     timestamptz
);

CREATE INDEX api_keys_team ON api_keys (team_id);
