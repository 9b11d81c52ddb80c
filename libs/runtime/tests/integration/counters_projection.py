"""A small projection over test events, and the same read model computed straight from the
log with SQL (the independent computation the projection must equal)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import asyncpg

from cognive_runtime.eventlog import NewEvent, RecordedEvent, StreamAppend, append
from cognive_runtime.projections import TableNames
from cognive_runtime.projections.base import pooled_connection

MIGRATIONS = Path(__file__).parent / "projection_migrations"
ADDED = "test.amount.added.v1"
NOISE = "test.noise.v1"
KINDS = ("alpha", "beta", "gamma")


class Counters:
    name = "counters"
    tables = ("proj_counters", "proj_totals")
    types: frozenset[str] | None = frozenset({ADDED})

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        streams: dict[str, tuple[int, int, datetime]] = {}
        kinds: dict[str, tuple[int, int, int]] = {}
        for e in events:
            amount = int(e.data["amount"])
            n, total, last = streams.get(e.stream_id, (0, 0, e.recorded_at))
            streams[e.stream_id] = (n + 1, total + amount, max(last, e.recorded_at))
            kn, kamount, kpos = kinds.get(e.data["kind"], (0, 0, 0))
            kinds[e.data["kind"]] = (kn + 1, kamount + amount, max(kpos, e.global_position))
        await conn.execute(
            f"""INSERT INTO {tables["proj_counters"]} AS t (stream_id, events, total, last_at)
                SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::timestamptz[])
                ON CONFLICT (stream_id) DO UPDATE SET events = t.events + EXCLUDED.events,
                    total = t.total + EXCLUDED.total,
                    last_at = greatest(t.last_at, EXCLUDED.last_at)""",
            list(streams),
            [v[0] for v in streams.values()],
            [v[1] for v in streams.values()],
            [v[2] for v in streams.values()],
        )
        await conn.execute(
            f"""INSERT INTO {tables["proj_totals"]} AS t (kind, events, amount, last_position)
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
                ON CONFLICT (kind) DO UPDATE SET events = t.events + EXCLUDED.events,
                    amount = t.amount + EXCLUDED.amount,
                    last_position = greatest(t.last_position, EXCLUDED.last_position)""",
            list(kinds),
            [v[0] for v in kinds.values()],
            [v[1] for v in kinds.values()],
            [v[2] for v in kinds.values()],
        )


def random_events(rng: random.Random, n: int, streams: int = 50) -> list[StreamAppend]:
    """`n` events over `streams` streams, one in ten of a type the projection ignores."""
    by_stream: dict[str, list[NewEvent]] = {}
    for _ in range(n):
        stream = f"s-{rng.randrange(streams)}"
        if rng.random() < 0.1:
            event = NewEvent(NOISE, {"junk": rng.random()})
        else:
            event = NewEvent(ADDED, {"amount": rng.randrange(1, 1000), "kind": rng.choice(KINDS)})
        by_stream.setdefault(stream, []).append(event)
    return [StreamAppend(s, evs) for s, evs in by_stream.items()]


async def append_events(pool: asyncpg.Pool, appends: list[StreamAppend]) -> None:
    async with pooled_connection(pool) as conn, conn.transaction():
        await append(conn, appends)


async def preload(pool: asyncpg.Pool, n: int, *, batch: int = 5000, seed: int = 1) -> None:
    """`n` events, one multi-row insert per `batch`."""
    rng = random.Random(seed)
    for start in range(0, n, batch):
        await append_events(pool, random_events(rng, min(batch, n - start)))


async def append_continuously(pool: asyncpg.Pool, stop: asyncio.Event, seed: int) -> int:
    rng = random.Random(seed)
    appended = 0
    while not stop.is_set():
        size = rng.randrange(1, 30)
        await append_events(pool, random_events(rng, size, streams=80))
        appended += size
        await asyncio.sleep(0.005)
    return appended


async def counters_from_log(conn: asyncpg.Connection | asyncpg.Pool) -> set[tuple[object, ...]]:
    rows = await conn.fetch(
        "SELECT stream_id, count(*)::int, sum((data->>'amount')::bigint), max(recorded_at)"
        " FROM events WHERE type = $1 GROUP BY stream_id",
        ADDED,
    )
    return {tuple(r) for r in rows}


async def totals_from_log(conn: asyncpg.Connection | asyncpg.Pool) -> set[tuple[object, ...]]:
    rows = await conn.fetch(
        "SELECT data->>'kind', count(*), sum((data->>'amount')::bigint), max(global_position)"
        " FROM events WHERE type = $1 GROUP BY 1",
        ADDED,
    )
    return {tuple(r) for r in rows}


async def read_model(
    conn: asyncpg.Connection | asyncpg.Pool,
) -> tuple[set[tuple[object, ...]], ...]:
    counters = await conn.fetch("SELECT stream_id, events, total, last_at FROM proj_counters")
    totals = await conn.fetch("SELECT kind, events, amount, last_position FROM proj_totals")
    return {tuple(r) for r in counters}, {tuple(r) for r in totals}


async def log_model(conn: asyncpg.Connection | asyncpg.Pool) -> tuple[set[tuple[object, ...]], ...]:
    return await counters_from_log(conn), await totals_from_log(conn)
