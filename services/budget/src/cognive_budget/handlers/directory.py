"""What budget keeps of other contexts: agent → team and allowed models, run → agent.

Written in the consumer's transaction with the inbox rows. A registry event older than
the one already applied (CloudEvents `sequence` of registry's log) changes nothing, so
out-of-order deliveries cannot bring back an old team or model list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from cognive_contracts.events.ingest import RunEndedV1, RunStartedV1
from cognive_contracts.events.registry import AgentRegisteredV1, AgentRetiredV1, AgentUpdatedV1
from cognive_runtime.consumer.types import Handler, Inbound

_UPSERT_AGENT = """
INSERT INTO agents (agent_id, team_id, allowed_models, retired, source_sequence, changed_at)
VALUES ($1, $2, coalesce($3::text[], '{}'), $4, $5, $6)
ON CONFLICT (agent_id) DO UPDATE SET
    team_id = excluded.team_id,
    allowed_models = coalesce($3::text[], agents.allowed_models),
    retired = excluded.retired OR (agents.retired AND $3::text[] IS NULL),
    source_sequence = excluded.source_sequence,
    changed_at = excluded.changed_at
WHERE agents.source_sequence IS NULL OR excluded.source_sequence IS NULL
    OR excluded.source_sequence > agents.source_sequence
"""


async def on_agent(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> None:
    for inbound in events:
        p = inbound.payload
        retired = isinstance(p, AgentRetiredV1)
        await conn.execute(
            _UPSERT_AGENT,
            p.agent_id,
            p.team_id,
            None if retired else list(p.allowed_models),
            retired,
            inbound.envelope.sequence,
            inbound.envelope.time,
        )


async def on_run(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> None:
    for inbound in events:
        p = inbound.payload
        started = p.occurred_at if isinstance(p, RunStartedV1) else None
        ended = p.occurred_at if isinstance(p, RunEndedV1) else None
        await conn.execute(
            """INSERT INTO runs (run_id, agent_id, team_id, started_at, ended_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (run_id) DO UPDATE SET
                team_id = coalesce(runs.team_id, excluded.team_id),
                started_at = coalesce(runs.started_at, excluded.started_at),
                ended_at = coalesce(runs.ended_at, excluded.ended_at)""",
            p.run_id,
            p.agent_id,
            p.team_id,
            started,
            ended,
        )


def directory_handlers() -> Mapping[str, Handler]:
    return {
        AgentRegisteredV1.event_type: on_agent,
        AgentUpdatedV1.event_type: on_agent,
        AgentRetiredV1.event_type: on_agent,
    }


def run_handlers() -> Mapping[str, Handler]:
    return {RunStartedV1.event_type: on_run, RunEndedV1.event_type: on_run}
