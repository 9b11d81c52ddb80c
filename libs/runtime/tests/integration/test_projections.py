"""Projection runner and rebuild against the real Postgres: exactly-once apply across
cancellation, rebuild/verify/swap under concurrent load, and the horizon stall a chunked
rebuild may cause in another schema (one chunk at most)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import pytest
import structlog
from prometheus_client import REGISTRY

from cognive_runtime.eventlog import NewEvent, Position, RecordedEvent, append_to_stream, read_all
from cognive_runtime.eventlog import reader as reader_module
from cognive_runtime.eventlog.checkpoints import (
    load_checkpoint,
    load_checkpoints,
    store_checkpoints,
)
from cognive_runtime.projections import (
    ProjectionRunner,
    RebuildReport,
    TableNames,
    rebuild,
    verify,
)
from cognive_runtime.projections import runner as runner_module
from cognive_runtime.projections.base import APPLY_LOCK_SQL, checkpoint_name, pooled_connection
from cognive_runtime.testing import SchemaFactory, TestSchema, wait_until

from .counters_projection import (
    ADDED,
    MIGRATIONS,
    NOISE,
    Counters,
    append_continuously,
    append_events,
    log_model,
    preload,
    random_events,
    read_model,
)

pytestmark = pytest.mark.integration
log = structlog.get_logger(__name__)


async def _schema(schemas: SchemaFactory, label: str = "proj") -> TestSchema:
    return await schemas.create(label, migrations_dir=MIGRATIONS, component="test")


async def _caught_up(pool: asyncpg.Pool) -> bool:
    """The runner has applied every ADDED event that is readable now."""
    applied = await pool.fetchval("SELECT coalesce(sum(events), 0) FROM proj_totals")
    logged = await pool.fetchval("SELECT count(*) FROM events WHERE type = $1", ADDED)
    return bool(applied == logged)


async def _drain(runner: ProjectionRunner) -> None:
    while await runner.step():
        pass


class _StuckMidApply(Counters):
    """Writes the first half of a chunk, then hangs inside the transaction until cancelled."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        await super().apply(conn, events[: len(events) // 2], tables)
        self.entered.set()
        await asyncio.Event().wait()


async def test_runner_applies_once_and_resumes_after_cancellation(schemas: SchemaFactory) -> None:
    schema = await _schema(schemas)
    await preload(schema.pool, 3000, batch=500)
    runner = ProjectionRunner(schema.pool, Counters(), "test", chunk_size=200, idle_poll_s=0.02)
    for _ in range(3):
        await runner.step()
    before = await read_model(schema.pool)
    checkpoint = await schema.pool.fetchrow(
        "SELECT * FROM checkpoints WHERE name = $1", "projection:counters"
    )

    stuck = _StuckMidApply()
    stuck_runner = ProjectionRunner(schema.pool, stuck, "test", chunk_size=200, idle_poll_s=0.02)
    task = asyncio.create_task(stuck_runner.run(asyncio.Event()))
    await asyncio.wait_for(stuck.entered.wait(), 30)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    # Half a chunk was written inside the cancelled transaction: none of it, and no
    # checkpoint move, survived.
    assert await read_model(schema.pool) == before
    after = await schema.pool.fetchrow(
        "SELECT * FROM checkpoints WHERE name = $1", "projection:counters"
    )
    assert after == checkpoint

    # Cancel a running loop at arbitrary points, restart it each time.
    rng = random.Random(7)
    for _ in range(5):
        stop = asyncio.Event()
        position = await schema.pool.fetchval(
            "SELECT position FROM checkpoints WHERE name = 'projection:counters'"
        )
        task = asyncio.create_task(runner.run(stop))
        await wait_until(
            lambda p=position: _moved(schema.pool, p), timeout=30, message="checkpoint moved"
        )
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await append_events(schema.pool, random_events(rng, 300))
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    await wait_until(lambda: _caught_up(schema.pool), timeout=60, message="runner caught up")
    stop.set()
    await asyncio.wait_for(task, 30)
    assert await read_model(schema.pool) == await log_model(schema.pool)


async def _moved(pool: asyncpg.Pool, position: int) -> bool:
    now = await pool.fetchval("SELECT position FROM checkpoints WHERE name = 'projection:counters'")
    return bool(now != position)


