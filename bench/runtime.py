"""Runtime benchmark: event log, gap-free reads, relay, consumer, projection rebuild.

One command (`make bench` or `python bench/runtime.py`); every figure stands beside a raw
baseline measured in the same run (raw asyncpg, raw aio-pika), printed as a table and
written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import uuid

import asyncpg
from _common import PG_DSN, Row, rate, render, write_section

from cognive_runtime.db import apply_migrations, create_pool, quote_ident
from cognive_runtime.eventlog import NewEvent, Position, StreamAppend, append, read_all

# ~600 bytes of JSON, the size of an LLM-call event.
PAYLOAD = {
    "run_id": str(uuid.uuid4()),
    "agent_id": str(uuid.uuid4()),
    "team_id": "team-cx",
    "call_id": str(uuid.uuid4()),
    "provider": "openai",
    "model": "gpt-4o-2024-08-06",
    "usage": {
        "input_tokens": 1834,
        "output_tokens": 412,
        "cached_input_tokens": 1024,
        "cache_write_tokens": 0,
        "reasoning_tokens": 0,
    },
    "latency_ms": 1234,
    "status": "ok",
    "error": None,
    "provider_request_id": "chatcmpl-" + secrets.token_hex(12),
    "reservation_id": str(uuid.uuid4()),
    "occurred_at": "2026-11-23T10:00:00.000000+00:00",
    "api_key_id": "k" + secrets.token_hex(6),
}
EVENT_TYPE = "ingest.llm_call.recorded.v1"


async def fresh_schema(label: str) -> tuple[str, asyncpg.Pool]:
    name = f"bench_{label}_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(PG_DSN)
    try:
        await apply_migrations(conn, name, [])
    finally:
        await conn.close()
    return name, await create_pool(PG_DSN, name, min_size=2, max_size=4)


async def drop_schema(name: str, pool: asyncpg.Pool) -> None:
    await pool.close()
    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f"DROP SCHEMA {quote_ident(name)} CASCADE")
    finally:
        await conn.close()


def events(n: int) -> list[NewEvent]:
    return [NewEvent(EVENT_TYPE, {**PAYLOAD, "call_id": str(uuid.uuid4())}) for _ in range(n)]


async def fill(pool: asyncpg.Pool, total: int, per_tx: int = 1000) -> None:
    for start in range(0, total, per_tx):
        async with pool.acquire() as conn, conn.transaction():
            await append(
                conn,
                [StreamAppend(f"run-{start // 100 + i}", events(1)) for i in range(per_tx)],
            )


async def bench_append(total: int) -> list[Row]:
    rows = []
    schema, pool = await fresh_schema("append")
    try:
        batch = 100

        async def ours_batched() -> None:
            for start in range(0, total, batch):
                async with pool.acquire() as conn, conn.transaction():
                    await append(
                        conn, [StreamAppend(f"b-{start + i}", events(1)) for i in range(batch)]
                    )

        async def ours_single() -> None:
            for i in range(total // 10):
                async with pool.acquire() as conn, conn.transaction():
                    await append(conn, [StreamAppend(f"s-{i}", events(1))])

        async with pool.acquire() as conn:
            await conn.execute(
                "CREATE TABLE raw_events (global_position bigint GENERATED ALWAYS AS IDENTITY,"
                " stream_id text, stream_version int, event_id uuid, type text, data jsonb,"
                " metadata jsonb)"
            )
        data_text = json.dumps(PAYLOAD)

        async def raw_executemany() -> None:
            for start in range(0, total, batch):
                async with pool.acquire() as conn, conn.transaction():
                    await conn.executemany(
                        "INSERT INTO raw_events (stream_id, stream_version, event_id, type, data,"
                        " metadata) VALUES ($1, 1, $2, $3, $4::text::jsonb, '{}')",
                        [
                            (f"r-{start + i}", uuid.uuid4(), EVENT_TYPE, data_text)
                            for i in range(batch)
                        ],
                    )

        async def raw_single() -> None:
            for i in range(total // 10):
                async with pool.acquire() as conn, conn.transaction():
                    await conn.execute(
                        "INSERT INTO raw_events (stream_id, stream_version, event_id, type, data,"
                        " metadata) VALUES ($1, 1, $2, $3, $4::text::jsonb, '{}')",
                        f"q-{i}",
                        uuid.uuid4(),
                        EVENT_TYPE,
                        data_text,
                    )

        base_b = await rate(total, raw_executemany)
        ours_b = await rate(total, ours_batched)
        base_s = await rate(total // 10, raw_single)
        ours_s = await rate(total // 10, ours_single)
        rows.append(Row("append, 100 events/tx", "ev/s", ours_b, "asyncpg executemany", base_b))
        rows.append(Row("append, 1 event/tx", "ev/s", ours_s, "asyncpg single insert/tx", base_s))
    finally:
        await drop_schema(schema, pool)
    return rows


async def bench_read(total: int) -> list[Row]:
    schema, pool = await fresh_schema("read")
    try:
        await fill(pool, total)
        page = 5000

        async def ours() -> None:
            position = Position.start()
            seen = 0
            while True:
                batch = await read_all(pool, position, limit=page)
                if not batch:
                    break
                for e in batch:
                    _ = e.data
                seen += len(batch)
                position = batch[-1].position
            assert seen == total, seen

        async def raw() -> None:
            last = 0
            seen = 0
            while True:
                rows = await pool.fetch(
                    "SELECT global_position, stream_id, event_id, type, data::text AS d"
                    " FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2",
                    last,
                    page,
                )
                if not rows:
                    break
                for r in rows:
                    json.loads(r["d"])
                seen += len(rows)
                last = rows[-1]["global_position"]
            assert seen == total, seen

        base = await rate(total, raw)
        mine = await rate(total, ours)
        return [
            Row("gap-free read + JSON decode", "ev/s", mine, "paged SELECT by position", base),
        ]
    finally:
        await drop_schema(schema, pool)


async def bench_messaging(scale: int) -> list[Row]:
    import runtime_messaging as messaging

    rows: list[Row] = []
    prefix = messaging.run_prefix()
    schema, pool = await fresh_schema("relay")
    try:
        total = 100_000 * scale
        await fill(pool, total)
        rows += await messaging.bench_relay(pool, total, prefix)
        rows += await messaging.bench_rebuild(pool, total)
    finally:
        await drop_schema(schema, pool)
    schema, pool = await fresh_schema("consumer")
    try:
        rows += await messaging.bench_consumer(pool, 50_000 * scale, prefix)
    finally:
        await drop_schema(schema, pool)
    return rows


async def main(scale: int) -> None:
    rows: list[Row] = []
    rows += await bench_append(20_000 * scale)
    rows += await bench_read(100_000 * scale)
    rows += await bench_messaging(scale)
    render("cognive runtime", rows)
    write_section(
        "Runtime (bench/runtime.py)",
        "Events of ~600 B (an LLM call). `ratio` = ours / baseline.",
        rows,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1, help="multiply every event count")
    asyncio.run(main(parser.parse_args().scale))
