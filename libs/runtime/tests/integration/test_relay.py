"""The relay against real Postgres and RabbitMQ: in process, and as a real subprocess that
is killed, terminated and raced by a second replica."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import asyncpg
import pytest
import pytest_asyncio
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from cognive_contracts.envelope import CONTENT_TYPE_BATCH, CONTENT_TYPE_SINGLE, CloudEvent, decode
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.amqp.content_encoding import decode_body
from cognive_runtime.eventlog import (
    NewEvent,
    Position,
    StreamAppend,
    append,
    head_position,
    load_checkpoint,
)
from cognive_runtime.relay import CHECKPOINT, Relay
from cognive_runtime.testing import SchemaFactory, ServiceProcess, TestSchema, wait_until

pytestmark = pytest.mark.integration

TYPES = ("relaytest.thing.created.v1", "relaytest.thing.updated.v1", "relaytest.other.seen.v1")
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@dataclass
class Observed:
    """Everything the relay published, as a consumer bound with `#` sees it."""

    messages: list[tuple[AbstractIncomingMessage, list[CloudEvent]]] = field(default_factory=list)

    def on_message(self, message: AbstractIncomingMessage) -> None:
        body = decode_body(message.body, message.content_encoding)
        self.messages.append((message, decode(body, message.content_type or "")))

    @property
    def events(self) -> list[CloudEvent]:
        return [e for _m, events in self.messages for e in events]

    def distinct_ids(self) -> set[str]:
        return {str(e.id) for e in self.events}


@pytest_asyncio.fixture
async def observed(
    amqp_connection: AbstractRobustConnection, topology: TopologyManifest
) -> AsyncIterator[Observed]:
    channel = await amqp_connection.channel()
    name = f"{topology.prefix}relaytest.observer.{secrets.token_hex(3)}"
    queue = await channel.declare_queue(name, durable=False, auto_delete=False)
    exchange = await channel.get_exchange(topology.events_exchange.name, ensure=False)
    await queue.bind(exchange, routing_key="relaytest.#")
    seen = Observed()

    async def on_message(message: AbstractIncomingMessage) -> None:
        seen.on_message(message)

    tag = await queue.consume(on_message, no_ack=True)
    yield seen
    await queue.cancel(tag)
    await queue.delete(if_unused=False, if_empty=False)
    await channel.close()


async def append_log(schema: TestSchema, count: int, *, start: int = 0, streams: int = 5) -> None:
    """`count` events over `streams` streams, in runs of one type of varying length, so
    that packing meets type changes, full messages and lone events."""
    conn = await schema.connect()
    try:
        await _append_chunks(conn, count, start, streams)
    finally:
        await conn.close()


async def _append_chunks(conn: asyncpg.Connection, count: int, start: int, streams: int) -> None:
    for chunk in range(start, start + count, 500):
        appends = []
        for i in range(chunk, min(chunk + 500, start + count)):
            event_type = TYPES[(i // 37 + (i // 11) % 2) % len(TYPES)]
            metadata = {"traceparent": TRACEPARENT, "actor": "user:test"} if i % 3 == 0 else {}
            appends.append(
                StreamAppend(
                    f"stream-{i % streams}",
                    [NewEvent(event_type, {"i": i, "note": f'quote " {i}'}, metadata=metadata)],
                )
            )
        async with conn.transaction():
            await append(conn, appends)


async def log_positions(schema: TestSchema) -> list[tuple[str, int, str]]:
    rows = await schema.pool.fetch(
        "SELECT event_id::text, global_position, stream_id FROM events"
        " ORDER BY tx_id, global_position"
    )
    return [(r[0], r[1], r[2]) for r in rows]


def check_published(
    observed: Observed,
    log: list[tuple[str, int, str]],
    per_message: int,
    encoding: str = "zstd",
) -> None:
    order = {pos: index for index, (_id, pos, _s) in enumerate(log)}
    for message, events in observed.messages:
        types = {e.type for e in events}
        assert len(types) == 1
        assert message.routing_key == events[0].routing_key == message.type
        assert message.message_id == str(events[0].id)
        assert message.app_id == "relaytest"
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        assert len(events) <= per_message
        expected_type = CONTENT_TYPE_SINGLE if len(events) == 1 else CONTENT_TYPE_BATCH
        assert message.content_type == expected_type
        if encoding == "identity":
            assert message.content_encoding is None
            assert message.body.startswith((b"{", b"["))
        else:
            assert message.content_encoding == encoding
            assert len(message.body) < len(decode_body(message.body, encoding))
        assert (message.headers or {}).get("traceparent") == events[0].traceparent
        # Consecutive in the log: no event of another type was skipped over.
        indexes = [order[e.sequence or 0] for e in events]
        assert indexes == list(range(indexes[0], indexes[0] + len(events)))
    # Per-stream order: each stream's events arrive in log order.
    by_stream: dict[str, list[int]] = defaultdict(list)
    for event in observed.events:
        by_stream[event.subject].append(order[event.sequence or 0])
    for positions in by_stream.values():
        assert positions == sorted(positions)


def relay_for(
    schema: TestSchema,
    connection: AbstractRobustConnection,
    topology: TopologyManifest,
    per_message: int,
    encoding: str = "zstd",
) -> Relay:
    return Relay(
        pool=schema.pool,
        connection=connection,
        exchange=topology.events_exchange.name,
        service="relaytest",
        events_per_message=per_message,
        page_size=250,
        max_in_flight=8,
        idle_poll_s=0.02,
        content_encoding=encoding,
    )


@pytest.mark.parametrize(
    ("per_message", "count", "encoding"),
    [(1, 700, "zstd"), (100, 4_000, "zstd"), (100, 1_000, "identity")],
)
async def test_everything_arrives_once_in_order(
    schemas: SchemaFactory,
    amqp_connection: AbstractRobustConnection,
    topology: TopologyManifest,
    observed: Observed,
    per_message: int,
    count: int,
    encoding: str,
) -> None:
    schema = await schemas.create("relay")
    await append_log(schema, count // 2)
    relay = relay_for(schema, amqp_connection, topology, per_message, encoding)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        # Appended while the relay is tailing the log.
        await append_log(schema, count - count // 2, start=count // 2)
        await wait_until(
            lambda: len(observed.events) >= count, timeout=60, message="all events published"
        )
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    log = await log_positions(schema)
    assert len(observed.events) == count
    assert observed.distinct_ids() == {event_id for event_id, _p, _s in log}
    check_published(observed, log, per_message, encoding)
    if per_message > 1:
        assert any(len(events) > 1 for _m, events in observed.messages)
    assert await load_checkpoint(schema.pool, CHECKPOINT) == await head_position(schema.pool)


async def test_private_types_stay_in_the_log(
    schemas: SchemaFactory,
    amqp_connection: AbstractRobustConnection,
    topology: TopologyManifest,
    observed: Observed,
) -> None:
    """Only the types a service publishes (its manifest entry) leave it; its private
    events, e.g. translations of consumed events, are never put on the exchange."""
    schema = await schemas.create("relay")
    public, private = TYPES[0], TYPES[2]
    async with schema.pool.acquire() as conn, conn.transaction():
        await append(
            conn,
            [
                StreamAppend("s", [NewEvent(public if i % 2 else private, {"i": i})])
                for i in range(20)
            ],
        )
    relay = relay_for(schema, amqp_connection, topology, 5)
    relay.types = [public]
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await wait_until(lambda: len(observed.events) >= 10, timeout=30, message="published")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    assert {e.type for e in observed.events} == {f"cognive.{public}"}
    assert sorted(e.data["i"] for e in observed.events) == list(range(1, 20, 2))


async def test_a_nack_does_not_move_the_checkpoint(
    schemas: SchemaFactory, amqp_connection: AbstractRobustConnection, amqp_prefix: str
) -> None:
    schema = await schemas.create("relay")
    await append_log(schema, 6, streams=1)
    channel = await amqp_connection.channel()
    name = f"{amqp_prefix}relaytest.nack.{secrets.token_hex(3)}"
    exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, auto_delete=True)
    queue = await channel.declare_queue(
        name, arguments={"x-max-length": 2, "x-overflow": "reject-publish"}
    )
    await queue.bind(exchange, routing_key="#")
    relay = Relay(
        pool=schema.pool,
        connection=amqp_connection,
        exchange=name,
        service="relaytest",
        events_per_message=1,
        max_in_flight=1,
    )
    try:
        with pytest.raises(aio_pika.exceptions.DeliveryError):
            await asyncio.wait_for(relay.run(asyncio.Event()), 30)
        log = await log_positions(schema)
        checkpoint = await load_checkpoint(schema.pool, CHECKPOINT)
        assert checkpoint.global_position < log[2][1]
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
        await channel.close()


def relay_process(
    schema: TestSchema,
    topology: TopologyManifest,
    amqp_url: str,
    log_path: Path,
    **knobs: str,
) -> ServiceProcess:
    env = {
        "COGNIVE_TEST_RELAY_SCHEMA": schema.name,
        "COGNIVE_TEST_RELAY_EXCHANGE": topology.events_exchange.name,
        "COGNIVE_TEST_POSTGRES_DSN": schema.dsn,
        "COGNIVE_TEST_RABBITMQ_URL": amqp_url,
        "COGNIVE_LOG_JSON": "false",
        **knobs,
    }
    return ServiceProcess(
        ["cognive_runtime.testing.relay_process"],
        env=env,
        log_path=log_path,
        ready_marker="relay.ready",
    )


@pytest_asyncio.fixture
async def processes() -> AsyncIterator[list[ServiceProcess]]:
    started: list[ServiceProcess] = []
    yield started
    for proc in started:
        with contextlib.suppress(Exception):
            await proc.stop()


async def test_sigkill_between_publish_and_checkpoint_loses_nothing(
    schemas: SchemaFactory,
    topology: TopologyManifest,
    amqp_url: str,
    observed: Observed,
    process_log_dir: Path,
    processes: list[ServiceProcess],
) -> None:
    schema = await schemas.create("relay")
    total = 3_000
    await append_log(schema, total)
    # One page holds the whole log and each message is delayed, so the checkpoint cannot
    # move before the last message: a kill after the first messages lands mid-flight.
    slow = relay_process(
        schema,
        topology,
        amqp_url,
        process_log_dir / "slow.log",
        COGNIVE_RELAY_EVENTS_PER_MESSAGE="10",
        COGNIVE_RELAY_PAGE_SIZE="10000",
        COGNIVE_TEST_RELAY_PUBLISH_DELAY_S="0.005",
    )
    processes.append(slow)
    await slow.start()
    await wait_until(lambda: len(observed.messages) >= 30, timeout=60, message="30 messages")
    await slow.kill()
    before_restart = observed.distinct_ids()
    assert await load_checkpoint(schema.pool, CHECKPOINT) == Position.start()
    assert 0 < len(before_restart) < total, slow.output()[-2000:]

    again = relay_process(schema, topology, amqp_url, process_log_dir / "again.log")
    processes.append(again)
    await again.start()
    await wait_until(
        lambda: len(observed.distinct_ids()) == total,
        timeout=60,
        message="all events after restart",
    )
    head = await head_position(schema.pool)

    async def checkpoint_at_head() -> bool:
        return await load_checkpoint(schema.pool, CHECKPOINT) == head

    await wait_until(checkpoint_at_head, timeout=30, message="checkpoint at head")
    assert await again.terminate() == 0
    log = await log_positions(schema)
    assert observed.distinct_ids() == {event_id for event_id, _p, _s in log}
    # The restart republished what the killed relay had sent but not checkpointed.
    assert len(observed.events) > total
    assert before_restart <= observed.distinct_ids()


async def test_two_relays_one_leader_and_takeover(
    schemas: SchemaFactory,
    topology: TopologyManifest,
    amqp_url: str,
    observed: Observed,
    process_log_dir: Path,
    processes: list[ServiceProcess],
) -> None:
    schema = await schemas.create("relay")
    first = relay_process(schema, topology, amqp_url, process_log_dir / "a.log")
    second = relay_process(schema, topology, amqp_url, process_log_dir / "b.log")
    processes.extend([first, second])
    await asyncio.gather(first.start(), second.start())
    both = (first, second)

    def leaders() -> list[ServiceProcess]:
        return [p for p in both if "relay.leader" in p.output()]

    await wait_until(lambda: len(leaders()) >= 1, timeout=30, message="a leader")
    await append_log(schema, 1_000)
    await wait_until(lambda: len(observed.distinct_ids()) == 1_000, timeout=60, message="1000")
    [leader] = leaders()
    [follower] = [p for p in both if p is not leader]
    assert leader.output().count("relay.leader") == 1

    await leader.kill()
    await append_log(schema, 1_000, start=1_000)
    await wait_until(
        lambda: "relay.leader" in follower.output(), timeout=30, message="follower takes over"
    )
    await wait_until(lambda: len(observed.distinct_ids()) == 2_000, timeout=60, message="2000")
    log = await log_positions(schema)
    assert observed.distinct_ids() == {event_id for event_id, _p, _s in log}
    assert await follower.terminate() == 0


async def test_sigterm_flushes_and_exits_zero(
    schemas: SchemaFactory,
    topology: TopologyManifest,
    amqp_url: str,
    observed: Observed,
    process_log_dir: Path,
    processes: list[ServiceProcess],
) -> None:
    schema = await schemas.create("relay")
    total = 2_000
    await append_log(schema, total)
    proc = relay_process(
        schema,
        topology,
        amqp_url,
        process_log_dir / "term.log",
        COGNIVE_RELAY_EVENTS_PER_MESSAGE="10",
        COGNIVE_RELAY_PAGE_SIZE="200",
        COGNIVE_TEST_RELAY_PUBLISH_DELAY_S="0.01",
    )
    processes.append(proc)
    await proc.start()
    await wait_until(lambda: len(observed.messages) >= 20, timeout=60, message="20 messages")
    assert len(observed.distinct_ids()) < total
    assert await proc.terminate(timeout=60) == 0
    assert "relay.flushed" in proc.output()
    assert await load_checkpoint(schema.pool, CHECKPOINT) == await head_position(schema.pool)
    await wait_until(lambda: len(observed.distinct_ids()) == total, timeout=30, message="all")
    assert len(observed.events) == total