async def test_rebuild_under_load_equals_live_and_log(schemas: SchemaFactory) -> None:
    schema = await _schema(schemas)
    pool = schema.pool
    await preload(pool, 20_000)
    runner = ProjectionRunner(pool, Counters(), "test", chunk_size=500, idle_poll_s=0.02)
    stop = asyncio.Event()
    live = asyncio.create_task(runner.run(stop))
    writer = asyncio.create_task(append_continuously(pool, stop, seed=3))
    reads = {"ok": 0}
    read_errors: list[BaseException] = []

    async def read_live() -> None:
        # What an API handler does while the rebuild runs and swaps.
        while not stop.is_set():
            try:
                await pool.fetchval("SELECT sum(total) FROM proj_counters")
                await pool.fetch("SELECT * FROM proj_totals ORDER BY kind")
                reads["ok"] += 1
            except Exception as exc:
                read_errors.append(exc)
            await asyncio.sleep(0.002)

    readers = [asyncio.create_task(read_live()) for _ in range(3)]
    indexes_before = await _index_names(pool)
    progress: list[tuple[int, int]] = []
    try:
        await wait_until(lambda: _caught_up(pool), timeout=60, message="runner caught up once")
        first = await rebuild(
            pool, Counters(), chunk_size=2000, progress=lambda d, t: progress.append((d, t))
        )
        assert first.swapped, first
        assert first.differing_rows == 0
        assert first.events >= 18_000
        assert first.chunks >= 9
        second = await rebuild(pool, Counters(), chunk_size=3000)
        assert second.swapped, second
        assert second.differing_rows == 0
        assert second.position >= first.position
        # The live runner kept advancing across both swaps.
        assert await _checkpoint(pool) >= second.position
    finally:
        stop.set()
        await asyncio.gather(live, writer, *readers)

    assert read_errors == []
    assert reads["ok"] > 0
    assert progress
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert all(total >= done for done, total in progress)
    assert await _index_names(pool) == indexes_before
    # No shadow or old tables left behind.
    leftovers = await pool.fetchval(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        " AND (tablename LIKE '%\\_\\_shadow' OR tablename LIKE '%\\_\\_old')"
    )
    assert leftovers == 0

    await _drain(runner)
    assert await read_model(pool) == await log_model(pool)
    report = await verify(pool, Counters())
    assert report.equal, report


async def test_verify_reports_a_corrupted_row_and_rebuild_keeps_live(
    schemas: SchemaFactory,
) -> None:
    schema = await _schema(schemas)
    pool = schema.pool
    await preload(pool, 2000, batch=1000)
    runner = ProjectionRunner(pool, Counters(), "test", chunk_size=300)
    await _drain(runner)
    assert (await verify(pool, Counters())).equal

    await pool.execute("UPDATE proj_counters SET total = total + 1 WHERE stream_id = 's-7'")
    report = await verify(pool, Counters())
    assert not report.equal
    by_table = {t.table: t for t in report.tables}
    assert (by_table["proj_counters"].only_live, by_table["proj_counters"].only_rebuilt) == (1, 1)
    assert by_table["proj_totals"].differing_rows == 0
    assert "s-7" in by_table["proj_counters"].live_samples[0]

    refused = await rebuild(pool, Counters(), chunk_size=500, verify=True)
    assert not refused.swapped
    assert refused.differing_rows == 2
    corrupted = await pool.fetchval("SELECT total FROM proj_counters WHERE stream_id = 's-7'")
    assert (await counters_total(pool, "s-7")) + 1 == corrupted  # live kept as it was
    assert await pool.fetchval("SELECT to_regclass('proj_counters__shadow')") is None

    repaired = await rebuild(pool, Counters(), chunk_size=500, verify=False)
    assert repaired.swapped
    assert (await verify(pool, Counters())).equal
    assert await read_model(pool) == await log_model(pool)


async def test_rebuild_and_verify_with_no_live_runner(schemas: SchemaFactory) -> None:
    schema = await _schema(schemas)
    pool = schema.pool
    await preload(pool, 1500, batch=500)
    report = await verify(pool, Counters(), chunk_size=400)
    assert report.equal  # live was advanced as its runner would have, then compared
    assert await _checkpoint(pool) == report.position
    assert await read_model(pool) == await log_model(pool)
    await append_events(pool, random_events(random.Random(4), 700))
    rebuilt = await rebuild(pool, Counters(), chunk_size=400)
    assert rebuilt.swapped
    assert await _checkpoint(pool) == rebuilt.position
    assert await read_model(pool) == await log_model(pool)
    # The runner continues from the swapped-in checkpoint without re-applying anything.
    await append_events(pool, random_events(random.Random(5), 200))
    await _drain(ProjectionRunner(pool, Counters(), "test"))
    assert await read_model(pool) == await log_model(pool)


