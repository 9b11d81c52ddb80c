"""The other services' admin events (queue `registry.audit`) become entries of registry's
own log, in the same transaction as their inbox rows; the audit projection chains them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from cognive_contracts.events import EVENT_MODELS, is_admin_event, model_for
from cognive_registry.projections.audit import AUDIT_RECORDED
from cognive_runtime.consumer import Inbound, Route
from cognive_runtime.eventlog import NewEvent, StreamAppend, append


async def record_admin_events(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> None:
    appends = []
    for inbound in events:
        envelope = inbound.envelope
        data = {
            "event_id": str(envelope.id),
            "type": envelope.routing_key,
            "source": envelope.source,
            "subject": envelope.subject,
            "time": envelope.time.isoformat(),
            "actor": envelope.actor,
            "data": envelope.data,
        }
        metadata = {"actor": envelope.actor or "system", "causation_id": str(envelope.id)}
        if envelope.traceparent:
            metadata["traceparent"] = envelope.traceparent
        service = envelope.source.rsplit("/", 1)[-1]
        appends.append(
            StreamAppend(f"audit-{service}", [NewEvent(AUDIT_RECORDED, data, metadata=metadata)])
        )
    await append(conn, appends)


def audit_handlers() -> dict[str, Route]:
    """Every admin type of the other services (the queue's bindings choose which arrive).
    Raw envelopes: the trail keeps each event's data as its service wrote it."""
    return {
        t: Route(model_for(t), record_admin_events, raw_envelope=True)
        for t in EVENT_MODELS
        if is_admin_event(t) and not t.startswith("registry.")
    }
