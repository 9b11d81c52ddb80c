"""The live side of a projection: follow the log, apply, checkpoint — one transaction each.

In production a runner is wrapped in a `LeaderLoop`, so that exactly one replica applies a
projection at a time; the per-apply advisory lock is not for that but for the swap of a
rebuild, which must not interleave with an apply."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import structlog

from cognive_runtime.eventlog.checkpoints import load_checkpoint, store_checkpoint
from cognive_runtime.eventlog.model import Position
from cognive_runtime.eventlog.reader import head_position, read_window, visible_after
from cognive_runtime.eventlog.signal import LogSignal, pause
from cognive_runtime.metrics import PROJECTION_APPLIED, PROJECTION_LAG_EVENTS
from cognive_runtime.projections.base import (
    APPLY_LOCK_SQL,
    Projection,
    TableNames,
    checkpoint_name,
    pooled_connection,
    type_filter,
)

log = structlog.get_logger(__name__)

# How far behind a runner is: the position of the log's readable head minus its
# checkpoint's, as the relay measures its own lag. It counts the events of other types too,
# which the runner also has to walk past. Counting the runner's own events after its
# checkpoint was a query whose plan depended on the log's statistics: without them
# (autovacuum off, or before the first ANALYZE) Postgres scanned the whole log for it, 0.2 s
# a time on a million events, and the cost grew with the log (ADR 0015). The head is one
# index lookup; a runner that is behind takes it at most every LAG_REFRESH_S.
LAG_REFRESH_S = 5.0
# A runner that found nothing past its place asks only that (one statement) on its next
# polls, instead of a transaction with the apply lock and the checkpoint read (five): under
# steady load most polls find nothing. Its place is the checkpoint it stored itself, which
# nobody moves back (a rebuild's swap stores the later of live and shadow); the full step
# still runs at least this often, so that a checkpoint moved some other way is reread.
FULL_STEP_S = 1.0


class ProjectionRunner:
    """A `Loop`: applies the projection's events in chunks of `chunk_size`, each chunk with its
    checkpoint in one transaction, and polls every `idle_poll_s` once caught up (or, with a
    `signal`, waits for the next append once the log has been quiet a while).

    A crash or a cancellation at any point loses at most the uncommitted chunk, which the next
    run reads again from the checkpoint: no event is applied twice or skipped."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        projection: Projection,
        service: str,
        *,
        chunk_size: int = 1000,
        idle_poll_s: float = 0.2,
        signal: LogSignal | None = None,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.pool = pool
        self.projection = projection
        self.service = service
        self.chunk_size = chunk_size
        self.idle_poll_s = idle_poll_s
        self.signal = signal
        self.name = f"projection:{projection.name}"
        type_filter(projection)  # refuses an empty set early
        self._lag = PROJECTION_LAG_EVENTS.labels(service, projection.name)
        self._applied = PROJECTION_APPLIED.labels(service, projection.name)
        self._lag_counted_at = -LAG_REFRESH_S
        self._place: Position | None = None
        self._full_step_at = -FULL_STEP_S

    async def run(self, stop: asyncio.Event) -> None:
        log.info("projection.started", projection=self.projection.name)
        last_work = time.monotonic()
        while not stop.is_set():
            applied = await self.step()
            if applied:
                last_work = time.monotonic()
            if applied < self.chunk_size:
                await pause(self.signal, stop, self.idle_poll_s, last_work)
        log.info("projection.stopped", projection=self.projection.name)

    async def step(self) -> int:
        """Apply at most one chunk; returns how many events it applied."""
        async with pooled_connection(self.pool) as conn:
            if (
                self._place is not None
                and time.monotonic() - self._full_step_at < FULL_STEP_S
                and not await visible_after(conn, self._place)
            ):
                return 0
            self._full_step_at = time.monotonic()
            position, applied = await apply_live_chunk(conn, self.projection, self.chunk_size)
            self._place = position
            now = time.monotonic()
            if applied < self.chunk_size:
                # Read up to the visible head: only still-open transactions are behind it.
                self._lag.set(0)
            elif now - self._lag_counted_at >= LAG_REFRESH_S:
                self._lag_counted_at = now
                self._lag.set(await self._count_lag(conn, position))
        if applied:
            self._applied.inc(applied)
            log.debug("projection.applied", projection=self.projection.name, events=applied)
        return applied

    async def _count_lag(self, conn: asyncpg.Connection, position: Position) -> int:
        head = await head_position(conn)
        return max(0, head.global_position - position.global_position)


async def apply_live_chunk(
    conn: asyncpg.Connection, projection: Projection, chunk_size: int
) -> tuple[Position, int]:
    """One transaction: take the apply lock, apply the next chunk to the live tables, store
    the checkpoint. Returns the checkpoint and the number of events applied. The rebuild
    uses it too, to bring a lagging live model up to the shadow's position."""
    async with conn.transaction():
        await conn.execute(APPLY_LOCK_SQL, projection.name)
        checkpoint = checkpoint_name(projection.name)
        # Loaded under the lock: a swap that just committed may have moved it.
        position = await load_checkpoint(conn, checkpoint)
        events, through = await read_window(conn, position, chunk_size, type_filter(projection))
        if events:
            await projection.apply(conn, events, TableNames.live(projection.tables))
        if through > position:
            # Past the events applied and past the other types' events examined with them.
            position = through
            await store_checkpoint(conn, checkpoint, position)
    return position, len(events)
