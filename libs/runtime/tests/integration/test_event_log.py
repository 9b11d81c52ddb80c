"""The event log against the real Postgres: append, concurrency, append-only, gap-free reads."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest

from cognive_runtime.db.migrations import apply_migrations, runtime_migrations
from cognive_runtime.eventlog import (
    NO_STREAM,
    ConcurrencyError,
    NewEvent,
    Position,
    StreamAppend,
    append,
    append_to_stream,
    head_position,
    read_all,
    read_stream,
    read_window,
)
from cognive_runtime.testing import SchemaFactory

pytestmark = pytest.mark.integration


async def test_append_and_read_stream(schemas: SchemaFactory) -> None:
    schema = await schemas.create("log")
    async with schema.pool.acquire() as conn, conn.transaction():
        positions = await append_to_stream(
            conn, "run-1", [NewEvent("a.b.c.v1", {"n": i}) for i in range(3)], NO_STREAM
        )
    assert positions == sorted(positions)
    events = await read_stream(schema.pool, "run-1")
    assert [e.stream_version for e in events] == [1, 2, 3]
    assert [e.data["n"] for e in events] == [0, 1, 2]


async def test_expected_version_conflict_is_typed(schemas: SchemaFactory) -> None:
    schema = await schemas.create("log")
    async with schema.pool.acquire() as conn:
        async with conn.transaction():
            await append_to_stream(conn, "s", [NewEvent("x.y.z.v1", {})], NO_STREAM)
        with pytest.raises(ConcurrencyError) as caught:
            async with conn.transaction():
                await append_to_stream(conn, "s", [NewEvent("x.y.z.v1", {})], NO_STREAM)
    assert caught.value.actual == 1
    assert caught.value.expected == 0


async def test_duplicate_event_id_is_refused(schemas: SchemaFactory) -> None:
    schema = await schemas.create("log")
    event = NewEvent("x.y.z.v1", {})
    async with schema.pool.acquire() as conn:
        async with conn.transaction():
            await append_to_stream(conn, "s1", [event])
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await append_to_stream(conn, "s2", [event])


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET type = 'tampered'",
        "DELETE FROM events",
        "TRUNCATE events",
    ],
)
async def test_log_refuses_update_delete_truncate(schemas: SchemaFactory, statement: str) -> None:
    schema = await schemas.create("log")
    async with schema.pool.acquire() as conn:
        async with conn.transaction():
            await append_to_stream(conn, "s", [NewEvent("x.y.z.v1", {"v": 1})])
        with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
            await conn.execute(statement)
    events = await read_stream(schema.pool, "s")
    assert [e.type for e in events] == ["x.y.z.v1"]


async def test_append_outside_transaction_is_refused(schemas: SchemaFactory) -> None:
    schema = await schemas.create("log")
    async with schema.pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="transaction"):
            await append_to_stream(conn, "s", [NewEvent("x.y.z.v1", {})])


async def _writer(pool: asyncpg.Pool, writer: int, count: int, rng: random.Random) -> None:
    for i in range(count):
        async with pool.acquire() as conn, conn.transaction():
            await append(
                conn,
                [StreamAppend(f"w{writer}", [NewEvent("t.e.s.v1", {"w": writer, "i": i})])],
            )
            # Hold the transaction open for a random while so that commits land out of
            # position order.
            await asyncio.sleep(rng.random() * 0.02)


async def test_gap_free_reader_never_skips_late_commits(schemas: SchemaFactory) -> None:
    schema = await schemas.create("log")
    rng = random.Random(20261123)
    writers, per_writer = 8, 40
    seen: list[tuple[int, int]] = []
    seen_positions: set[int] = set()

    async def long_transaction() -> None:
        # A transaction that appends early and commits seconds later: its row has a low
        # position and must still be read, in commit order, once it commits.
        async with schema.pool.acquire() as conn, conn.transaction():
            await append(conn, [StreamAppend("slow", [NewEvent("t.e.s.v1", {"slow": True})])])
            await asyncio.sleep(1.5)

    async def reader(stop: asyncio.Event) -> None:
        position = Position.start()
        while True:
            batch = await read_all(schema.pool, position, limit=7)
            for event in batch:
                assert event.position > position, "reader went backwards"
                assert event.global_position not in seen_positions, "read twice"
                seen_positions.add(event.global_position)
                seen.append((event.tx_id, event.global_position))
                position = event.position
            if not batch:
                if stop.is_set():
                    return
                await asyncio.sleep(0.005)

    stop = asyncio.Event()
    reading = asyncio.create_task(reader(stop))
    slow = asyncio.create_task(long_transaction())
    await asyncio.gather(*(_writer(schema.pool, w, per_writer, rng) for w in range(writers)))
    await slow
    # Everything is committed; give the reader the chance to reach the head.
    head = await head_position(schema.pool)
    while not seen or Position(*seen[-1]) < head:
        await asyncio.sleep(0.01)
    stop.set()
    await reading

    total = await schema.pool.fetchval("SELECT count(*) FROM events")
    assert total == writers * per_writer + 1
    assert len(seen) == total, "a committed event was skipped"
    assert seen == sorted(seen), "not in commit order"


async def test_a_typed_reader_moves_past_other_types_for_good(schemas: SchemaFactory) -> None:
    """A follower of rare types examines each stretch of other types once: its place moves
    to the end of what it examined, not only to its last match."""
    schema = await schemas.create("log")

    async def add(kind: str, n: int) -> None:
        async with schema.pool.acquire() as conn, conn.transaction():
            await append_to_stream(conn, f"s-{kind}", [NewEvent(kind, {"i": i}) for i in range(n)])

    await add("common.v1", 50)
    await add("rare.v1", 1)
    await add("common.v1", 30)
    head = await head_position(schema.pool)

    events, through = await read_window(schema.pool, Position.start(), 10, ["rare.v1"])
    assert [e.type for e in events] == ["rare.v1"]
    assert through == head  # the 30 after it were examined too
    again, through_again = await read_window(schema.pool, through, 10, ["rare.v1"])
    assert (again, through_again) == ([], head)

    # The window is bounded: with `scan` rows examined per call, the place advances by that
    # much even when nothing matches; a full page of matches stops at the last match.
    first, place = await read_window(schema.pool, Position.start(), 10, ["nothing.v1"], scan=20)
    assert first == []
    assert place == (await read_all(schema.pool, Position.start(), 20))[-1].position
    page, end = await read_window(schema.pool, Position.start(), 5, ["common.v1"], scan=100)
    assert len(page) == 5
    assert end == page[-1].position


async def test_a_short_tail_is_read_once_to_the_head(schemas: SchemaFactory) -> None:
    """A caught-up follower's usual case: fewer rows than two pages are visible, so the first
    (near) window already reaches the head; its matches and the head come back."""
    schema = await schemas.create("log")
    async with schema.pool.acquire() as conn, conn.transaction():
        await append_to_stream(conn, "a", [NewEvent("common.v1", {"i": i}) for i in range(5)])
        await append_to_stream(conn, "b", [NewEvent("rare.v1", {})])
        await append_to_stream(conn, "a", [NewEvent("common.v1", {"i": 5})])
    head = await head_position(schema.pool)
    events, through = await read_window(schema.pool, Position.start(), 10, ["rare.v1"])
    assert [e.stream_id for e in events] == ["b"]
    assert through == head
    common, through_common = await read_window(schema.pool, Position.start(), 4, ["common.v1"])
    assert [e.data["i"] for e in common] == [0, 1, 2, 3]
    assert through_common == common[-1].position


async def test_a_window_never_passes_an_open_transaction(schemas: SchemaFactory) -> None:
    schema = await schemas.create("log")
    async with schema.pool.acquire() as conn, conn.transaction():
        await append_to_stream(conn, "s", [NewEvent("common.v1", {})])
    slow = await schema.pool.acquire()
    try:
        tx = slow.transaction()
        await tx.start()
        await append_to_stream(slow, "late", [NewEvent("rare.v1", {})])
        async with schema.pool.acquire() as conn, conn.transaction():
            await append_to_stream(conn, "s", [NewEvent("common.v1", {})])
        events, through = await read_window(schema.pool, Position.start(), 10, ["rare.v1"])
        assert events == []
        # Not past the open transaction's event: only the first commit is below the horizon.
        first = (await read_all(schema.pool, Position.start(), 10))[0].position
        assert through == first
        await tx.commit()
    finally:
        await schema.pool.release(slow)
    events, _ = await read_window(schema.pool, through, 10, ["rare.v1"])
    assert [e.stream_id for e in events] == ["late"]


async def test_the_log_keeps_each_events_json_as_written(schemas: SchemaFactory) -> None:
    # json, not jsonb (ADR 0016): a follower reads back the writer's bytes, without the
    # re-serialisation (key order, spacing) that jsonb paid on every read.
    schema = await schemas.create("log")
    async with schema.pool.acquire() as conn, conn.transaction():
        await append_to_stream(conn, "s", [NewEvent("x.y.z.v1", {"b": 1, "a": [2, None]})])
    (event,) = await read_stream(schema.pool, "s")
    assert event.data_json == '{"b":1,"a":[2,null]}'
    assert event.data == {"b": 1, "a": [2, None]}
    types = await schema.pool.fetch(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = $1 AND table_name = 'events'"
        " AND column_name IN ('data', 'metadata') ORDER BY column_name",
        schema.name,
    )
    assert [(r["column_name"], r["data_type"]) for r in types] == [
        ("data", "json"),
        ("metadata", "json"),
    ]


async def test_a_jsonb_log_migrates_to_json_keeping_every_event(
    schemas: SchemaFactory, pg_dsn: str
) -> None:
    # A log written before migration 0003 (jsonb) keeps its events, still append-only.
    schema = await schemas.create("log")
    name = schema.name
    await schema.pool.close()
    conn = await asyncpg.connect(pg_dsn)
    try:
        await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
        before = [m for m in runtime_migrations() if m.version < 3]
        await apply_migrations(conn, name, before, with_runtime=False)
        await conn.execute(
            f'INSERT INTO "{name}".events (stream_id, stream_version, event_id, type, data)'
            " VALUES ('s', 1, gen_random_uuid(), 'x.y.z.v1', '{\"n\": 1, \"t\": \"é\"}'::jsonb)"
        )
        applied = await apply_migrations(conn, name, [])
        assert [m.version for m in applied] == [
            m.version for m in runtime_migrations() if m.version >= 3
        ]
        row = await conn.fetchrow(
            f'SELECT data::text AS d, metadata::text AS m FROM "{name}".events'
        )
        assert row is not None
        assert (row["d"], row["m"]) == ('{"n": 1, "t": "é"}', "{}")
        with pytest.raises(asyncpg.RestrictViolationError):
            await conn.execute(f'DELETE FROM "{name}".events')
    finally:
        await conn.close()
