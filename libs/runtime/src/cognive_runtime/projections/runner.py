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
from dataclasses import dataclass
from typing import cast

import asyncpg
import structlog

from cognive_runtime.consumer.retry import is_infrastructure
from cognive_runtime.eventlog.checkpoints import load_checkpoints, store_checkpoints
from cognive_runtime.eventlog.model import Position, RecordedEvent
from cognive_runtime.eventlog.reader import head_position, read_window, visible_after
from cognive_runtime.eventlog.signal import LogSignal, pause
from cognive_runtime.metrics import PROJECTION_APPLIED, PROJECTION_LAG_EVENTS
from cognive_runtime.projections.base import (
    APPLY_LOCKS_SQL,
    TRY_APPLY_LOCKS_SQL,
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
# A member of a group that fails alone waits this long before it is tried again; the others
# keep stepping meanwhile. A broken projection's pause doubles up to RETRY_MAX_S. A member
# whose store is away (budget's Redis counters while Redis restarts) is tried every
# RETRY_FIRST_S, so that it resumes as soon as the store is back.
RETRY_FIRST_S = 1.0
RETRY_MAX_S = 60.0


class ProjectionRunner:
    """A `Loop`: applies its projections' events in chunks of `chunk_size`, each chunk with
    the checkpoints in one transaction, and polls every `idle_poll_s` once caught up (or,
    with a `signal`, waits for the next append once the log has been quiet a while).

    `projections` is one projection or several. Several share each read of the log and
    each keeps its own checkpoint, apply lock and metrics, so a rebuild of one of them works
    as it does alone. A member is never held up by another:
    - one whose lock a rebuild's swap holds is left out of that chunk;
    - one more than a chunk behind the others (new, or reset) reads alone until it is near;
    - one that fails is applied alone, and set aside with a growing pause while it keeps
      failing; a failure of every member at once (Postgres gone) is raised.

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
        # A projection is told apart by its `apply`: a NamedTuple projection is a Sequence.
        members: list[Projection] = (
            [cast(Projection, projections)] if hasattr(projections, "apply") else list(projections)
        )
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
        self._lag = {n: PROJECTION_LAG_EVENTS.labels(service, n) for n in names}
        self._applied = {n: PROJECTION_APPLIED.labels(service, n) for n in names}
        self._lag_counted_at = -LAG_REFRESH_S
        self._place: Position | None = None
        self._full_step_at = -FULL_STEP_S
        # name -> (when to try it again, the pause after that)
        self._failing: dict[str, tuple[float, float]] = {}

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
        """Apply at most one chunk of each member; returns how many events it read."""
        async with pooled_connection(self.pool) as conn:
            if (
                self._place is not None
                and time.monotonic() - self._full_step_at < FULL_STEP_S
                and not await visible_after(conn, self._place)
            ):
                return 0
            self._full_step_at = time.monotonic()
            self._place = None
            members = self._due()
            if not members:
                return 0
            try:
                chunk = await apply_live_chunk(conn, members, self.chunk_size, wait=False)
            except Exception:
                if len(self.projections) == 1:
                    raise
                chunk = await self._apply_apart(conn, members)
            for projection in members:
                if projection.name in chunk.applied:
                    self._failing.pop(projection.name, None)
            self._place = chunk.place
            await self._record(conn, chunk)
        return chunk.read

    def _due(self) -> list[Projection]:
        now = time.monotonic()
        return [
            p
            for p in self.projections
            if p.name not in self._failing or self._failing[p.name][0] <= now
        ]

    async def _apply_apart(self, conn: asyncpg.Connection, members: list[Projection]) -> Chunk:
        """After a failed group chunk: a chunk of each member alone, so the healthy ones move
        on; those that fail alone are set aside. If every one fails, that is raised."""
        log.warning("projection.group_failed", projection=self.name, exc_info=True)
        done = Chunk(0, {}, {}, set())
        failed: list[tuple[Projection, Exception]] = []
        for projection in members:
            try:
                done.add(await apply_live_chunk(conn, [projection], self.chunk_size, wait=False))
            except Exception as exc:
                failed.append((projection, exc))
        if len(failed) == len(members):
            # Not one broken projection but the database (or all of them): the supervisor's
            # restart handles it, and no member's pause grows while Postgres is away.
            raise failed[0][1]
        for projection, error in failed:
            previous = self._failing.get(projection.name, (0.0, None))[1]
            wait = next_pause(previous, error)
            self._failing[projection.name] = (time.monotonic() + wait, wait)
            log.error(
                "projection.failed",
                projection=projection.name,
                retry_in_s=wait,
                exc_info=(type(error), error, error.__traceback__),
            )
        return done

    async def _record(self, conn: asyncpg.Connection, chunk: Chunk) -> None:
        for name, applied in chunk.applied.items():
            if applied:
                self._applied[name].inc(applied)
        for name in chunk.positions.keys() - chunk.behind:
            # Read up to the visible head: only still-open transactions are behind it.
            self._lag[name].set(0)
        now = time.monotonic()
        if chunk.behind and now - self._lag_counted_at >= LAG_REFRESH_S:
            self._lag_counted_at = now
            head = await head_position(conn)
            for name in chunk.behind:
                position = chunk.positions[name]
                self._lag[name].set(max(0, head.global_position - position.global_position))
        if chunk.read:
            log.debug("projection.applied", projection=self.name, events=chunk.read)


def next_pause(previous: float | None, error: BaseException) -> float:
    """How long a member that failed alone is set aside: RETRY_FIRST_S, doubled on each
    further failure up to RETRY_MAX_S, except while the failure is the infrastructure's."""
    if previous is None or is_infrastructure(error):
        return RETRY_FIRST_S
    return min(2 * previous, RETRY_MAX_S)


@dataclass(slots=True)
class Chunk:
    """What one step did: how many events it read, how many each member applied (members
    left out are absent), each member's checkpoint after it, the members that read a full
    chunk (still behind), and the earliest checkpoint (the runner's place)."""

    read: int
    applied: dict[str, int]
    positions: dict[str, Position]
    behind: set[str]

    @property
    def place(self) -> Position | None:
        return min(self.positions.values()) if self.positions else None

    def add(self, other: Chunk) -> None:
        self.read += other.read
        self.applied.update(other.applied)
        self.positions.update(other.positions)
        self.behind |= other.behind


async def apply_live_chunk(
    conn: asyncpg.Connection,
    projections: Sequence[Projection],
    chunk_size: int,
    *,
    wait: bool = True,
) -> Chunk:
    """One transaction: take the projections' apply locks, apply the next chunk of each to
    the live tables, store the checkpoints that moved.

    Members within a chunk of the furthest one share one read, from the earliest of their
    checkpoints; each gets its own types past its own checkpoint, so one that is ahead (a
    rebuild's swap moved it) applies nothing twice. A member further behind reads alone.
    With `wait=False` (the runner), a member whose lock is held (a rebuild's swap, or a
    rebuild catching it up) is left out. The rebuild and the commands wait, with one
    projection, to bring a live model up to a position."""
    names = [p.name for p in projections]
    checkpoints = {n: checkpoint_name(n) for n in names}
    async with conn.transaction():
        if wait:
            await conn.execute(APPLY_LOCKS_SQL, names)
            held = list(projections)
        else:
            locked = {r["name"] for r in await conn.fetch(TRY_APPLY_LOCKS_SQL, names) if r[1]}
            held = [p for p in projections if p.name in locked]
        # Loaded under the locks: a swap that just committed may have moved one.
        loaded = await load_checkpoints(conn, [checkpoints[p.name] for p in held])
        positions = {p.name: loaded[checkpoints[p.name]] for p in held}
        chunk = Chunk(0, {}, dict(positions), set())
        if not held:
            return chunk
        front = max(positions.values()).global_position
        near = [p for p in held if front - positions[p.name].global_position <= chunk_size]
        moved: dict[str, Position] = {}
        for part in [near, *([p] for p in held if p not in near)]:
            start = min(positions[p.name] for p in part)
            events, through = await read_window(conn, start, chunk_size, _union_types(part))
            chunk.read += len(events)
            for projection in part:
                position = positions[projection.name]
                mine = _events_for(projection, position, start, events)
                if mine:
                    await projection.apply(conn, mine, TableNames.live(projection.tables))
                chunk.applied[projection.name] = len(mine)
                if len(events) == chunk_size:
                    chunk.behind.add(projection.name)
                # Past the events applied and past the other types' events examined with
                # them; a checkpoint already further on is never moved back.
                if through > position:
                    moved[checkpoints[projection.name]] = through
                    chunk.positions[projection.name] = through
        await store_checkpoints(conn, moved)
    return chunk


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
