"""Relay, consumer and rebuild benchmarks (part of bench/runtime.py), each beside a raw
baseline measured in the same run with the same message size and batching."""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence

import aio_pika
import asyncpg
from _common import AMQP_URL, Row

from cognive_contracts.envelope import CONTENT_TYPE_BATCH
from cognive_contracts.events import model_for
from cognive_contracts.topology import load_manifest
from cognive_runtime.amqp import connect_amqp, declare_topology
from cognive_runtime.amqp.content_encoding import ZSTD, decode_body, encode_body
from cognive_runtime.consumer import Consumer, Inbound, Route
from cognive_runtime.consumer.dlq import DlqTarget
from cognive_runtime.eventlog import RecordedEvent, head_position, load_checkpoint
from cognive_runtime.projections import ProjectionRunner, TableNames, rebuild
from cognive_runtime.relay import CHECKPOINT, Relay
from cognive_runtime.relay.encoding import EventEncoder

EVENT_TYPE = "ingest.llm_call.recorded.v1"
PER_MESSAGE = 100


async def _bench_queue(
    channel: aio_pika.abc.AbstractChannel, name: str
) -> aio_pika.abc.AbstractQueue:
    # The same kind of queue the services consume from: quorum, on disk.
    return await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})


async def bench_relay(pool: asyncpg.Pool, total: int, prefix: str) -> list[Row]:
    manifest = load_manifest().with_prefix(prefix)
    conn = await connect_amqp(AMQP_URL, name="bench-relay")
    try:
        await declare_topology(conn, manifest, ["ingest"])
        channel = await conn.channel()
        queue = await _bench_queue(channel, f"{prefix}bench.sink")
        exchange = await channel.get_exchange(manifest.events_exchange.name)
        await queue.bind(exchange, routing_key="#")

        relay = Relay(
            pool=pool,
            connection=conn,
            exchange=manifest.events_exchange.name,
            service="ingest",
            events_per_message=PER_MESSAGE,
            page_size=5000,
            max_in_flight=64,
        )
        stop = asyncio.Event()
        started = time.perf_counter()
        task = asyncio.create_task(relay.run(stop))
        head = await head_position(pool)
        while await load_checkpoint(pool, CHECKPOINT) < head:
            await asyncio.sleep(0.02)
        ours = total / (time.perf_counter() - started)
        stop.set()
        await task
        await queue.purge()

        # Baseline: the same bodies, already encoded, published raw with confirms and the
        # same in-flight window.
        rows = [
            RecordedEvent(
                global_position=i,
                tx_id=1,
                stream_id=f"run-{i}",
                stream_version=1,
                event_id=uuid.uuid4(),
                type=EVENT_TYPE,
                data_json=json.dumps(_payload()),
                metadata_json="{}",
                recorded_at=_now(),
            )
            for i in range(PER_MESSAGE)
        ]
        # The same bytes as the relay's messages: compressed as it compresses them.
        body, content_type = EventEncoder("ingest").message_body(rows)
        body, encoding = encode_body(body, ZSTD)
        confirm_channel = await conn.channel(publisher_confirms=True)
        raw_exchange = await confirm_channel.get_exchange(manifest.events_exchange.name)
        messages = total // PER_MESSAGE
        window: list[asyncio.Task[object]] = []
        started = time.perf_counter()
        for _ in range(messages):
            msg = aio_pika.Message(
                body, content_type=content_type, content_encoding=encoding, delivery_mode=2
            )
            window.append(asyncio.create_task(raw_exchange.publish(msg, routing_key=EVENT_TYPE)))
            if len(window) >= 64:
                await window.pop(0)
        await asyncio.gather(*window)
        raw = total / (time.perf_counter() - started)
        await queue.delete(if_unused=False, if_empty=False)
        await channel.close()
        await confirm_channel.close()
    finally:
        await conn.close()
    return [
        Row(
            f"relay log→broker, {PER_MESSAGE} ev/msg",
            "ev/s",
            ours,
            "aio-pika confirmed publish",
            raw,
            "≥ 30,000 and ≥ 0.5",
        )
    ]


def _payload() -> dict[str, object]:
    from runtime import PAYLOAD

    return {**PAYLOAD, "call_id": str(uuid.uuid4())}


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _prefill(queue_name: str, total: int) -> None:
    """Messages are published by a separate process, as another service's relay would."""
    subprocess.run(
        [sys.executable, __file__, "prefill", queue_name, str(total)], check=True, timeout=600
    )


