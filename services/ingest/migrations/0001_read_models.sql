-- Runs read model: a projection of ingest's own log (projection "runs").
CREATE TABLE runs (
    run_id          text        PRIMARY KEY,
    agent_id        text        NOT NULL,
    team_id         text,
    api_key_id      text,
    name            text,
    parent_run_id   text,
    status          text        NOT NULL DEFAULT 'running',
    error           text,
    started_at      timestamptz,
    ended_at        timestamptz,
    duration_ms     bigint,
    -- Sort key of listings: the earliest occurred_at of any event of the run.
    first_event_at  timestamptz NOT NULL,
    last_event_at   timestamptz NOT NULL,
    metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    tags            text[]      NOT NULL DEFAULT '{}',
    step_count      int         NOT NULL DEFAULT 0,
    llm_call_count  int         NOT NULL DEFAULT 0,
    tool_call_count int         NOT NULL DEFAULT 0,
    input_tokens    bigint      NOT NULL DEFAULT 0,
    output_tokens   bigint      NOT NULL DEFAULT 0
);

CREATE INDEX runs_by_time ON runs (first_event_at DESC, run_id DESC);
CREATE INDEX runs_by_team ON runs (team_id, first_event_at DESC, run_id DESC);
CREATE INDEX runs_by_agent ON runs (agent_id, first_event_at DESC, run_id DESC);

-- Steps, LLM calls and tool calls of each run; seq is the event's version in the run's
-- stream (deterministic on replay, unlike a sequence).
CREATE TABLE run_items (
    run_id      text        NOT NULL,
    seq         int         NOT NULL,
    kind        text        NOT NULL,
    event_id    uuid        NOT NULL,
    occurred_at timestamptz NOT NULL,
    data        jsonb       NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Policy violations: a projection of ingest.policy.violated.v1 (projection "violations").
CREATE TABLE policy_violations (
    violation_id text        PRIMARY KEY,
    position     bigint      NOT NULL,
    kind         text        NOT NULL,
    agent_id     text        NOT NULL,
    team_id      text,
    run_id       text,
    call_id      text,
    model        text,
    tool         text,
    detail       text        NOT NULL,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL
);

CREATE INDEX policy_violations_by_position ON policy_violations (position DESC);
CREATE INDEX policy_violations_by_team ON policy_violations (team_id, position DESC);
CREATE INDEX policy_violations_by_agent ON policy_violations (agent_id, position DESC);

-- The policy checker's state, written with its checkpoint ("policy") in one transaction:
-- each agent's policy as of the checker's place in the log, and the calls of agents it
-- does not know yet (judged when the agent's synced event is reached, never skipped).
CREATE TABLE policy_agents (
    agent_id        text        PRIMARY KEY,
    team_id         text        NOT NULL,
    allowed_models  text[]      NOT NULL DEFAULT '{}',
    approved_tools  text[]      NOT NULL DEFAULT '{}',
    retired         boolean     NOT NULL DEFAULT false,
    source_sequence bigint,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE policy_pending (
    event_id    uuid        PRIMARY KEY,
    agent_id    text        NOT NULL,
    kind        text        NOT NULL,
    run_id      text        NOT NULL,
    call_id     text        NOT NULL,
    team_id     text,
    subject     text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    position    bigint      NOT NULL
);

CREATE INDEX policy_pending_by_agent ON policy_pending (agent_id, position);