async def counters_total(pool: asyncpg.Pool, stream_id: str) -> int:
    total = await pool.fetchval(
        "SELECT sum((data->>'amount')::bigint) FROM events WHERE type = $1 AND stream_id = $2",
        ADDED,
        stream_id,
    )
    return int(total)


async def _checkpoint(pool: asyncpg.Pool) -> Position:
    row = await pool.fetchrow(
        "SELECT tx_id, position FROM checkpoints WHERE name = 'projection:counters'"
    )
    assert row is not None
    return Position(row["tx_id"], row["position"])


async def _index_names(pool: asyncpg.Pool) -> set[str]:
    rows = await pool.fetch(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        " AND tablename IN ('proj_counters', 'proj_totals')"
    )
    return {r["indexname"] for r in rows}


async def _follow(
    pool: asyncpg.Pool, stop: asyncio.Event, seen: dict[int, float], poll_s: float = 0.005
) -> None:
    """What a relay does to its log, minus the publishing: a gap-free reader in a loop."""
    position = Position.start()
    while not stop.is_set():
        events = await read_all(pool, position, 1000)
        now = time.monotonic()
        for event in events:
            seen[event.global_position] = now
        if events:
            position = events[-1].position
        else:
            await asyncio.sleep(poll_s)


async def _write_every_10ms(
    pool: asyncpg.Pool, stop: asyncio.Event, committed: dict[int, float]
) -> None:
    n = 0
    while not stop.is_set():
        async with pooled_connection(pool) as conn:
            async with conn.transaction():
                [position] = await append_to_stream(
                    conn, f"b-{n % 10}", [NewEvent("b.tick.v1", {"n": n})]
                )
            committed[position] = time.monotonic()
        n += 1
        await asyncio.sleep(0.01)


async def _max_reader_delay(
    pool: asyncpg.Pool, during: Callable[[], Awaitable[object]]
) -> tuple[float, object]:
    """Largest delay between an append in `pool`'s schema committing and a gap-free reader of
    that schema seeing it, over the appends made while `during()` runs elsewhere."""
    stop, stop_reader = asyncio.Event(), asyncio.Event()
    committed: dict[int, float] = {}
    seen: dict[int, float] = {}
    reader = asyncio.create_task(_follow(pool, stop_reader, seen))
    writer = asyncio.create_task(_write_every_10ms(pool, stop, committed))
    try:
        await wait_until(lambda: len(seen) >= 5, timeout=30, message="reader follows B")
        result = await during()
    finally:
        stop.set()
        await writer
    try:
        await wait_until(lambda: committed.keys() <= seen.keys(), timeout=60, message="seen all")
    finally:
        stop_reader.set()
        await reader
    delays = [seen[p] - t for p, t in committed.items()]
    return max(delays), result


@pytest.mark.slow
async def test_chunked_rebuild_stalls_another_schema_by_one_chunk_at_most(
    schemas: SchemaFactory,
) -> None:
    a = await _schema(schemas, "big")
    b = await schemas.create("other")
    await preload(a.pool, 60_000, batch=5000, seed=11)  # one multi-row insert per 5k events

    async def rebuild_a() -> object:
        return await rebuild(a.pool, Counters(), chunk_size=2000)

    delay, result = await _max_reader_delay(b.pool, rebuild_a)
    assert isinstance(result, RebuildReport)
    assert result.swapped
    assert result.chunks >= 25
    # Each chunk (and the swap) is a short transaction holding the cluster-wide horizon; B's
    # reader waits for at most one of them, plus scheduling noise on a loaded machine.
    bound = max(2 * max(result.longest_chunk_s, result.swap_s), 1.0)
    log.info(
        "test.horizon_stall_measured",
        events=result.events,
        rebuild_s=round(result.duration_s, 3),
        longest_chunk_ms=round(result.longest_chunk_s * 1000),
        swap_ms=round(result.swap_s * 1000),
        max_delay_ms=round(delay * 1000),
        bound_ms=round(bound * 1000),
    )
    assert delay < bound