async def _prefill_main(queue_name: str, total: int) -> None:
    from cognive_contracts.envelope import encode_batch
    from cognive_contracts.events import to_cloudevent

    conn = await aio_pika.connect(AMQP_URL)
    channel = await conn.channel(publisher_confirms=True)
    window: list[asyncio.Task[object]] = []
    for _ in range(total // PER_MESSAGE):
        batch = [
            to_cloudevent(
                model_for(EVENT_TYPE).model_validate(_payload()),
                source_service="ingest",
                subject="run-x",
                id=uuid.uuid4(),
                time=_now(),
            )
            for _ in range(PER_MESSAGE)
        ]
        body, encoding = encode_body(encode_batch(batch), ZSTD)
        msg = aio_pika.Message(
            body, content_type=CONTENT_TYPE_BATCH, content_encoding=encoding, delivery_mode=2
        )
        window.append(
            asyncio.create_task(channel.default_exchange.publish(msg, routing_key=queue_name))
        )
        if len(window) >= 64:
            await window.pop(0)
    await asyncio.gather(*window)
    await conn.close()


async def bench_consumer(pool: asyncpg.Pool, total: int, prefix: str) -> list[Row]:
    async with pool.acquire() as c:
        await c.execute(
            "CREATE TABLE calls (call_id text PRIMARY KEY, model text, input_tokens int,"
            " output_tokens int); CREATE TABLE raw_calls (LIKE calls INCLUDING ALL)"
        )

    async def handler(conn: asyncpg.Connection, events: Sequence[Inbound]) -> None:
        await conn.executemany(
            "INSERT INTO calls VALUES ($1, $2, $3, $4)",
            [
                (
                    e.payload.call_id,
                    e.payload.model,
                    e.payload.usage.input_tokens,
                    e.payload.usage.output_tokens,
                )
                for e in events
            ],
        )

    conn = await connect_amqp(AMQP_URL, name="bench-consumer")
    manifest = load_manifest().with_prefix(prefix)
    await declare_topology(conn, manifest, ["cost"])
    channel = await conn.channel()
    name = f"{prefix}bench.consume"
    queue = await _bench_queue(channel, name)
    try:
        _prefill(name, total)
        consumer = Consumer(
            service="cost",
            pool=pool,
            connection=conn,
            queue=name,
            dlq=DlqTarget.from_manifest(manifest, "cost"),
            routes={EVENT_TYPE: Route(model_for(EVENT_TYPE), handler)},
            prefetch=32,
        )
        stop = asyncio.Event()
        started = time.perf_counter()
        task = asyncio.create_task(consumer.run(stop))
        while await pool.fetchval("SELECT count(*) FROM calls") < total:
            await asyncio.sleep(0.05)
        ours = total / (time.perf_counter() - started)
        stop.set()
        await task

        # Baseline: raw aio-pika consume, zstd + json decode, asyncpg executemany, ack per message.
        _prefill(name, total)
        done = asyncio.Event()
        count = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal count
            items = json.loads(decode_body(message.body, message.content_encoding))
            async with pool.acquire() as c, c.transaction():
                await c.executemany(
                    "INSERT INTO raw_calls VALUES ($1, $2, $3, $4)",
                    [
                        (
                            i["data"]["call_id"],
                            i["data"]["model"],
                            i["data"]["usage"]["input_tokens"],
                            i["data"]["usage"]["output_tokens"],
                        )
                        for i in items
                    ],
                )
            await message.ack()
            count += len(items)
            if count >= total:
                done.set()

        raw_channel = await conn.channel()
        await raw_channel.set_qos(prefetch_count=32)
        raw_queue = await raw_channel.get_queue(name)
        started = time.perf_counter()
        tag = await raw_queue.consume(on_message)
        await done.wait()
        raw = total / (time.perf_counter() - started)
        await raw_queue.cancel(tag)
        await raw_channel.close()
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await channel.close()
        await conn.close()
    return [
        Row(
            f"consumer → Postgres + inbox, {PER_MESSAGE} ev/msg",
            "ev/s",
            ours,
            "aio-pika consume + executemany",
            raw,
            "≥ 20,000",
        )
    ]


class CallsProjection:
    name = "calls"
    tables = ("calls_rm",)
    types = frozenset({EVENT_TYPE})

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        await conn.executemany(
            f"INSERT INTO {tables['calls_rm']} VALUES ($1, $2, $3)",
            [(e.data["call_id"], e.data["model"], e.data["usage"]["input_tokens"]) for e in events],
        )


async def bench_rebuild(pool: asyncpg.Pool, total: int) -> list[Row]:
    async with pool.acquire() as c:
        await c.execute(
            "CREATE TABLE calls_rm (call_id text PRIMARY KEY, model text, input_tokens int);"
            " CREATE TABLE raw_rm (LIKE calls_rm INCLUDING ALL)"
        )
    # The live read model is caught up first, as the running service keeps it: the rebuild
    # measured is the replay into the shadow and the swap.
    runner = ProjectionRunner(pool, CallsProjection(), "bench", chunk_size=5000)
    while await runner.step():
        pass
    started = time.perf_counter()
    report = await rebuild(pool, CallsProjection(), chunk_size=5000, verify=False)
    ours = report.events / (time.perf_counter() - started)

    # Baseline: the same chunked replay without the runtime: paged read by position, JSON
    # decode, executemany, one commit per chunk.
    started = time.perf_counter()
    last, n = 0, 0
    while True:
        async with pool.acquire() as c, c.transaction():
            rows = await c.fetch(
                "SELECT global_position, data::text AS d FROM events WHERE global_position > $1"
                " ORDER BY global_position LIMIT 5000",
                last,
            )
            if not rows:
                break
            decoded = [json.loads(r["d"]) for r in rows]
            await c.executemany(
                "INSERT INTO raw_rm VALUES ($1, $2, $3)",
                [(d["call_id"], d["model"], d["usage"]["input_tokens"]) for d in decoded],
            )
        last = rows[-1]["global_position"]
        n += len(rows)
    raw = n / (time.perf_counter() - started)
    return [
        Row(
            "projection rebuild (shadow + swap)",
            "ev/s",
            ours,
            "paged read + executemany",
            raw,
            "≥ 50,000",
        )
    ]


def run_prefix() -> str:
    return f"bench{secrets.token_hex(3)}."


if __name__ == "__main__" and sys.argv[1:2] == ["prefill"]:
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    asyncio.run(_prefill_main(sys.argv[2], int(sys.argv[3])))
