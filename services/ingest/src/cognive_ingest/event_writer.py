"""The write path of ``POST /v1/events``: drop what the log already holds, append the rest
in one multi-row insert, commit — only then is anything acknowledged.

Duplicates are found by the client's ``event_id``, the log's unique key. Two requests
carrying the same new event at the same moment both miss it in the lookup; the second
insert then waits on the first's uncommitted row and fails on the unique key once it
commits, and the whole transaction is retried, when the lookup sees the row. So a
duplicate is never stored twice and never refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import structlog

from cognive_ingest.domain.telemetry import TelemetryEvent
from cognive_runtime.eventlog import NewEvent, StreamAppend, append
from cognive_runtime.projections.base import pooled_connection

log = structlog.get_logger(__name__)

_EVENT_ID_KEY = "events_event_id_key"
_ATTEMPTS = 5
_EXISTING = "SELECT event_id FROM events WHERE event_id = ANY($1::uuid[])"


@dataclass(frozen=True, slots=True)
class WriteResult:
    stored: int
    duplicates: int


async def write_events(
    pool: asyncpg.Pool, events: Sequence[TelemetryEvent], metadata: dict[str, str]
) -> WriteResult:
    """Append the events not yet in the log; `metadata` (actor, ...) goes on every one."""
    if not events:
        return WriteResult(0, 0)
    ids = [e.event_id for e in events]
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with pooled_connection(pool) as conn, conn.transaction():
                existing = {r[0] for r in await conn.fetch(_EXISTING, ids)}
                fresh = [e for e in events if e.event_id not in existing]
                if fresh:
                    await append(conn, _by_stream(fresh, metadata))
                return WriteResult(len(fresh), len(events) - len(fresh))
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != _EVENT_ID_KEY or attempt == _ATTEMPTS:
                raise
            log.info("events.concurrent_duplicate", attempt=attempt, events=len(events))
    raise AssertionError("unreachable")


def _by_stream(events: Sequence[TelemetryEvent], metadata: dict[str, str]) -> list[StreamAppend]:
    """One StreamAppend per run, events in request order (a run's order is its stream's)."""
    streams: dict[str, list[NewEvent]] = {}
    for event in events:
        meta = (
            metadata
            if event.traceparent is None
            else {**metadata, "traceparent": event.traceparent}
        )
        streams.setdefault(event.stream_id, []).append(
            NewEvent(type=event.type, data=event.data, event_id=event.event_id, metadata=meta)
        )
    return [StreamAppend(stream_id, items) for stream_id, items in streams.items()]
