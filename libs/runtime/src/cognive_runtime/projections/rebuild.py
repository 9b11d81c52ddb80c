"""Rebuild a projection from position 0 into shadow tables, verify, swap — while the live
runner keeps serving and advancing.

The replay commits in chunks, each its own short transaction with a shadow checkpoint: the
xid8 horizon of gap-free readers is cluster-wide, so one long replay transaction would stall
the relay and every projection of every service for its whole duration; a chunk stalls them
for one chunk at most. Only the final step is one transaction, kept short: it takes the
projection's apply lock (no live apply can run), catches the shadow up to exactly the live
checkpoint, optionally compares the two, renames shadow over live and stores the checkpoint.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import asyncpg
import structlog

from cognive_runtime.eventlog.checkpoints import load_checkpoint, store_checkpoint
from cognive_runtime.eventlog.model import Position
from cognive_runtime.eventlog.reader import read_all
from cognive_runtime.projections import tables as ddl
from cognive_runtime.projections.base import (
    APPLY_LOCK_SQL,
    REBUILD_TRY_LOCK_SQL,
    REBUILD_UNLOCK_SQL,
    Projection,
    TableNames,
    checkpoint_name,
    pooled_connection,
    shadow_checkpoint_name,
    type_filter,
)
from cognive_runtime.projections.reports import RebuildReport, VerifyReport
from cognive_runtime.projections.runner import apply_live_chunk
from cognive_runtime.projections.tables import TableDiff

log = structlog.get_logger(__name__)

Progress = Callable[[int, int], None]
"""progress(done_events, total_estimate): called after each committed chunk."""


class RebuildInProgressError(RuntimeError):
    """Another rebuild or verify of this projection holds its rebuild lock."""


@dataclass(slots=True)
class _Replay:
    position: Position
    events: int = 0
    chunks: int = 0
    longest_chunk_s: float = 0.0


class _DoNotCommitError(Exception):
    """Raised inside the final transaction to roll it back on purpose."""


async def rebuild(
    pool: asyncpg.Pool,
    projection: Projection,
    *,
    chunk_size: int = 5000,
    verify: bool = True,
    progress: Progress | None = None,
    swap_lock_timeout_s: float = 5.0,
) -> RebuildReport:
    """Replay the log into shadow tables and swap them in. With `verify`, the swap happens
    only if the rebuilt model equals the live one at the same position; otherwise live stays
    and the report carries the differences. `swap_lock_timeout_s` bounds the wait for readers
    to let go of the live tables (a waiting rename blocks new readers and holds the horizon);
    on timeout the rebuild raises and live is untouched."""
    started = time.monotonic()
    async with pooled_connection(pool) as conn, _rebuild_lock(conn, projection):
        replay = await _replay_into_shadow(conn, projection, chunk_size, progress)
        await ddl.analyze_shadows(conn, projection.tables)
        if verify:
            await _catch_live_up(conn, projection, replay, chunk_size)
        swap_started = time.monotonic()
        tables: tuple[TableDiff, ...] = ()
        try:
            async with conn.transaction():
                await conn.execute(APPLY_LOCK_SQL, projection.name)
                target = await _align(conn, projection, replay, chunk_size, catch_live=verify)
                if verify:
                    tables = tuple([await ddl.compare(conn, t) for t in projection.tables])
                    if any(t.differing_rows for t in tables):
                        raise _DoNotCommitError
                await conn.execute(
                    "SELECT set_config('lock_timeout', $1, true)",
                    f"{int(swap_lock_timeout_s * 1000)}ms",
                )
                await ddl.swap(conn, projection.tables)
                await store_checkpoint(conn, checkpoint_name(projection.name), target)
                await conn.execute(
                    "DELETE FROM checkpoints WHERE name = $1",
                    shadow_checkpoint_name(projection.name),
                )
            swapped = True
        except _DoNotCommitError:
            swapped = False
            await _discard_shadow(conn, projection)
            target = await load_checkpoint(conn, checkpoint_name(projection.name))
        report = RebuildReport(
            projection=projection.name,
            swapped=swapped,
            position=target,
            events=replay.events,
            chunks=replay.chunks,
            longest_chunk_s=replay.longest_chunk_s,
            swap_s=time.monotonic() - swap_started,
            duration_s=time.monotonic() - started,
            verified=verify,
            tables=tables,
        )
    event = "projection.rebuilt" if swapped else "projection.rebuild_differs"
    log.info(
        event,
        projection=projection.name,
        events=report.events,
        chunks=report.chunks,
        differing_rows=report.differing_rows,
        duration_s=round(report.duration_s, 3),
        swap_s=round(report.swap_s, 3),
    )
    return report


async def verify(
    pool: asyncpg.Pool,
    projection: Projection,
    *,
    chunk_size: int = 5000,
    progress: Progress | None = None,
) -> VerifyReport:
    """Rebuild into the shadow and compare it with live at the same position; never swaps, and
    drops the shadow afterwards. A live model behind the shadow is first advanced exactly as
    its runner would advance it (chunks under the apply lock, with its checkpoint); the
    comparison itself runs in a transaction that is always rolled back."""
    started = time.monotonic()
    async with pooled_connection(pool) as conn, _rebuild_lock(conn, projection):
        replay = await _replay_into_shadow(conn, projection, chunk_size, progress)
        await _catch_live_up(conn, projection, replay, chunk_size)
        tables: tuple[TableDiff, ...] = ()
        target = replay.position
        try:
            async with conn.transaction():
                await conn.execute(APPLY_LOCK_SQL, projection.name)
                target = await _align(conn, projection, replay, chunk_size, catch_live=True)
                tables = tuple([await ddl.compare(conn, t) for t in projection.tables])
                raise _DoNotCommitError
        except _DoNotCommitError:
            pass
        await _discard_shadow(conn, projection)
    report = VerifyReport(
        projection=projection.name,
        position=target,
        events=replay.events,
        tables=tables,
        duration_s=time.monotonic() - started,
    )
    log.info(
        "projection.verified",
        projection=projection.name,
        events=report.events,
        differing_rows=report.differing_rows,
        duration_s=round(report.duration_s, 3),
    )
    return report


@contextlib.asynccontextmanager
async def _rebuild_lock(conn: asyncpg.Connection, projection: Projection) -> AsyncIterator[None]:
    if not await conn.fetchval(REBUILD_TRY_LOCK_SQL, projection.name):
        raise RebuildInProgressError(f"a rebuild of projection {projection.name!r} is running")
    try:
        yield
    finally:
        try:
            await conn.execute(REBUILD_UNLOCK_SQL, projection.name)
        except BaseException:
            # The pool sends no reset on release (db.pool): a connection that may still hold
            # the lock must not go back to it, or every later rebuild would see one running.
            conn.terminate()
            raise


async def _replay_into_shadow(
    conn: asyncpg.Connection, projection: Projection, chunk_size: int, progress: Progress | None
) -> _Replay:
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    missing = await ddl.missing_tables(conn, projection.tables)
    if missing:
        raise LookupError(f"projection {projection.name!r}: live tables missing: {missing}")
    types = type_filter(projection)
    shadow = TableNames.shadow(projection.tables)
    shadow_checkpoint = shadow_checkpoint_name(projection.name)
    async with conn.transaction():
        await ddl.create_shadows(conn, projection.tables)
        await store_checkpoint(conn, shadow_checkpoint, Position.start())
    # Fresh statistics first: on a log the planner has not analysed yet it guesses that few
    # rows match the projection's types and sorts every match on each page instead of
    # walking the commit-order index (measured: rebuilds 3x slower). ANALYZE samples; it
    # holds no long transaction.
    await conn.execute("ANALYZE events")
    total = await _estimate(conn, types)
    log.info("projection.rebuild_started", projection=projection.name, estimate=total)
    replay = _Replay(Position.start())
    while True:
        chunk_started = time.monotonic()
        async with conn.transaction():
            events = await read_all(conn, replay.position, chunk_size, types)
            if events:
                await projection.apply(conn, events, shadow)
                await store_checkpoint(conn, shadow_checkpoint, events[-1].position)
        replay.longest_chunk_s = max(replay.longest_chunk_s, time.monotonic() - chunk_started)
        if not events:
            break
        replay.position = events[-1].position
        replay.events += len(events)
        replay.chunks += 1
        if progress is not None:
            progress(replay.events, max(total, replay.events))
        if len(events) < chunk_size:
            break  # reached the horizon; what is left is caught up in the swap transaction
    return replay


async def _estimate(conn: asyncpg.Connection, types: Sequence[str] | None) -> int:
    if types is None:
        return int(await conn.fetchval("SELECT count(*) FROM events"))
    return int(await conn.fetchval("SELECT count(*) FROM events WHERE type = ANY($1)", types))


async def _catch_live_up(
    conn: asyncpg.Connection, projection: Projection, replay: _Replay, chunk_size: int
) -> None:
    """When the live runner is behind the replay (or not running at all), do its work in
    chunks of its own (same lock, same checkpoint: no double apply if it runs meanwhile), so
    that the swap transaction does not have to catch live up in one long go."""
    previous = None
    while True:
        chunk = await apply_live_chunk(conn, [projection], chunk_size)
        position = chunk.positions[projection.name]
        # A chunk may apply nothing and still move past other types' events: stop only
        # when live has reached the replay or stopped moving.
        if position >= replay.position or position == previous:
            return
        previous = position


async def _align(
    conn: asyncpg.Connection,
    projection: Projection,
    replay: _Replay,
    chunk_size: int,
    *,
    catch_live: bool,
) -> Position:
    """Under the apply lock, bring shadow and live to the same position: the shadow up to the
    live checkpoint (the runner went on while the replay ran), or live up to the shadow (what
    is left after `_catch_live_up`). Either gap is about one chunk. Without `catch_live` (a
    swap without verification) a lagging live model is simply replaced."""
    live_position = await load_checkpoint(conn, checkpoint_name(projection.name))
    types = type_filter(projection)
    if live_position > replay.position:
        shadow = TableNames.shadow(projection.tables)
        replay.events += await _apply_range(
            conn, projection, shadow, replay.position, live_position, chunk_size, types
        )
        replay.position = live_position
        await store_checkpoint(conn, shadow_checkpoint_name(projection.name), live_position)
    elif replay.position > live_position and catch_live:
        live = TableNames.live(projection.tables)
        await _apply_range(
            conn, projection, live, live_position, replay.position, chunk_size, types
        )
        await store_checkpoint(conn, checkpoint_name(projection.name), replay.position)
    return replay.position


async def _apply_range(
    conn: asyncpg.Connection,
    projection: Projection,
    tables: TableNames,
    after: Position,
    upto: Position,
    chunk_size: int,
    types: Sequence[str] | None,
) -> int:
    """Apply the events in (after, upto]. Every one of them is below the horizon already:
    `upto` was reached by a gap-free reader."""
    applied = 0
    while after < upto:
        events = [e for e in await read_all(conn, after, chunk_size, types) if e.position <= upto]
        if not events:
            break
        await projection.apply(conn, events, tables)
        applied += len(events)
        after = events[-1].position
    return applied


async def _discard_shadow(conn: asyncpg.Connection, projection: Projection) -> None:
    async with conn.transaction():
        await ddl.drop_shadows(conn, projection.tables)
        await conn.execute(
            "DELETE FROM checkpoints WHERE name = $1", shadow_checkpoint_name(projection.name)
        )
