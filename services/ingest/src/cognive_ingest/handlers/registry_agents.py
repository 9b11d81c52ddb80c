"""``registry.agent.*`` → ``ingest.agent.synced.v1`` in ingest's log.

Runs inside the consumer's transaction with the inbox rows, so a redelivered registry
event changes nothing; the policy checker takes it from the log from there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import structlog

from cognive_contracts.events.registry import AgentRegisteredV1, AgentRetiredV1, AgentUpdatedV1
from cognive_ingest.domain.agents import AGENT_SYNCED, agent_stream, from_registry, synced_event_id
from cognive_runtime.consumer.types import Handler, Inbound
from cognive_runtime.eventlog import NewEvent, StreamAppend, append

log = structlog.get_logger(__name__)


async def on_agent_event(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> None:
    streams: dict[str, list[NewEvent]] = {}
    for inbound in events:
        envelope = inbound.envelope
        synced = from_registry(
            inbound.payload,
            source_event_id=envelope.id,
            sequence=envelope.sequence,
            time=envelope.time,
        )
        metadata = {"actor": envelope.actor or "system", "causation_id": str(envelope.id)}
        if envelope.traceparent:
            metadata["traceparent"] = envelope.traceparent
        streams.setdefault(agent_stream(synced.agent_id), []).append(
            NewEvent(
                type=AGENT_SYNCED,
                data=synced,
                event_id=synced_event_id(envelope.id),
                metadata=metadata,
            )
        )
    await append(conn, [StreamAppend(stream, items) for stream, items in streams.items()])
    log.info("agents.synced", events=len(events))


def agent_handlers() -> Mapping[str, Handler]:
    return {
        AgentRegisteredV1.event_type: on_agent_event,
        AgentUpdatedV1.event_type: on_agent_event,
        AgentRetiredV1.event_type: on_agent_event,
    }
