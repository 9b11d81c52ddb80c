"""Carrying out a command: read the stream, let the domain decide, append what it decided
with the expected version, and bring the read models up to date before answering (so a
client reads its own writes)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import asyncpg

from cognive_contracts.events import model_for
from cognive_contracts.events.base import EventPayload
from cognive_runtime.eventlog import NewEvent, append_to_stream, read_stream
from cognive_runtime.observability import current_traceparent
from cognive_runtime.projections import Projection
from cognive_runtime.projections.base import pooled_connection, type_filter
from cognive_runtime.projections.runner import apply_live_chunk

S = TypeVar("S")


async def load(conn: asyncpg.Connection, stream_id: str) -> tuple[list[EventPayload], int]:
    """A stream's events as contract models, and its version."""
    events = await read_stream(conn, stream_id)
    payloads = [model_for(e.type).model_validate(e.data) for e in events]
    return payloads, events[-1].stream_version if events else 0


async def execute(
    conn: asyncpg.Connection,
    stream_id: str,
    fold: Callable[[list[EventPayload]], S],
    decide: Callable[[S], Sequence[EventPayload]],
    actor: str,
    *,
    extra_metadata: Mapping[str, str] | None = None,
) -> tuple[S, list[EventPayload]]:
    """Inside the caller's transaction. A concurrent writer to the same stream makes the
    append fail with ConcurrencyError (the API answers 409: the client retries)."""
    history, version = await load(conn, stream_id)
    state = fold(history)
    decided = list(decide(state))
    if decided:
        metadata: dict[str, str] = {**(extra_metadata or {}), "actor": actor}
        traceparent = current_traceparent()
        if traceparent:
            metadata["traceparent"] = traceparent
        await append_to_stream(
            conn,
            stream_id,
            [NewEvent(e.event_type, e, metadata=metadata) for e in decided],
            expected_version=version,
        )
    return state, decided


async def catch_up(
    pool: asyncpg.Pool, projections: Sequence[Projection], timeout_s: float = 10.0
) -> None:
    """Apply what the command appended to each read model now. The background runners do
    the same under the same per-projection lock and checkpoint, so nothing applies twice.

    The gap-free reader cannot pass a transaction that is still open anywhere in the
    cluster (ARCHITECTURE §2), so the command's own events may not be readable yet for a
    moment; this waits until every event of the projection's types committed up to now
    has been applied, not merely until a read comes back empty."""
    async with pooled_connection(pool) as conn:
        target = await conn.fetchval("SELECT coalesce(max(global_position), 0) FROM events")
    deadline = asyncio.get_running_loop().time() + timeout_s
    for projection in projections:
        types = type_filter(projection)
        while True:
            async with pooled_connection(pool) as conn:
                chunk = await apply_live_chunk(conn, [projection], 1000)
                if chunk.read:
                    continue
                position = chunk.positions[projection.name]
                pending = await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM events WHERE global_position <= $1"
                    " AND (tx_id, global_position) > ($2::xid8, $3)"
                    " AND ($4::text[] IS NULL OR type = ANY($4)))",
                    target,
                    position.tx_id,
                    position.global_position,
                    types,
                )
            if not pending or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.01)