async def test_one_long_transaction_in_another_schema_stalls_the_reader(
    schemas: SchemaFactory,
) -> None:
    """The contrast that makes chunks necessary: the horizon is cluster-wide, so a transaction
    that holds an xid in schema A holds back every gap-free reader, in every schema."""
    a = await schemas.create("long")
    b = await schemas.create("other")
    hold_s = 2.0

    async def long_transaction_in_a() -> object:
        async with a.pool.acquire() as conn, conn.transaction():
            await conn.fetchval("SELECT pg_current_xact_id()")  # takes an xid, as any write does
            await asyncio.sleep(hold_s)  # the fault itself: a replay done in one transaction
        return None

    delay, _ = await _max_reader_delay(b.pool, long_transaction_in_a)
    assert delay > hold_s * 0.75


LAG = "cognive_projection_lag_events"


def _scans(plan: dict[str, object]) -> list[str]:
    """Every scan node of an EXPLAIN (FORMAT JSON) plan, as '<node type> <relation or index>'."""
    found = []
    if "Index Name" in plan or "Relation Name" in plan:
        found.append(f"{plan['Node Type']} {plan.get('Index Name') or plan['Relation Name']}")
    for child in plan.get("Plans", []):  # type: ignore[attr-defined]
        found += _scans(child)
    return found


async def test_a_runners_lag_is_its_distance_to_the_head_of_the_log(
    schemas: SchemaFactory,
) -> None:
    # Events of other types count too: the runner walks past them as well. (Counting only
    # its own types was a query that scanned the whole log without statistics: ADR 0015.)
    schema = await _schema(schemas)
    await preload(schema.pool, 3000, batch=500)
    projection = Counters()  # of one type; preload writes others too
    runner = ProjectionRunner(schema.pool, projection, "test", chunk_size=500)
    assert await runner.step() == 500
    labels = {"service": "test", "projection": projection.name}
    async with schema.pool.acquire() as conn:
        checkpoint = await load_checkpoint(conn, checkpoint_name(projection.name))
        head = await conn.fetchval("SELECT max(global_position) FROM events")
    assert REGISTRY.get_sample_value(LAG, labels) == head - checkpoint.global_position > 0
    await _drain(runner)
    assert REGISTRY.get_sample_value(LAG, labels) == 0


async def test_a_followers_read_of_its_types_walks_the_log_in_commit_order(
    schemas: SchemaFactory,
) -> None:
    # On a log without statistics (autovacuum off, or before the first ANALYZE), an index on
    # the type let the planner combine it with the commit-order index: each read of 1,000
    # events then walked every event of its types in the whole log (runtime migration 0004).
    schema = await _schema(schemas)
    await schema.pool.execute(
        "INSERT INTO events (stream_id, stream_version, event_id, type, data)"
        " SELECT 's-' || g, 1, gen_random_uuid(), CASE WHEN g % 2 = 0 THEN $1 ELSE $2 END,"
        " json_build_object('kind', 'alpha', 'amount', g)"
        " FROM generate_series(1, 200000) AS g",
        ADDED,
        NOISE,
    )
    behind = await schema.pool.fetchrow(
        "SELECT tx_id, global_position FROM events ORDER BY global_position DESC OFFSET 3000"
        " LIMIT 1"
    )
    at = f"'{behind['tx_id']}'::xid8, {behind['global_position']}::bigint"
    queries = {
        "read_all": reader_module._READ_ALL_TYPES.replace("$1::xid8, $2::bigint", at)
        .replace("$3", "1000")
        .replace("$4::text[]", f"ARRAY['{ADDED}']"),
        "read_window": reader_module._READ_WINDOW_TYPES.replace("$1::xid8, $2::bigint", at)
        .replace(
            "$5::xid8, $6::bigint",
            f"'{behind['tx_id']}'::xid8, {behind['global_position'] + 2000}::bigint",
        )
        .replace("$3", "1000")
        .replace("$4::text[]", f"ARRAY['{ADDED}']"),
    }
    for name, query in queries.items():
        explained = await schema.pool.fetchval(f"EXPLAIN (FORMAT JSON) {query}")
        scans = _scans(explained[0]["Plan"])
        # An index scan, or a bitmap of the same index: either reads only the window.
        assert {s.split()[-1] for s in scans if "Index" in s} == {"events_commit_order"}, scans
        assert not any(s.startswith("Seq Scan") for s in scans), (name, scans)


