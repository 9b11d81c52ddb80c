"""The live side of projections: follow the log, apply, checkpoint — one transaction each.

A service's projections step as one group: one read of the log, one transaction, each
projection given its own types past its own checkpoint. Run apart, each of them polled,
locked, read and decoded the same events (ADR 0015, seventh measurement).

In production a runner is wrapped in a `LeaderLoop`, so that exactly one replica applies a
projection at a time; the per-apply advisory lock is not for that but for the swap of a
rebuild, which must not interleave with an apply."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import asyncpg
import structlog

from cognive_runtime.eventlog.checkpoints import load_checkpoints, store_checkpoints
from cognive_runtime.eventlog.model import Position, RecordedEvent
from cognive_runtime.eventlog.reader import head_position, read_window, visible_after
from cognive_runtime.eventlog.signal import LogSignal, pause
from cognive_runtime.metrics import PROJECTION_APPLIED, PROJECTION_LAG_EVENTS
from cognive_runtime.projections.base import (
    APPLY_LOCKS_SQL,
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
    """A `Loop`: applies its projections' events in chunks of `chunk_size`, each chunk with
    the checkpoints in one transaction, and polls every `idle_poll_s` once caught up (or,
    with a `signal`, waits for the next append once the log has been quiet a while).

    `projections` is one projection or several: several share each read of the log, and
    each keeps its own checkpoint, locks and metrics, so a rebuild of one of them works as
    it does alone. Should the group's chunk fail, each projection is applied alone, so that
    one broken projection stops only itself.

    A crash or a cancellation at any point loses at most the uncommitted chunk, which the next
    run reads again from the checkpoints: no event is applied twice or skipped."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        projections: Projection | Sequence[Projection],
        service: str,
        *,
        chunk_size: int = 1000,
        idle_poll_s: float = 0.2,
        signal: LogSignal | None = None,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        members = list(projections) if isinstance(projections, Sequence) else [projections]
        names = [p.name for p in members]
        if not members or len(set(names)) != len(names):
            raise ValueError(f"a runner needs distinct projections, got {names}")
        self.pool = pool
        self.projections = members
        self.service = service
        self.chunk_size = chunk_size
        self.idle_poll_s = idle_poll_s
        self.signal = signal
        self.name = "projection:" + "+".join(names)
        for projection in members:
            type_filter(projection)  # refuses an empty set early
        self._lag = [PROJECTION_LAG_EVENTS.labels(service, n) for n in names]
        self._applied = [PROJECTION_APPLIED.labels(service, n) for n in names]
        self._lag_counted_at = -LAG_REFRESH_S
        self._place: Position | None = None
        self._full_step_at = -FULL_STEP_S

    async def run(self, stop: asyncio.Event) -> None:
        log.info("projection.started", projection=self.name)
        last_work = time.monotonic()
        while not stop.is_set():
            applied = await self.step()
            if applied:
                last_work = time.monotonic()
            if applied < self.chunk_size:
                await pause(self.signal, stop, self.idle_poll_s, last_work)
        log.info("projection.stopped", projection=self.name)

    async def step(self) -> int:
        """Apply at most one chunk; returns how many events it read for its projections."""
        async with pooled_connection(self.pool) as conn:
            if (
                self._place is not None
                and time.monotonic() - self._full_step_at < FULL_STEP_S
                and not await visible_after(conn, self._place)
            ):
                return 0
            self._full_step_at = time.monotonic()
            self._place = None
            try:
                chunk = await apply_live_chunk(conn, self.projections, self.chunk_size)
            except Exception:
                if len(self.projections) == 1:
                    raise
                await self._apply_apart(conn)
                raise
            self._place = chunk.place
            now = time.monotonic()
            if chunk.read < self.chunk_size:
                # Read up to the visible head: only still-open transactions are behind it.
                for gauge in self._lag:
                    gauge.set(0)
            elif now - self._lag_counted_at >= LAG_REFRESH_S:
                self._lag_counted_at = now
                head = await head_position(conn)
                for gauge, position in zip(self._lag, chunk.positions, strict=True):
                    gauge.set(max(0, head.global_position - position.global_position))
        for counter, applied in zip(self._applied, chunk.applied, strict=True):
            if applied:
                counter.inc(applied)
        if chunk.read:
            log.debug("projection.applied", projection=self.name, events=chunk.read)
        return chunk.read

    async def _apply_apart(self, conn: asyncpg.Connection) -> None:
        """After a failed group chunk: one chunk of each projection alone, so the healthy
        ones move on; the caller re-raises and the loop's supervisor restarts the group."""
        log.warning("projection.group_failed", projection=self.name, exc_info=True)
        for projection in self.projections:
            try:
                await apply_live_chunk(conn, [projection], self.chunk_size)
            except Exception:
                log.exception("projection.failed", projection=projection.name)


class Chunk:
    """What one step did: how many events it read for the group, how many each projection
    applied, each one's checkpoint after it, and the earliest of them (the runner's place)."""

    __slots__ = ("applied", "place", "positions", "read")

    def __init__(self, read: int, applied: list[int], positions: list[Position]) -> None:
        self.read = read
        self.applied = applied
        self.positions = positions
        self.place = min(positions)


async def apply_live_chunk(
    conn: asyncpg.Connection, projections: Sequence[Projection], chunk_size: int
) -> Chunk:
    """One transaction: take the projections' apply locks, read the next chunk of their
    types from the earliest of their checkpoints, give each projection its own events past
    its own checkpoint, store the checkpoints that moved. The rebuild uses it too, with one
    projection, to bring a lagging live model up to the shadow's position."""
    names = [p.name for p in projections]
    checkpoints = [checkpoint_name(n) for n in names]
    async with conn.transaction():
        await conn.execute(APPLY_LOCKS_SQL, names)
        # Loaded under the locks: a swap that just committed may have moved one.
        loaded = await load_checkpoints(conn, checkpoints)
        positions = [loaded[c] for c in checkpoints]
        start = min(positions)
        events, through = await read_window(conn, start, chunk_size, _union_types(projections))
        applied: list[int] = []
        for projection, position in zip(projections, positions, strict=True):
            mine = _events_for(projection, position, start, events)
            if mine:
                await projection.apply(conn, mine, TableNames.live(projection.tables))
            applied.append(len(mine))
        # Past the events applied and past the other types' events examined with them; a
        # checkpoint already further on (a rebuild's swap) is never moved back.
        moved = {c: through for c, p in zip(checkpoints, positions, strict=True) if through > p}
        await store_checkpoints(conn, moved)
    return Chunk(len(events), applied, [max(p, through) for p in positions])


def _union_types(projections: Sequence[Projection]) -> list[str] | None:
    types: set[str] = set()
    for projection in projections:
        own = type_filter(projection)
        if own is None:
            return None
        types.update(own)
    return sorted(types)


def _events_for(
    projection: Projection, position: Position, start: Position, events: list[RecordedEvent]
) -> list[RecordedEvent]:
    types = projection.types
    if position == start:
        return events if types is None else [e for e in events if e.type in types]
    return [e for e in events if (types is None or e.type in types) and e.position > position]
