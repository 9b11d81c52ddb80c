"""registry.agent.* → cost's agent → team map (a call recorded before ingest knew the
agent's team still rolls up under its team). An older registry event (CloudEvents
`sequence`) never overwrites a newer one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from cognive_contracts.events.registry import AgentRegisteredV1, AgentRetiredV1, AgentUpdatedV1
from cognive_runtime.consumer.types import Handler, Inbound


async def on_agent(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> None:
    for inbound in events:
        await conn.execute(
            """INSERT INTO agents (agent_id, team_id, source_sequence) VALUES ($1, $2, $3)
            ON CONFLICT (agent_id) DO UPDATE SET team_id = excluded.team_id,
                source_sequence = excluded.source_sequence
            WHERE agents.source_sequence IS NULL OR excluded.source_sequence IS NULL
                OR excluded.source_sequence > agents.source_sequence""",
            inbound.payload.agent_id,
            inbound.payload.team_id,
            inbound.envelope.sequence,
        )


def directory_handlers() -> Mapping[str, Handler]:
    return {
        AgentRegisteredV1.event_type: on_agent,
        AgentUpdatedV1.event_type: on_agent,
        AgentRetiredV1.event_type: on_agent,
    }