async def test_a_quiet_poll_takes_no_lock_and_new_events_still_arrive(
    schemas: SchemaFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caught-up runner asks the log whether anything is past its place, and only then
    takes the apply lock: here a rebuild holds that lock, and a quiet poll must not wait."""
    monkeypatch.setattr(runner_module, "FULL_STEP_S", 60.0)
    schema = await _schema(schemas)
    await preload(schema.pool, 600, batch=200)
    projection = Counters()
    runner = ProjectionRunner(schema.pool, projection, "test", chunk_size=500)
    await _drain(runner)
    async with schema.pool.acquire() as holder, holder.transaction():
        await holder.execute(APPLY_LOCK_SQL, projection.name)
        assert await asyncio.wait_for(runner.step(), 5) == 0
    await append_events(schema.pool, random_events(random.Random(3), 50))
    await _drain(runner)
    assert await _caught_up(schema.pool)
    assert await read_model(schema.pool) == await log_model(schema.pool)


async def test_a_checkpoint_moved_by_someone_else_is_reread(
    schemas: SchemaFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody moves a runner's checkpoint back, but should someone (an operator by hand),
    the runner reads it again within FULL_STEP_S instead of trusting its own place."""
    monkeypatch.setattr(runner_module, "FULL_STEP_S", 0.2)
    schema = await _schema(schemas)
    await preload(schema.pool, 600, batch=200)
    runner = ProjectionRunner(schema.pool, Counters(), "test", chunk_size=500)
    await _drain(runner)
    expected = await read_model(schema.pool)
    await schema.pool.execute("TRUNCATE proj_counters, proj_totals")
    await schema.pool.execute("DELETE FROM checkpoints WHERE name = 'projection:counters'")
    await asyncio.sleep(0.3)
    await _drain(runner)
    assert await read_model(schema.pool) == expected


class _Seen:
    """Remembers the events it was given (no tables): what a group hands each member."""

    tables: tuple[str, ...] = ()

    def __init__(self, name: str, types: frozenset[str] | None, *, broken: bool = False) -> None:
        self.name = name
        self.types = types
        self.broken = broken
        self.seen: list[Position] = []

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        if self.broken:
            raise RuntimeError(f"{self.name} is broken")
        self.seen.extend(e.position for e in events)


APPLIED = "cognive_projection_applied_events_total"
FULL_STEP = runner_module.FULL_STEP_S


async def _positions(
    pool: asyncpg.Pool, types: Sequence[str] | None, after: Position
) -> list[Position]:
    rows = await pool.fetch(
        "SELECT tx_id, global_position FROM events WHERE (tx_id, global_position) > ($1, $2)"
        " AND ($3::text[] IS NULL OR type = ANY($3)) ORDER BY tx_id, global_position",
        after.tx_id,
        after.global_position,
        types,
    )
    return [Position(r["tx_id"], r["global_position"]) for r in rows]


async def _one_member_ahead(
    schemas: SchemaFactory, name: str, index: int
) -> tuple[TestSchema, Position]:
    """A log of 3,000 events, and the checkpoint of projection `name` at its `index`th event
    (as a rebuild's swap leaves a projection ahead of the others)."""
    schema = await _schema(schemas)
    await preload(schema.pool, 3000, batch=500)
    ahead = (await _positions(schema.pool, None, Position.start()))[index]
    async with pooled_connection(schema.pool) as conn:
        await store_checkpoints(conn, {checkpoint_name(name): ahead})
    return schema, ahead


async def test_a_group_gives_each_projection_its_own_types_past_its_own_checkpoint(
    schemas: SchemaFactory,
) -> None:
    """One read for the group; each member gets its types, from its own checkpoint (one of
    them here is ahead, as after a rebuild's swap), each event once, and its own
    checkpoint and metrics."""
    schema, ahead = await _one_member_ahead(schemas, "noise", 1700)
    noise = _Seen("noise", frozenset({NOISE}))
    everything = _Seen("everything", None)
    runner = ProjectionRunner(schema.pool, [Counters(), noise, everything], "test", chunk_size=400)
    assert runner.name == "projection:counters+noise+everything"
    await _drain(runner)
    await append_events(schema.pool, random_events(random.Random(9), 300))
    await _drain(runner)

    assert await read_model(schema.pool) == await log_model(schema.pool)
    assert noise.seen == await _positions(schema.pool, [NOISE], ahead)
    assert everything.seen == await _positions(schema.pool, None, Position.start())
    head = (await _positions(schema.pool, None, Position.start()))[-1]
    async with pooled_connection(schema.pool) as conn:
        names = [checkpoint_name(n) for n in ("counters", "noise", "everything")]
        assert set((await load_checkpoints(conn, names)).values()) == {head}
    applied = REGISTRY.get_sample_value(APPLIED, {"service": "test", "projection": "noise"})
    assert applied == len(noise.seen)  # the only runner of a projection named "noise"


async def test_typed_members_at_different_checkpoints_share_a_read(
    schemas: SchemaFactory,
) -> None:
    """Only typed members (every service's case), small chunks, one member ahead: each
    event of a member's types past its checkpoint is applied once, and counted once."""
    schema, ahead = await _one_member_ahead(schemas, "noise-typed", 150)
    noise = _Seen("noise-typed", frozenset({NOISE}))
    added = _Seen("added-typed", frozenset({ADDED}))
    labels = {"service": "test", "projection": "noise-typed"}
    before = REGISTRY.get_sample_value(APPLIED, labels) or 0.0
    runner = ProjectionRunner(schema.pool, [Counters(), noise, added], "test", chunk_size=90)
    await _drain(runner)
    await append_events(schema.pool, random_events(random.Random(11), 500))
    await _drain(runner)

    assert await read_model(schema.pool) == await log_model(schema.pool)
    assert noise.seen == await _positions(schema.pool, [NOISE], ahead)
    assert added.seen == await _positions(schema.pool, [ADDED], Position.start())
    assert REGISTRY.get_sample_value(APPLIED, labels) == before + len(noise.seen)


async def test_a_member_far_behind_does_not_hold_up_the_others(schemas: SchemaFactory) -> None:
    schema = await _schema(schemas)
    await preload(schema.pool, 3000, batch=500)
    await _drain(ProjectionRunner(schema.pool, Counters(), "test", chunk_size=1000))
    late = _Seen("late", frozenset({ADDED}))
    runner = ProjectionRunner(schema.pool, [Counters(), late], "test", chunk_size=200)
    await append_events(schema.pool, random_events(random.Random(12), 100))
    await runner.step()
    # One step: the caught-up member has the new events, the new one its first chunk.
    assert await read_model(schema.pool) == await log_model(schema.pool)
    assert late.seen == (await _positions(schema.pool, [ADDED], Position.start()))[:200]
    await _drain(runner)
    assert late.seen == await _positions(schema.pool, [ADDED], Position.start())


async def test_a_member_whose_lock_is_held_is_left_out_of_the_chunk(
    schemas: SchemaFactory,
) -> None:
    """A rebuild's swap holds one projection's apply lock for its compare: the group's
    other members go on, and the held one catches up once the lock is free."""
    schema = await _schema(schemas)
    await preload(schema.pool, 600, batch=200)
    noise = _Seen("noise-free", frozenset({NOISE}))
    runner = ProjectionRunner(schema.pool, [Counters(), noise], "test", chunk_size=500)
    async with schema.pool.acquire() as holder, holder.transaction():
        await holder.execute(APPLY_LOCK_SQL, "counters")
        await asyncio.wait_for(_drain(runner), 10)
        assert noise.seen == await _positions(schema.pool, [NOISE], Position.start())
        assert await read_model(schema.pool) == (set(), set())
    await asyncio.sleep(FULL_STEP)
    await _drain(runner)
    assert await read_model(schema.pool) == await log_model(schema.pool)


async def test_a_broken_member_of_a_group_stops_only_itself(
    schemas: SchemaFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "RETRY_FIRST_S", 0.2)
    schema = await _schema(schemas)
    await preload(schema.pool, 1200, batch=400)
    broken = _Seen("broken", frozenset({NOISE}), broken=True)
    runner = ProjectionRunner(schema.pool, [Counters(), broken], "test", chunk_size=500)
    await _drain(runner)
    assert await read_model(schema.pool) == await log_model(schema.pool)
    async with pooled_connection(schema.pool) as conn:
        assert await load_checkpoint(conn, checkpoint_name("broken")) == Position.start()
    broken.broken = False
    await asyncio.sleep(max(0.3, FULL_STEP))  # past its pause, and past the probe's
    await _drain(runner)
    assert broken.seen == await _positions(schema.pool, [NOISE], Position.start())

    # Every member failing at once is not one broken projection: it is raised.
    monkeypatch.setattr(runner_module, "RETRY_FIRST_S", 60.0)
    both = [_Seen("a", frozenset({NOISE}), broken=True), _Seen("b", None, broken=True)]
    runner = ProjectionRunner(schema.pool, both, "test")
    with pytest.raises(RuntimeError, match="is broken"):
        await runner.step()
    # ... and sets none of them aside: once it passes (Postgres is back), they go on at once.
    for member in both:
        member.broken = False
    await _drain(runner)
    assert both[0].seen == await _positions(schema.pool, [NOISE], Position.start())
